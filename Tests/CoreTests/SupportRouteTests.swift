@testable import BackOffice
@testable import CoreStorage
import Crypto
import Foundation
import HTTP
import Mail
import PorteroModel
import TestSupport
import Testing

extension APIFixture {
    /// Turns the second factor on for `user` and returns a maker of fresh codes: each call moves
    /// the clock on by one TOTP step, so no code is a replay of the last.
    func enableTOTP(_ user: UserID) throws -> () -> String {
        let secret = [UInt8](repeating: 7, count: 20)
        let otp = try OneTimePassword(secret: secret)
        _ = try api.withDatabase { database in
            try database.auth.enableTOTP(
                for: user, secret: secret, code: otp.totp(at: clock.now.seconds), now: clock.now)
        }
        return { [self] in
            advance(seconds: 30)
            return otp.totp(at: clock.now.seconds)
        }
    }

    /// The support code in the newest queued email to `email`.
    func supportCode(to email: String) throws -> String {
        let messages = try api.withDatabase { try $0.mail.recent(limit: 20, users: nil) }
        let message = try #require(messages.first { $0.recipient == email && $0.kind == "support_code" })
        return try #require(Self.code(in: message.body))
    }

    static func code(in body: String) -> String? {
        body.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.count == 8 && $0.allSatisfy(\.isNumber) }
    }

    /// The cookie value a response sets for the session.
    static func sessionCookie(_ response: HTTPResponse) -> String? {
        response.header("Set-Cookie")?.split(separator: ";").first?.split(separator: "=").dropFirst().first
            .map(String.init)
    }
}

@Suite struct SupportRouteTests {
    /// A SuperAdministrador with TOTP and a receptionist with a pending request for them.
    struct Scene {
        let fixture: APIFixture
        let root: Caller
        let ana: Caller
        let totp: () -> String
        let request: Int64
        let code: String
    }

    func scene() throws -> Scene {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let ana = try fixture.signIn(.reception, username: "ana")
        let totp = try fixture.enableTOTP(root.id)
        let started = try fixture.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(totp())"}"#, as: root)
        #expect(started.status == 201, "\(text(started))")
        let request = try #require(try object(started)["id"] as? Int)
        return Scene(
            fixture: fixture, root: root, ana: ana, totp: totp, request: Int64(request),
            code: try fixture.supportCode(to: "ana@club.mx"))
    }

    @Test func bothSidesEnterTheCodeTheSupportActsAsTheUserAndItEndsByItself() throws {
        let s = try scene()
        let f = s.fixture
        let id = s.request
        // The support user enters it first: refused until the user has.
        let early = try f.post("/api/v1/support/requests/\(id)/confirm", #"{"code": "\#(s.code)"}"#, as: s.root)
        #expect(early.status == 409 && text(early).contains("not entered the code yet"))
        // The user sees who asks, and consents with the code.
        let mine = try object(try f.get("/api/v1/me/support", as: s.ana))
        let pending = try #require((mine["requests"] as? [[String: Any]])?.first)
        #expect(pending["supportName"] as? String == "root X" && pending["status"] as? String == "pending")
        let wrong = try f.post("/api/v1/me/support/\(id)/consent", #"{"code": "00000000"}"#, as: s.ana)
        #expect(wrong.status == 403 && text(wrong).contains("4 attempts left"))
        let consent = try f.post("/api/v1/me/support/\(id)/consent", #"{"code": "\#(s.code)"}"#, as: s.ana)
        #expect(try consent.status == 200 && (object(consent)["status"] as? String) == "consented")
        let reused = try f.post("/api/v1/me/support/\(id)/consent", #"{"code": "\#(s.code)"}"#, as: s.ana)
        #expect(reused.status == 409 && text(reused).contains("already used"))
        // The support user enters it: the assisted session starts, its cookie set.
        let confirmed = try f.post("/api/v1/support/requests/\(id)/confirm", #"{"code": "\#(s.code)"}"#, as: s.root)
        #expect(confirmed.status == 201, "\(text(confirmed))")
        let cookie = try #require(APIFixture.sessionCookie(confirmed))
        let csrf = try #require(try object(confirmed)["csrfToken"] as? String)
        let assisted: Caller = (cookie, csrf, s.ana.id)
        let ends = try #require((try object(confirmed)["request"] as? [String: Any])?["endsAt"] as? Int)
        #expect(Int64(ends) == f.clock.now.milliseconds + 5 * 60_000)
        // Acting as the user: her account, her privileges, nothing more.
        #expect(try object(try f.get("/api/v1/me", as: assisted))["username"] as? String == "ana")
        _ = try f.member("luis", as: assisted)
        #expect(try f.get("/api/v1/audit", as: assisted).status == 403, "an administrator's page stays closed")
        #expect(try f.get("/api/v1/support/requests", as: assisted).status == 403)
        // What the user alone does is refused inside the session.
        for (path, body) in [
            ("/api/v1/me/password", #"{"current": "Secreto123", "password": "Otra-Clave-2027"}"#),
            ("/api/v1/me/totp/secret", "{}"), ("/api/v1/tokens", #"{"name": "script"}"#),
            ("/api/v1/support/requests", #"{"email": "root@club.mx", "totp": "123456"}"#),
            ("/api/v1/me/support/\(id)/consent", #"{"code": "\#(s.code)"}"#),
            ("/api/v1/me/phones", PhoneRouteTests.addBody("Del soporte", try PhoneRouteTests.phoneKey())),
        ] {
            let refused = try f.post(path, body, as: assisted)
            #expect(refused.status == 403 && text(refused).contains("assisted session"), "\(path)")
        }
        // Her own account, however its id is written, is hers alone to change.
        for path in ["/api/v1/users/\(s.ana.id)", "/api/v1/users/00\(s.ana.id)", "/api/v1/users/+\(s.ana.id)"] {
            let refused = try f.patch(path, #"{"email": "otra@correo.mx"}"#, as: assisted)
            #expect(refused.status == 403 && text(refused).contains("assisted session"), "\(path)")
        }
        // The audit row names both: the acting user and the support user, in a shape fixed by code.
        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 30) }
        let create = try #require(rows.first { $0.action == "user.create" })
        #expect(create.actor == "support:\(s.root.id) for user:\(s.ana.id)")
        #expect(rows.contains { $0.action == "support.session_start" && $0.actor == "user:\(s.root.id)" })
        let auditPage = html(try f.page("GET", "/audit", cookies: ["portero_session=\(s.root.cookie)"]))
        #expect(auditPage.contains("soporte \(s.root.id) por el usuario \(s.ana.id)"))
        // The user sees the session running; activity does not extend it; at its end it is refused.
        let running = try object(try f.get("/api/v1/me/support", as: s.ana))
        #expect((running["requests"] as? [[String: Any]])?.first?["status"] as? String == "active")
        f.advance(seconds: 4 * 60)
        #expect(try f.get("/api/v1/me", as: assisted).status == 200)
        f.advance(seconds: 60)
        let over = try f.get("/api/v1/me", as: assisted)
        #expect(over.status == 401 && text(over).contains("assisted session ended"))
        #expect(try f.get("/api/v1/me", as: assisted).status == 401)
        let trail = try f.api.withDatabase { try $0.audit.recent(limit: 30) }
        #expect(trail.filter { $0.action == "support.session_expired" }.count == 1)
        let after = try object(try f.get("/api/v1/support/requests/\(id)", as: s.root))
        #expect(after["status"] as? String == "ended" && after["endedBy"] as? String == "deadline")
        // A spent code opens nothing again.
        let late = try f.post("/api/v1/support/requests/\(id)/confirm", #"{"code": "\#(s.code)"}"#, as: s.root)
        #expect(late.status == 409)
        #expect(try f.get("/api/v1/me", as: s.root).status == 200, "the support user's own session stands")
    }

    @Test func eitherSideEndsItEarlyWithAReason() throws {
        let s = try scene()
        let f = s.fixture
        #expect(
            try f.post("/api/v1/me/support/\(s.request)/consent", #"{"code": "\#(s.code)"}"#, as: s.ana).status == 200)
        let confirmed = try f.post(
            "/api/v1/support/requests/\(s.request)/confirm", #"{"code": "\#(s.code)"}"#, as: s.root)
        let assisted: Caller = (
            try #require(APIFixture.sessionCookie(confirmed)),
            try #require(try object(confirmed)["csrfToken"] as? String),
            s.ana.id
        )
        let noReason = try f.post("/api/v1/me/support/\(s.request)/end", "{}", as: s.ana)
        #expect(noReason.status == 400 && text(noReason).contains("reason"))
        let ended = try f.post("/api/v1/me/support/\(s.request)/end", #"{"reason": "ya quedó"}"#, as: s.ana)
        #expect(try ended.status == 200 && (object(ended)["endedBy"] as? String) == "user")
        #expect(try f.get("/api/v1/me", as: assisted).status == 401, "the assisted session is gone at once")
        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 10) }
        let end = try #require(rows.first { $0.action == "support.session_end" })
        #expect(end.actor == "user:\(s.ana.id)" && end.changes.contains("ya quedó"))

        // A second request: the support user ends it from inside the session.
        let again = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(s.totp())"}"#, as: s.root)
        let second = try #require(try object(again)["id"] as? Int)
        let code = try f.supportCode(to: "ana@club.mx")
        #expect(try f.post("/api/v1/me/support/\(second)/consent", #"{"code": "\#(code)"}"#, as: s.ana).status == 200)
        let opened = try f.post("/api/v1/support/requests/\(second)/confirm", #"{"code": "\#(code)"}"#, as: s.root)
        let inside: Caller = (
            try #require(APIFixture.sessionCookie(opened)), try #require(try object(opened)["csrfToken"] as? String),
            s.ana.id
        )
        let out = try f.post("/api/v1/me/support/\(second)/end", #"{"reason": "listo, gracias"}"#, as: inside)
        #expect(try out.status == 200 && (object(out)["endedBy"] as? String) == "support")
        #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
        let trail = try f.api.withDatabase { try $0.audit.recent(limit: 5) }
        #expect(
            trail.first { $0.action == "support.session_end" }?.actor == "support:\(s.root.id) for user:\(s.ana.id)")

        // A third: the support side signs out, which ends it.
        let third = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(s.totp())"}"#, as: s.root)
        let thirdID = try #require(try object(third)["id"] as? Int)
        let thirdCode = try f.supportCode(to: "ana@club.mx")
        #expect(
            try f.post("/api/v1/me/support/\(thirdID)/consent", #"{"code": "\#(thirdCode)"}"#, as: s.ana).status == 200)
        let opened3 = try f.post(
            "/api/v1/support/requests/\(thirdID)/confirm", #"{"code": "\#(thirdCode)"}"#, as: s.root)
        let cookie3 = try #require(APIFixture.sessionCookie(opened3))
        #expect(
            try f.send("DELETE", "/api/v1/session", cookie: cookie3, csrf: try object(opened3)["csrfToken"] as? String)
                .status == 204)
        let closed = try object(try f.get("/api/v1/support/requests/\(thirdID)", as: s.root))
        #expect(closed["status"] as? String == "ended" && closed["reason"] as? String == "signed out")
        #expect(
            try objects(try f.get("/api/v1/support/requests", as: s.root)).allSatisfy {
                $0["status"] as? String != "active"
            })
    }

    @Test func aSessionPastItsEndFreesTheUserForANewRequestAndIsAuditedOnce() throws {
        let s = try scene()
        let f = s.fixture
        #expect(
            try f.post("/api/v1/me/support/\(s.request)/consent", #"{"code": "\#(s.code)"}"#, as: s.ana).status == 200)
        let opened = try f.post("/api/v1/support/requests/\(s.request)/confirm", #"{"code": "\#(s.code)"}"#, as: s.root)
        let cookie = try #require(APIFixture.sessionCookie(opened))
        f.advance(seconds: 6 * 60)
        // Nobody used the assisted session since its end: a new request finds it over.
        let next = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(s.totp())"}"#, as: s.root)
        #expect(next.status == 201, "\(text(next))")
        #expect(try f.send("GET", "/api/v1/me", cookie: cookie).status == 401)
        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 20) }
        #expect(rows.filter { $0.action == "support.session_expired" }.count == 1)
        let first = try object(try f.get("/api/v1/support/requests/\(s.request)", as: s.root))
        #expect(first["status"] as? String == "ended" && first["endedBy"] as? String == "deadline")
    }

    /// A support user deactivated, or left without a role that holds the support privilege, no
    /// longer acts for anyone: the running session ends at their next request.
    @Test(arguments: [false, true]) func aSupportUserNoLongerSupportingNoLongerActsForAnyone(demoted: Bool) throws {
        let s = try scene()
        let f = s.fixture
        let other = try f.signIn(.superAdministrator, username: "jefa")
        #expect(
            try f.post("/api/v1/me/support/\(s.request)/consent", #"{"code": "\#(s.code)"}"#, as: s.ana).status == 200)
        let opened = try f.post("/api/v1/support/requests/\(s.request)/confirm", #"{"code": "\#(s.code)"}"#, as: s.root)
        let cookie = try #require(APIFixture.sessionCookie(opened))
        #expect(try f.send("GET", "/api/v1/me", cookie: cookie).status == 200)
        let changed =
            demoted
            ? try f.send(
                "PUT", "/api/v1/users/\(s.root.id)/roles", body: #"{"roles": ["administrador"]}"#,
                cookie: other.cookie, csrf: other.csrf)
            : try f.patch("/api/v1/users/\(s.root.id)", #"{"active": false}"#, as: other)
        #expect(changed.status == 200, "\(text(changed))")
        let refused = try f.send("GET", "/api/v1/me", cookie: cookie)
        #expect(refused.status == 401 && text(refused).contains("assisted session has ended"))
    }

    @Test func wrongExpiredAndDeclinedCodesAreRefusedAndAudited() throws {
        let s = try scene()
        let f = s.fixture
        for attempt in 1...5 {
            let wrong = try f.post(
                "/api/v1/me/support/\(s.request)/consent", #"{"code": "1234567\#(attempt)"}"#, as: s.ana)
            #expect(wrong.status == (attempt < 5 ? 403 : 410), "\(attempt): \(text(wrong))")
        }
        let void = try f.post("/api/v1/me/support/\(s.request)/consent", #"{"code": "\#(s.code)"}"#, as: s.ana)
        #expect(void.status == 410 && text(void).contains("too many wrong codes"))
        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 20) }
        #expect(rows.filter { $0.action == "support.code_wrong" }.count == 5)
        #expect(rows.contains { $0.action == "support.code_void" })

        // An expired code.
        let next = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(s.totp())"}"#, as: s.root)
        let id = try #require(try object(next)["id"] as? Int)
        let code = try f.supportCode(to: "ana@club.mx")
        f.advance(seconds: 11 * 60)
        let expired = try f.post("/api/v1/me/support/\(id)/consent", #"{"code": "\#(code)"}"#, as: s.ana)
        #expect(expired.status == 410 && text(expired).contains("expired"))
        #expect(
            try f.api.withDatabase { try $0.audit.recent(limit: 3) }.contains { $0.action == "support.code_expired" })

        // Declined by the user (a reason asked), then the support side cancels another.
        let third = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(s.totp())"}"#, as: s.root)
        let thirdID = try #require(try object(third)["id"] as? Int)
        let busy = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(s.totp())"}"#, as: s.root)
        #expect(busy.status == 409, "one open request per user")
        let declined = try f.post("/api/v1/me/support/\(thirdID)/decline", #"{"reason": "no lo pedí"}"#, as: s.ana)
        #expect(try declined.status == 200 && (object(declined)["status"] as? String) == "declined")
        let fourth = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(s.totp())"}"#, as: s.root)
        let fourthID = try #require(try object(fourth)["id"] as? Int)
        let cancelled = try f.post(
            "/api/v1/support/requests/\(fourthID)/end", #"{"reason": "se resolvió por teléfono"}"#, as: s.root)
        #expect(try cancelled.status == 200 && (object(cancelled)["status"] as? String) == "cancelled")
        let twice = try f.post("/api/v1/support/requests/\(fourthID)/end", #"{"reason": "otra vez"}"#, as: s.root)
        #expect(twice.status == 409)
    }

    @Test func theSupportUserProvesTheirOwnSecondFactorAndTheChainMayShortenTheSession() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let admin = try f.signIn(.administrator, username: "admin")
        _ = try f.signIn(.client, username: "carla")
        let none = try f.post("/api/v1/support/requests", #"{"email": "carla@club.mx", "totp": "123456"}"#, as: root)
        #expect(none.status == 403 && text(none).contains("enable two-step sign-in first"))
        let totp = try f.enableTOTP(root.id)
        let wrong = try f.post("/api/v1/support/requests", #"{"email": "carla@club.mx", "totp": "000000"}"#, as: root)
        #expect(wrong.status == 403 && text(wrong).contains("totp"))
        let unknown = try f.post(
            "/api/v1/support/requests", #"{"email": "nadie@club.mx", "totp": "\#(totp())"}"#, as: root)
        #expect(unknown.status == 404 && text(unknown).contains("email"))
        let byAdmin = try f.post(
            "/api/v1/support/requests", #"{"email": "carla@club.mx", "totp": "123456"}"#, as: admin)
        #expect(byAdmin.status == 403, "support is a SuperAdministrador's privilege")
        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 20) }
        #expect(rows.filter { $0.action == "support.refused" }.count == 2)
        // Two minutes, set by the chain.
        let settings = try object(try f.get("/api/v1/settings", as: root))
        #expect(settings["supportSessionMinutes"] as? Int == 5)
        let tooLong = try f.send(
            "PUT", "/api/v1/settings",
            body: #"{"currency": "MXN", "paymentGraceDays": 3, "taxRateBasisPoints": 1600, "legalName": "", "#
                + #""taxID": "", "fiscalAddress": "", "supportSessionMinutes": 6}"#, cookie: root.cookie,
            csrf: root.csrf)
        #expect(tooLong.status == 400 && text(tooLong).contains("supportSessionMinutes"))
        let saved = try f.send(
            "PUT", "/api/v1/settings",
            body: #"{"currency": "MXN", "paymentGraceDays": 3, "taxRateBasisPoints": 1600, "legalName": "", "#
                + #""taxID": "", "fiscalAddress": "", "supportSessionMinutes": 2}"#, cookie: root.cookie,
            csrf: root.csrf)
        #expect(saved.status == 200)
        let carla = try f.send(
            "POST", "/api/v1/session", body: #"{"login": "carla", "password": "Secreto123"}"#)
        let carlaCaller: Caller = (
            try #require(APIFixture.sessionCookie(carla)), try #require(try object(carla)["csrfToken"] as? String),
            UserID(0)
        )
        let started = try f.post(
            "/api/v1/support/requests", #"{"email": "carla@club.mx", "totp": "\#(totp())"}"#, as: root)
        let id = try #require(try object(started)["id"] as? Int)
        let code = try f.supportCode(to: "carla@club.mx")
        #expect(try f.post("/api/v1/me/support/\(id)/consent", #"{"code": "\#(code)"}"#, as: carlaCaller).status == 200)
        let confirmed = try f.post("/api/v1/support/requests/\(id)/confirm", #"{"code": "\#(code)"}"#, as: root)
        let ends = try #require((try object(confirmed)["request"] as? [String: Any])?["endsAt"] as? Int)
        #expect(Int64(ends) == f.clock.now.milliseconds + 2 * 60_000)
        let list = try objects(try f.get("/api/v1/support/requests", as: root))
        #expect(list.first?["status"] as? String == "active" && list.first?["userEmail"] as? String == "carla@club.mx")
    }
}

/// The code travels by email, through a real SMTP server, in the user's language.
@Suite(.enabled(if: SMTPPeer.available, "needs aiosmtpd in .build-venv and openssl (scripts/test.sh)"))
struct SupportMailTests {
    @Test func theCodeReachesTheUserByEmailInTheirLanguage() throws {
        let peer = try SMTPPeer()
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let ana = try f.signIn(.reception, username: "ana")
        #expect(try f.patch("/api/v1/me", #"{"language": "en"}"#, as: ana).status == 200)
        let totp = try f.enableTOTP(root.id)
        let started = try f.post(
            "/api/v1/support/requests", #"{"email": "ana@club.mx", "totp": "\#(totp())"}"#, as: root)
        let id = try #require(try object(started)["id"] as? Int)
        let transport = SMTPTransport(
            MailSettings(
                url: "smtp://localhost:\(peer.port)", from: "club@portero.mx", username: peer.user,
                password: peer.password, caFile: peer.certificate))
        #expect(f.api.deliverMail(through: { try transport.send($0) }, from: "club@portero.mx").sent == 1)
        let (headers, body) = decodedMail(try #require(try peer.messages().first?.message))
        #expect(headers.contains("To: ana@club.mx"))
        #expect(body.contains("Hello ana") && body.contains("root X"))
        let code = try #require(APIFixture.code(in: body))
        #expect(try f.post("/api/v1/me/support/\(id)/consent", #"{"code": "\#(code)"}"#, as: ana).status == 200)
        let confirmed = try f.post("/api/v1/support/requests/\(id)/confirm", #"{"code": "\#(code)"}"#, as: root)
        #expect(confirmed.status == 201)
        let stored = try f.api.withDatabase { try $0.mail.recent(limit: 1, users: nil) }
        #expect(stored.first?.body == "", "the sent code does not stay in the database")
    }
}
