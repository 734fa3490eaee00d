import Crypto
import Foundation
import PorteroModel
import SQLite
import Synchronization

/// Session and throttling rules.
public struct AuthPolicy: Hashable, Sendable {
    public var sessionIdleSeconds: Int64 = 30 * 60
    public var sessionAbsoluteSeconds: Int64 = 12 * 3600
    /// Failed logins per account, and per client address, before a lockout.
    public var maxFailuresPerAccount = 5
    public var maxFailuresPerAddress = 20
    public var failureWindowSeconds: Int64 = 15 * 60
    public var lockoutSeconds: Int64 = 15 * 60

    public init() {}
}

/// A session as a request sees it.
public struct Session: Hashable, Sendable {
    public var account: Account
    /// The double-submit token every cookie-authenticated write must echo in `X-CSRF-Token`.
    public var csrfToken: String
    /// Set when a support user acts for `account` (an assisted session, seed 001).
    public var assistance: Assistance?

    public init(account: Account, csrfToken: String, assistance: Assistance? = nil) {
        self.account = account
        self.csrfToken = csrfToken
        self.assistance = assistance
    }
}

/// Why a login or a session was refused. The message never says whether the account exists.
public enum AuthFailure: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidCredentials
    case lockedOut(retryAfterSeconds: Int64)
    case sessionExpired
    case csrfMismatch
    /// The password was right and the account has a second factor: send the TOTP or a recovery code.
    case secondFactorRequired

    public var description: String {
        switch self {
        case .invalidCredentials: "wrong login or password"
        case let .lockedOut(seconds): "too many failed logins; try again in \(seconds) s"
        case .sessionExpired: "the session has expired; log in again"
        case .csrfMismatch: "missing or wrong CSRF token"
        case .secondFactorRequired: "a one-time code (or a recovery code) is required"
        }
    }
}

/// Failed logins per key (an account or a client address) and the lockouts they caused, shared
/// by the threads that serve logins. In memory: a restart forgives, which the per-address limit
/// and scrypt's cost keep affordable.
public final class LoginThrottle: Sendable {
    private struct State {
        var failures: [String: [Int64]] = [:]
        var lockedUntil: [String: Int64] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    package func lockedUntil(_ key: String) -> Int64? { state.withLock { $0.lockedUntil[key] } }

    package func forget(_ key: String) { state.withLock { $0.failures[key] = nil } }

    package func recordFailure(_ key: String, limit: Int, now: Int64, window: Int64, lockout: Int64) {
        state.withLock { state in
            var recent = (state.failures[key] ?? []).filter { now - $0 < window }
            recent.append(now)
            state.failures[key] = recent
            if recent.count >= limit {
                state.lockedUntil[key] = now + lockout
                state.failures[key] = nil
            }
        }
    }
}

/// Password logins with throttling, and cookie sessions stored by the SHA-256 of their token.
public final class Authenticator {
    package let db: any SQLDatabase
    package let accounts: any AccountStore
    package let audit: any AuditStore
    package let hasher: PasswordHasher
    /// The deployment's policy; the chain's configuration overrides it (see `policy`).
    public let basePolicy: AuthPolicy
    package let throttle: LoginThrottle
    /// A hash of a random password with the current parameters, verified against for unknown
    /// logins so that timing does not reveal which logins exist.
    private let dummyHash: String

    /// `throttle` is shared by every Authenticator of one core (one per database connection), so
    /// failures count the same whichever thread served them; so is `dummyHash` when given.
    public init(
        connection: any SQLDatabase, accounts: any AccountStore, audit: any AuditStore,
        hasher: PasswordHasher = PasswordHasher(),
        policy: AuthPolicy = AuthPolicy(), throttle: LoginThrottle = LoginThrottle(), dummyHash: String? = nil
    ) {
        db = connection
        self.accounts = accounts
        self.audit = audit
        self.hasher = hasher
        basePolicy = policy
        self.throttle = throttle
        self.dummyHash = dummyHash ?? Self.makeDummyHash(hasher)
    }

    /// Logs in by username or email. Returns the new session token (for the cookie) and the session.
    /// Every attempt, good or bad, is audited.
    public func login(_ login: String, password: String, secondFactor: String? = nil, address: String, now: Timestamp)
        throws -> (token: String, session: Session)
    {
        let seconds = now.seconds
        let policy = try self.policy
        let accountKey = "account:" + login.lowercased()
        let addressKey = "address:" + address
        for key in [accountKey, addressKey] {
            if let until = throttle.lockedUntil(key), seconds < until {
                try auditAttempt(
                    "login.locked", login: login, account: try accounts.findForLogin(login)?.0, address: address,
                    at: now)
                throw AuthFailure.lockedOut(retryAfterSeconds: until - seconds)
            }
        }
        let found = try accounts.findForLogin(login)
        // Verify against a real hash even for unknown logins, so timing does not reveal which exist.
        let stored = found?.passwordHash ?? dummyHash
        let matches = (try? hasher.verify(password, against: stored)) ?? false
        guard let (account, hash) = found, matches, account.active, hash != nil else {
            recordFailure(accountKey, limit: policy.maxFailuresPerAccount, now: seconds, policy)
            recordFailure(addressKey, limit: policy.maxFailuresPerAddress, now: seconds, policy)
            try auditAttempt("login.failure", login: login, account: found?.0, address: address, at: now)
            throw AuthFailure.invalidCredentials
        }
        if try !checkSecondFactor(account.id, code: secondFactor, now: now) {
            if secondFactor == nil { throw AuthFailure.secondFactorRequired }
            recordFailure(accountKey, limit: policy.maxFailuresPerAccount, now: seconds, policy)
            recordFailure(addressKey, limit: policy.maxFailuresPerAddress, now: seconds, policy)
            try auditAttempt(
                "login.failure", login: login, account: account, address: address, secondFactor: true, at: now)
            throw AuthFailure.invalidCredentials
        }
        throttle.forget(accountKey)
        if let hash, hasher.needsRehash(hash) {
            try accounts.replacePasswordHash(account.id, hash: try hasher.hash(password))
        }
        let token = Self.base64URL(try SecureRandom.bytes(32))
        let csrf = Self.base64URL(try SecureRandom.bytes(24))
        try db.run(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
            Digest.sha256(Array(token.utf8)), account.id.rawValue, csrf, now.milliseconds, now.milliseconds)
        _ = try audit.append(
            actor: "user:\(account.id)", action: "login.success", target: "user:\(account.id)",
            changes: AuditChanges.json(["address": address]), concerning: account.branches, at: now)
        return (token, Session(account: account, csrfToken: csrf))
    }

    /// The trail's row for an attempt that opened no session: about the account when the name
    /// is one (so the administrators of its branches see it), else about no one. The name typed
    /// and the address are values in the row's JSON, never its target or its keys.
    private func auditAttempt(
        _ action: String, login: String, account: Account?, address: String, secondFactor: Bool = false,
        at now: Timestamp
    ) throws {
        var changes: [String: Any] = ["address": address, "login": login]
        if secondFactor { changes["second_factor"] = true }
        _ = try audit.append(
            actor: "anonymous", action: action, target: account.map { "user:\($0.id)" } ?? "login",
            changes: AuditChanges.json(changes), concerning: account?.branches ?? [], at: now)
    }

    /// The branches granted to `user`: those the rows about them concern.
    package func branches(of user: UserID) throws -> Set<BranchID> { try accounts.account(user)?.branches ?? [] }

    /// The session behind a cookie token, refreshed; expired sessions are deleted and refused.
    public func session(token: String, now: Timestamp) throws -> Session {
        let check = try checkSession(token: token, now: now)
        try settle(check, now: now)
        guard let session = check.session else { throw AuthFailure.sessionExpired }
        return session
    }

    /// What a session check found, and the write it leaves for after the read.
    public struct SessionCheck: Sendable {
        public enum Upkeep: Sendable {
            case none
            /// Move the idle clock (at most once a minute, so reads do not each cost a durable write).
            case touch
            /// Expired or its account deactivated: delete it.
            case remove
        }
        /// Nil: unknown, expired, or the account is no longer active.
        public let session: Session?
        public let upkeep: Upkeep
        let key: [UInt8]
        let token: String
        /// An assisted session refused because its time is over (recorded by `settle`).
        public var assistanceOver: Assistance? = nil
    }

    /// Reads the session behind a cookie token and writes nothing, so a signed-in read runs in
    /// one read transaction (the caller's, when it has begun one); `settle` does the upkeep.
    public func checkSession(token: String, now: Timestamp) throws -> SessionCheck {
        try db.read {
            let generation = try signInGeneration()
            let policy = try self.policy(at: generation)
            if let kept = keptSessions[token], kept.generation == generation,
                let check = check(kept, token: token, now: now, policy)
            {
                keptSessionsUsed += 1
                return check
            }
            // Not kept, kept from before a change, or past its idle time by the kept clock
            // (another connection may have moved it on): read it.
            let key = Digest.sha256(Array(token.utf8))
            guard
                let found = try db.queryFirst(
                    Self.sessionSQL[db.dialect], key,
                    map: { row -> KeptSession in
                        let id = UserID(try row.get(0) as Int64)
                        let account = row.isNull(4) ? nil : try SQLAccountStore.account(id, from: row, at: 4)
                        return KeptSession(
                            account: account, csrfToken: try row.get(1), createdAt: try row.get(2),
                            lastSeen: try row.get(3), generation: generation, key: key,
                            assistance: try Self.assistance(row, at: 13))
                    })
            else {
                keptSessions[token] = nil
                return SessionCheck(session: nil, upkeep: .none, key: key, token: token)
            }
            if keptSessions.count >= Self.keptSessionsLimit { keptSessions.removeAll(keepingCapacity: true) }
            keptSessions[token] = found
            return check(found, token: token, now: now, policy)
                ?? SessionCheck(
                    session: nil, upkeep: .remove, key: key, token: token,
                    assistanceOver: found.assistance.flatMap { now >= $0.endsAt ? $0 : nil })
        }
    }

    /// The sign-in generation as the connection sees it now, read from the database once per
    /// view of it (see `Connection.view`): a batch's kept read transaction reads it once, not
    /// once per request.
    func signInGeneration() throws -> Int64 {
        let view = db.view
        if let view, let seen = generationSeen, seen.view == view { return seen.value }
        let value = try db.scalar(Self.generationSQL, as: Int64.self)
        generationsRead += 1
        generationSeen = view.map { ($0, value) }
        return value
    }

    /// The policy last worked out, and the sign-in generation it was worked out at.
    var policySeen: (generation: Int64, policy: AuthPolicy)?
    /// The generation last read, and the view it was read in.
    private var generationSeen: (view: Connection.View, value: Int64)?
    /// Times the generation was read from the database (for tests).
    package private(set) var generationsRead = 0

    /// The check of a session as read (nil when it has expired or its account is inactive).
    private func check(_ kept: KeptSession, token: String, now: Timestamp, _ policy: AuthPolicy) -> SessionCheck? {
        let idle = now.milliseconds - kept.lastSeen > policy.sessionIdleSeconds * 1000
        let absolute = now.milliseconds - kept.createdAt > policy.sessionAbsoluteSeconds * 1000
        guard !idle, !absolute, let account = kept.account, account.active else { return nil }
        // An assisted session ends at its deadline, whatever the activity.
        if let assistance = kept.assistance, now >= assistance.endsAt { return nil }
        return SessionCheck(
            session: Session(account: account, csrfToken: kept.csrfToken, assistance: kept.assistance),
            upkeep: now.milliseconds - kept.lastSeen >= 60_000 ? .touch : .none,
            key: kept.key, token: token)
    }

    /// A session as this connection last read it, and the sign-in generation it was read at.
    package struct KeptSession {
        let account: Account?
        let csrfToken: String
        let createdAt: Int64
        var lastSeen: Int64
        let generation: Int64
        /// The token's SHA-256, as stored (the upkeep's key).
        let key: [UInt8]
        let assistance: Assistance?
    }

    /// Sessions this connection has read, by token; used while the generation stands. Looked
    /// up by the token itself, so a kept session costs no SHA-256 (the database keeps only the
    /// hash; the token is in this process's memory while its request is, anyway). Swift's
    /// dictionaries hash with a random seed per process, so how long a lookup takes tells a
    /// client nothing about other tokens.
    private var keptSessions: [String: KeptSession] = [:]
    /// At most this many kept (a connection's share of the signed-in users); then all forgotten.
    package static let keptSessionsLimit = 1_024
    /// Checks answered from a kept session (for tests).
    package private(set) var keptSessionsUsed = 0

    package static let generationSQL = "SELECT value FROM sign_in_generation WHERE id = 1"

    /// The session and its account in one statement (an account gone leaves its columns NULL).
    package static let sessionSQL = DialectText { dialect in
        """
        SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen, \(SQLAccountStore.accountColumns[dialect]),
        \(assistanceColumns) FROM sessions s LEFT JOIN users u ON u.id = s.user_id
        LEFT JOIN support_requests a ON a.id = s.assistance_id AND a.status = 'active' WHERE s.token_hash = ?
        """
    }

    /// The write a session check left: outside any read transaction.
    public func settle(_ check: SessionCheck, now: Timestamp) throws {
        switch check.upkeep {
        case .none: break
        case .touch:
            try db.run("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", now.milliseconds, check.key)
            keptSessions[check.token]?.lastSeen = now.milliseconds
        case .remove:
            if let over = check.assistanceOver { try endAssistanceAtDeadline(over, now: now) }
            try db.run("DELETE FROM sessions WHERE token_hash = ?", check.key)
        }
    }

    /// Creates a personal API token for scripts; the token is returned once and only its hash kept.
    public func createAPIToken(for user: UserID, name: String, now: Timestamp) throws -> (id: Int64, token: String) {
        let token = "pt_" + Self.base64URL(try SecureRandom.bytes(32))
        let id = try db.scalar(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            Digest.sha256(Array(token.utf8)), user.rawValue, name, now.milliseconds, as: Int64.self)
        _ = try audit.append(
            actor: "user:\(user)", action: "token.create", target: "token:\(id)",
            changes: AuditChanges.json(["name": name]), concerning: try branches(of: user), at: now)
        return (id, token)
    }

    /// The account behind a bearer token (not revoked, account active).
    public func account(bearer token: String, now: Timestamp) throws -> Account {
        let key = Digest.sha256(Array(token.utf8))
        guard
            let user: Int64 = try db.queryFirst(
                "SELECT user_id FROM api_tokens WHERE token_hash = ? AND revoked = 0", key, map: { try $0.get(0) }),
            let account = try accounts.account(UserID(user)), account.active
        else {
            throw AuthFailure.sessionExpired
        }
        try db.run("UPDATE api_tokens SET last_used = ? WHERE token_hash = ?", now.milliseconds, key)
        return account
    }

    /// Revokes one of `user`'s tokens; false when it is not theirs or does not exist.
    public func revokeAPIToken(_ id: Int64, of user: UserID, now: Timestamp) throws -> Bool {
        let changed = try db.run(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND user_id = ? AND revoked = 0", id, user.rawValue)
        guard changed == 1 else { return false }
        _ = try audit.append(
            actor: "user:\(user)", action: "token.revoke", target: "token:\(id)", changes: "{}",
            concerning: try branches(of: user), at: now)
        return true
    }

    /// A cookie-authenticated write must carry the session's CSRF token.
    public func checkCSRF(_ session: Session, header: String?) throws {
        guard let header, constantTimeEquals(Array(header.utf8), Array(session.csrfToken.utf8)) else {
            throw AuthFailure.csrfMismatch
        }
    }

    public func logout(token: String) throws {
        try db.run("DELETE FROM sessions WHERE token_hash = ?", Digest.sha256(Array(token.utf8)))
    }

    /// Ends every session of the account (a stolen laptop, a password change).
    public func logoutEverywhere(_ user: UserID, now: Timestamp) throws {
        try db.run("DELETE FROM sessions WHERE user_id = ?", user.rawValue)
        _ = try audit.append(
            actor: "user:\(user)", action: "logout.everywhere", target: "user:\(user)", changes: "{}",
            concerning: try branches(of: user), at: now)
    }
}

@available(*, unavailable, message: "Owned by the core's database thread")
extension Authenticator: Sendable {}
