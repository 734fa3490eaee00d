@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Crypto
import PorteroModel
import SQLite
import TestSupport
import Testing

@Suite struct AuthenticationTests {
    let directory: TemporaryDirectory
    let db: Connection
    let accounts: SQLAccountStore
    let audit: SQLAuditStore
    let auth: Authenticator
    let centro: BranchID
    let norte: BranchID
    static let hasher = PasswordHasher(logN: 10, r: 8, p: 1)
    let t0 = Timestamp(seconds: 1_800_000_000)

    init() throws {
        directory = try TemporaryDirectory()
        db = try Connection(path: directory.file("core.sqlite"))
        try CoreSchema.migrate(db)
        accounts = try SQLAccountStore(connection: SQLiteDatabase(db), hasher: Self.hasher)
        audit = try SQLAuditStore(connection: SQLiteDatabase(db))
        var policy = AuthPolicy()
        policy.maxFailuresPerAccount = 3
        auth = Authenticator(
            connection: SQLiteDatabase(db), accounts: accounts, audit: audit, hasher: Self.hasher, policy: policy)
        centro = try accounts.createBranch(name: "Centro", city: "CDMX", timeZone: "America/Mexico_City")
        norte = try accounts.createBranch(name: "Norte", city: "Monterrey", timeZone: "America/Monterrey")
        _ = try accounts.createAccount(
            username: "ana", email: "ana@club.mx", password: "Secreto123", name: "Ana", paternalSurname: "López",
            roles: RoleSet([.reception]), branches: [centro], now: t0)
    }

    @Test func loginWithUsernameOrEmailInAnyCase() throws {
        #expect(
            try auth.login("ana", password: "Secreto123", address: "10.0.0.1", now: t0).session.account.username
                == "ana")
        #expect(
            try auth.login("ANA@club.mx", password: "Secreto123", address: "10.0.0.1", now: t0).session.account.roles
                == RoleSet([.reception]))
    }

    @Test func wrongPasswordAndUnknownLoginGiveTheSameAnswer() {
        #expect(throws: AuthFailure.invalidCredentials) {
            try auth.login("ana", password: "secreto123", address: "a", now: t0)
        }
        #expect(throws: AuthFailure.invalidCredentials) {
            try auth.login("nobody", password: "Secreto123", address: "a", now: t0)
        }
    }

    @Test func repeatedFailuresLockTheAccountForAWhile() throws {
        for _ in 0..<3 { _ = try? auth.login("ana", password: "nope", address: "a", now: t0) }
        #expect(throws: AuthFailure.lockedOut(retryAfterSeconds: 900)) {
            try auth.login("ana", password: "Secreto123", address: "b", now: t0)
        }
        #expect(
            try auth.login("ana", password: "Secreto123", address: "b", now: t0.adding(seconds: 901)).session.account
                .username == "ana")
    }

    @Test func sessionsAreStoredHashedAndExpireWhenIdle() throws {
        let (token, session) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        let stored: [UInt8]? = try db.queryFirst("SELECT token_hash FROM sessions") { $0.bytes(0) } ?? nil
        #expect(stored == Digest.sha256(Array(token.utf8)))
        #expect(
            try db.scalar("SELECT count(*) FROM sessions WHERE token_hash = ?", Array(token.utf8), as: Int.self) == 0)
        #expect(try auth.session(token: token, now: t0.adding(seconds: 60)) == session)
        #expect(throws: AuthFailure.sessionExpired) {
            try auth.session(token: token, now: t0.adding(seconds: 60 + 31 * 60))
        }
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: "forged", now: t0) }
    }

    @Test func aSessionCarriesTheAccountsRolesAndBranchesAsStoredNow() throws {
        let (token, _) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        let ana = try #require(try accounts.findForLogin("ana")).0
        try db.run("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", ana.id.rawValue, Role.branchManager.rawValue)
        try db.run("INSERT INTO user_branches (user_id, branch_id) VALUES (?, ?)", ana.id.rawValue, norte.rawValue)
        let account = try auth.session(token: token, now: t0).account
        #expect(account.roles == RoleSet([.reception, .branchManager]))
        #expect(account.branches == [centro, norte])
        #expect(account == (try accounts.account(ana.id)))
    }

    @Test func aSessionWhoseAccountIsGoneIsRefusedAndRemoved() throws {
        let (token, session) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        try db.run("PRAGMA foreign_keys = OFF")
        try db.run("DELETE FROM users WHERE id = ?", session.account.id.rawValue)
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: token, now: t0) }
        #expect(try db.scalar("SELECT count(*) FROM sessions", as: Int.self) == 0)
    }

    /// A connection keeps the sessions it has read, and uses one only while nothing a session
    /// check reads has changed since, by this connection or by any other (another process).
    @Test func aKeptSessionIsUsedUntilAnythingItReadChangesWhoeverChangesIt() throws {
        let (token, first) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        let other = try Connection(path: directory.file("core.sqlite"))  // as another process would
        let ana = first.account.id
        #expect(
            try db.scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sign_in_%'", as: Int.self)
                == 10)
        #expect(try auth.session(token: token, now: t0) == first)
        let used = auth.keptSessionsUsed
        #expect(try auth.session(token: token, now: t0.adding(seconds: 1)) == first)
        #expect(auth.keptSessionsUsed == used + 1)
        // Each change below is seen by the next check, which reads the session again.
        try other.run("INSERT INTO user_roles (user_id, role) VALUES (?, 'gerente_sucursal')", ana.rawValue)
        #expect(
            try auth.session(token: token, now: t0.adding(seconds: 2)).account.roles
                == RoleSet([.reception, .branchManager]))
        try other.run("DELETE FROM user_roles WHERE user_id = ? AND role = 'recepcion'", ana.rawValue)
        #expect(try auth.session(token: token, now: t0.adding(seconds: 3)).account.roles == RoleSet([.branchManager]))
        try other.run("INSERT INTO user_branches (user_id, branch_id) VALUES (?, ?)", ana.rawValue, norte.rawValue)
        #expect(try auth.session(token: token, now: t0.adding(seconds: 4)).account.branches == [centro, norte])
        try other.run("DELETE FROM user_branches WHERE user_id = ? AND branch_id = ?", ana.rawValue, centro.rawValue)
        #expect(try auth.session(token: token, now: t0.adding(seconds: 5)).account.branches == [norte])
        try other.run("UPDATE users SET name = 'Ana María' WHERE id = ?", ana.rawValue)
        #expect(try auth.session(token: token, now: t0.adding(seconds: 6)).account.name == "Ana María")
        try other.run("UPDATE users SET active = 0 WHERE id = ?", ana.rawValue)
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: token, now: t0.adding(seconds: 7)) }
        #expect(auth.keptSessionsUsed == used + 1)
    }

    /// Inside one read transaction (an event loop's batch) the sign-in generation is read
    /// once; a new transaction, or a write through the connection, reads it again.
    @Test func theSignInGenerationIsReadOncePerView() throws {
        let (token, session) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        try db.beginRead()
        let before = auth.generationsRead
        for second in 1...3 {
            #expect(try auth.session(token: token, now: t0.adding(seconds: Int64(second))) == session)
        }
        #expect(auth.generationsRead == before + 1)
        db.endRead()
        #expect(try auth.session(token: token, now: t0.adding(seconds: 4)) == session)
        #expect(auth.generationsRead == before + 2)
        // A change written through this very connection inside the transaction is seen.
        try db.transaction {
            #expect(try auth.checkSession(token: token, now: t0.adding(seconds: 5)).session == session)
            try db.run("UPDATE users SET active = 0 WHERE id = ?", session.account.id.rawValue)
            #expect(try auth.checkSession(token: token, now: t0.adding(seconds: 5)).session == nil)
        }
        #expect(auth.generationsRead == before + 4)
    }

    @Test func aKeptSessionEndsWithLogoutLogoutEverywhereAndAPasswordChange() throws {
        let other = try Connection(path: directory.file("core.sqlite"))
        let (first, session) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        _ = try auth.session(token: first, now: t0)
        try Authenticator(
            connection: SQLiteDatabase(other),
            accounts: try SQLAccountStore(connection: SQLiteDatabase(other), hasher: Self.hasher),
            audit: try SQLAuditStore(connection: SQLiteDatabase(other)),
            hasher: Self.hasher
        ).logout(token: first)
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: first, now: t0) }
        let (second, _) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        _ = try auth.session(token: second, now: t0)
        // logout everywhere, elsewhere
        try other.run("DELETE FROM sessions WHERE user_id = ?", session.account.id.rawValue)
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: second, now: t0) }
        let (third, _) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        _ = try auth.session(token: third, now: t0)
        var changes = AccountChanges()
        changes.passwordHash = try accounts.preparePassword("OtroSecreto456")
        _ = try SQLAccountStore(connection: SQLiteDatabase(other), hasher: Self.hasher).updateAccount(
            session.account.id, changes)
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: third, now: t0) }
    }

    /// The kept idle clock only runs behind the stored one: another connection's use of the
    /// session keeps it alive here too, and the kept clock moves when this one touches it.
    @Test func aKeptSessionIsNotEndedByItsOwnStaleIdleClock() throws {
        let (token, session) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        let otherAuth = Authenticator(
            connection: SQLiteDatabase(try Connection(path: directory.file("core.sqlite"))), accounts: accounts,
            audit: audit,
            hasher: Self.hasher)
        _ = try auth.session(token: token, now: t0)
        #expect(try otherAuth.session(token: token, now: t0.adding(seconds: 20 * 60)) == session)  // touched elsewhere
        // 35 minutes after this connection last saw it, 15 after the other did: still open.
        #expect(try auth.session(token: token, now: t0.adding(seconds: 35 * 60)) == session)
        // And past both: closed, here and there.
        #expect(throws: AuthFailure.sessionExpired) {
            try auth.session(token: token, now: t0.adding(seconds: 35 * 60 + 31 * 60))
        }
        #expect(throws: AuthFailure.sessionExpired) {
            try otherAuth.session(token: token, now: t0.adding(seconds: 35 * 60))
        }
    }

    @Test func theSessionCookieIsFoundAmongOthers() {
        #expect(CoreAPI.cookie("portero_session", in: "portero_session=abc") == "abc")
        #expect(CoreAPI.cookie("portero_session", in: "a=1; portero_session=abc ;b=2") == "abc")
        #expect(CoreAPI.cookie("portero_session", in: "\tportero_session=") == "")
        #expect(CoreAPI.cookie("portero_session", in: "xportero_session=abc; portero_sessionx=1") == nil)
        #expect(CoreAPI.cookie("portero_session", in: "portero_session") == nil)
        #expect(CoreAPI.cookie("portero_session", in: "") == nil)
        #expect(CoreAPI.cookie("portero_session", in: nil) == nil)
        #expect(CoreAPI.cookie("portero_session", in: "a=1;;portero_session=x=y") == "x=y")
    }

    @Test func absoluteExpiryEndsEvenAnActiveSession() throws {
        let (token, _) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        // active every 20 min for 11 h 40
        for step in 1...35 { _ = try auth.session(token: token, now: t0.adding(seconds: Int64(step) * 20 * 60)) }
        #expect(throws: AuthFailure.sessionExpired) {
            try auth.session(token: token, now: t0.adding(seconds: 12 * 3600 + 1))
        }
    }

    @Test func csrfTokenMustMatch() throws {
        let (_, session) = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        try auth.checkCSRF(session, header: session.csrfToken)
        #expect(throws: AuthFailure.csrfMismatch) { try auth.checkCSRF(session, header: nil) }
        #expect(throws: AuthFailure.csrfMismatch) { try auth.checkCSRF(session, header: "x") }
    }

    @Test func logoutEverywhereEndsEverySession() throws {
        let first = try auth.login("ana", password: "Secreto123", address: "a", now: t0)
        let second = try auth.login("ana", password: "Secreto123", address: "b", now: t0)
        try auth.logoutEverywhere(first.session.account.id, now: t0)
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: first.token, now: t0) }
        #expect(throws: AuthFailure.sessionExpired) { try auth.session(token: second.token, now: t0) }
    }

    @Test func cookieIsHttpOnlyStrictAndSecureBehindTLS() throws {
        #expect(
            try auth.cookie(token: "t", secure: true)
                == "portero_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure")
        #expect(try !auth.cookie(token: "t", secure: false).contains("Secure"))
    }

    @Test func everyLoginAttemptIsAudited() throws {
        _ = try? auth.login("ana", password: "nope", address: "10.1.1.1", now: t0)
        _ = try auth.login("ana", password: "Secreto123", address: "10.1.1.1", now: t0)
        #expect(try audit.recent(limit: 2).map(\.action) == ["login.success", "login.failure"])
        guard case .intact = try audit.verify() else {
            Issue.record("broken")
            return
        }
    }

    @Test func accountRulesNameTheField() throws {
        func refusal(_ body: () throws -> Void) -> String {
            do {
                try body()
                return ""
            } catch { return "\(error)" }
        }
        #expect(
            refusal {
                _ = try accounts.createAccount(
                    username: "ANA", email: "x@y.z", password: "Secreto123", name: "A", paternalSurname: "B", roles: [],
                    branches: [], now: t0)
            } == "username: already in use")
        #expect(
            refusal {
                _ = try accounts.createAccount(
                    username: "bob", email: "ana@CLUB.mx", password: "Secreto123", name: "B", paternalSurname: "C",
                    roles: [], branches: [], now: t0)
            } == "email: already in use")
        #expect(
            refusal {
                _ = try accounts.createAccount(
                    username: "bob", email: "bob@x.mx", password: "secreto", name: "B", paternalSurname: "C", roles: [],
                    branches: [], now: t0)
            }.hasPrefix("password: needs"))
        #expect(
            refusal { _ = try accounts.createBranch(name: "Sur", city: "X", timeZone: "Mars/Base") }.hasPrefix(
                "timeZone: unknown time zone"))
        #expect(
            refusal { _ = try accounts.createBranch(name: "Centro", city: "X", timeZone: "UTC") }
                == "name: a branch named \"Centro\" exists")
        #expect(
            refusal {
                _ = try accounts.createAccount(
                    username: "bob", email: "bob@x.mx", password: "Secreto123", name: "B", paternalSurname: "C",
                    roles: [], branches: [BranchID(99)], now: t0)
            } == "branches: no branch 99")
        #expect(try accounts.accountCount() == 1)
    }

    @Test func privilegesAreScopedToGrantedBranches() throws {
        let ana = try #require(try accounts.findForLogin("ana")?.0)
        #expect(ana.may(.attendance, at: centro))
        #expect(!ana.may(.attendance, at: norte))
        #expect(!ana.may(.configuration, at: centro))
        let boss = try accounts.createAccount(
            username: "root", email: "root@club.mx", password: "Secreto123", name: "R", paternalSurname: "S",
            roles: RoleSet([.superAdministrator]), branches: [], now: t0)
        #expect(boss.may(.configuration, at: norte))
    }
}

@Suite struct SecondFactorTests {
    @Test func totpIsRequiredOnceEnabledUsedOnlyOnceAndRecoveryCodesWorkOnce() throws {
        let directory = try TemporaryDirectory()
        let db = try Connection(path: directory.file("core.sqlite"))
        let hasher = PasswordHasher(logN: 8, r: 8, p: 1)
        try CoreSchema.migrate(db)
        let accounts = try SQLAccountStore(connection: SQLiteDatabase(db), hasher: hasher)
        let audit = try SQLAuditStore(connection: SQLiteDatabase(db))
        let auth = Authenticator(connection: SQLiteDatabase(db), accounts: accounts, audit: audit, hasher: hasher)
        let t0 = Timestamp(seconds: 1_800_000_000)
        let account = try accounts.createAccount(
            username: "root", email: "root@club.mx", password: "Secreto123", name: "R", paternalSurname: "S",
            roles: RoleSet([.superAdministrator]), branches: [], now: t0)
        let (secret, uri) = try auth.newTOTPSecret(for: account)
        #expect(uri.hasPrefix("otpauth://totp/Portero%3Aroot?secret=\(Base32.encode(secret))"))
        let otp = try OneTimePassword(secret: secret)
        #expect(throws: AuthFailure.invalidCredentials) {
            try auth.enableTOTP(for: account.id, secret: secret, code: "000000", now: t0)
        }
        let codes = try auth.enableTOTP(for: account.id, secret: secret, code: otp.totp(at: t0.seconds), now: t0)
        #expect(codes.count == 10 && Set(codes).count == 10)

        let later = t0.adding(seconds: 60)
        #expect(throws: AuthFailure.secondFactorRequired) {
            try auth.login("root", password: "Secreto123", address: "a", now: later)
        }
        #expect(throws: AuthFailure.invalidCredentials) {
            try auth.login("root", password: "Secreto123", secondFactor: "123456", address: "a", now: later)
        }
        let code = otp.totp(at: later.seconds)
        #expect(
            try auth.login("root", password: "Secreto123", secondFactor: code, address: "a", now: later).session.account
                .id == account.id)
        // The same code cannot be replayed.
        #expect(throws: AuthFailure.invalidCredentials) {
            try auth.login("root", password: "Secreto123", secondFactor: code, address: "a", now: later)
        }
        // A recovery code works once, in any case.
        #expect(
            try auth.login(
                "root", password: "Secreto123", secondFactor: codes[0].uppercased(), address: "a", now: later
            ).session.account.id == account.id)
        #expect(throws: AuthFailure.invalidCredentials) {
            try auth.login("root", password: "Secreto123", secondFactor: codes[0], address: "a", now: later)
        }
        // Stored only as hashes.
        #expect(
            try db.scalar("SELECT count(*) FROM recovery_codes WHERE code_hash = ?", Array(codes[1].utf8), as: Int.self)
                == 0)
    }
}
