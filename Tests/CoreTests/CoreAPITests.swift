@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Crypto
import Foundation
import HTTP
import PorteroModel
import SQLite
import Server
import TestSupport
import Synchronization
import Testing

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let value = Mutex(Timestamp(seconds: 1_800_000_000))
    var now: Timestamp { value.withLock { $0 } }
    func advance(seconds: Int64) { value.withLock { $0 = Timestamp(milliseconds: $0.milliseconds + seconds * 1000) } }
}

/// The API through its router, as the HTTP server calls it, over a SQLite file, or over a
/// PostgreSQL database of its own when `PORTERO_TEST_CORE_BACKEND=postgres` (scripts/test.sh
/// runs the core's tests both ways).
final class APIFixture {
    let directory: TemporaryDirectory
    /// The PostgreSQL database this fixture runs on, dropped with it.
    let scratch: CoreTestDatabase?
    let api: CoreAPI
    let router: Router
    let own: BranchID
    let other: BranchID

    /// The API's clock, moved by tests (code expiry, sessions).
    let clock = TestClock()

    init(
        trustedProxies: [String] = [], metricsAllowedAddresses: [String] = ["127.0.0.1", "::1"],
        oidc: OIDCSettings? = nil
    ) throws {
        directory = try TemporaryDirectory()
        scratch = try CoreTestDatabase.make()
        let hasher = PasswordHasher(logN: 8, r: 8, p: 1)
        let clock = self.clock
        api = try CoreAPI(
            path: scratch?.url ?? directory.file("core.sqlite"), trustedProxies: trustedProxies,
            metricsAllowedAddresses: metricsAllowedAddresses, hasher: hasher, enrollmentCodeSeconds: 600,
            publicURL: "https://club.example", oidc: oidc, clock: { clock.now })
        (own, other) = try api.withDatabase { database in
            (
                try database.accounts.createBranch(name: "Centro", city: "CDMX", timeZone: "America/Mexico_City"),
                try database.accounts.createBranch(name: "Norte", city: "Monterrey", timeZone: "America/Monterrey")
            )
        }
        router = api.router()
    }

    func advance(seconds: Int64) { clock.advance(seconds: seconds) }

    /// Sends a request with a bearer token (personal or device).
    func bearer(
        _ method: String, _ target: String, _ token: String, body: String? = nil, headers: [(String, String)] = []
    ) throws -> HTTPResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: core\r\nAuthorization: Bearer \(token)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        var decoder = HTTPRequestDecoder()
        decoder.append(Array(text.utf8))
        return conforming(router.respond(to: try #require(try decoder.next())), method, target)
    }

    /// The answer, after checking it against what the OpenAPI document declares for its route.
    func conforming(_ response: HTTPResponse, _ method: String, _ target: String) -> HTTPResponse {
        let path = String(target.prefix { $0 != "?" })
        for problem in api.conformance(of: response, method: HTTPMethod(rawValue: method) ?? .get, path: path) {
            Issue.record("the answer departs from the OpenAPI document: \(problem)")
        }
        return response
    }

    /// Sends a request; `cookie` and `csrf` come from `signIn`; `peer` is the socket's address as
    /// the server would set it.
    func send(
        _ method: String, _ target: String, body: String? = nil, cookie: String? = nil, csrf: String? = nil,
        peer: String = "", headers: [(String, String)] = []
    ) throws -> HTTPResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: core\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let cookie { text += "Cookie: portero_session=\(cookie)\r\n" }
        if let csrf { text += "X-CSRF-Token: \(csrf)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        var decoder = HTTPRequestDecoder()
        decoder.append(Array(text.utf8))
        var request = try #require(try decoder.next())
        request.peer = peer
        return conforming(router.respond(to: request), method, target)
    }

    /// Creates a user with `role` at `branches` (the own branch unless told) and signs them in.
    func signIn(_ role: Role, username: String, branches: Set<BranchID>? = nil) throws -> (
        cookie: String, csrf: String, id: UserID
    ) {
        let account = try api.withDatabase {
            try $0.accounts.createAccount(
                username: username, email: "\(username)@club.mx", password: "Secreto123", name: username,
                paternalSurname: "X", roles: RoleSet([role]), branches: branches ?? [own],
                now: Timestamp(seconds: 1_800_000_000))
        }
        let response = try send(
            "POST", "/api/v1/session", body: #"{"login": "\#(username)", "password": "Secreto123"}"#)
        let cookie = try #require(
            response.header("Set-Cookie")?.split(separator: ";").first?.split(separator: "=").last.map(String.init))
        struct Answer: Decodable { let csrfToken: String }
        let csrf = try JSONDecoder().decode(Answer.self, from: Data(response.body)).csrfToken
        return (cookie, csrf, account.id)
    }
}

/// A router behind a real server on a free loopback port, stopped when released.
final class ServedRouter {
    let server: HTTPServer
    private let done = DispatchSemaphore(value: 0)

    init(_ router: Router, eventLoops: Int) throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.eventLoops = eventLoops
        server = try HTTPServer(configuration: configuration, router: router)
        let (server, done) = (server, done)
        Thread {
            server.run()
            done.signal()
        }.start()
    }

    deinit {
        server.stop()
        _ = done.wait(timeout: .now() + 5)
    }
}

@Suite struct CoreAPITests {
    /// Every route × every role × own and other branch: allowed exactly where seed 003's matrix and
    /// the branch grant say so. A route added without a declared access cannot compile, and every
    /// declared route is walked here.
    @Test func everyRouteEveryRoleOwnAndOtherBranch() throws {
        let fixture = try APIFixture()
        var users: [Role: (cookie: String, csrf: String, id: UserID)] = [:]
        for role in Role.allCases { users[role] = try fixture.signIn(role, username: "u_\(role.rawValue)") }
        #expect(fixture.api.routes.count >= 6)
        // The routes that end sessions are walked last, so they do not sign the others out.
        func endsSessions(_ route: APIRoute) -> Int { route.method == .delete && route.access == .signedIn ? 1 : 0 }
        let routes = fixture.api.routes.sorted { endsSessions($0) < endsSessions($1) }
        for route in routes {
            for role in Role.allCases {
                let user = users[role]!
                for branch in [fixture.own, fixture.other] {
                    let path = route.pattern.replacingOccurrences(of: ":id", with: "\(user.id)") + "?branch=\(branch)"
                    let body: String? = [.post, .put, .patch].contains(route.method) ? "{}" : nil
                    let status = try fixture.send(
                        route.method.rawValue, path, body: body, cookie: user.cookie, csrf: user.csrf
                    ).status
                    let expected: Bool
                    switch route.access {
                    case .anyone, .signedIn: expected = true
                    case .device:
                        // No user session opens a device route.
                        #expect(
                            status == 401, "\(route.method.rawValue) \(route.pattern) as \(role.rawValue): \(status)")
                        continue
                    case let .privilege(privilege):
                        expected =
                            PrivilegeMatrix.seed003.allows(privilege, for: RoleSet([role]))
                            && (branch == fixture.own || role == .superAdministrator)
                    }
                    #expect(
                        (status != 403) == expected,
                        "\(route.method.rawValue) \(route.pattern) as \(role.rawValue) at branch \(branch): \(status)")
                    #expect(status != 500)
                }
            }
        }
    }

    @Test func withoutASessionPrivilegedRoutesAre401() throws {
        let fixture = try APIFixture()
        #expect(try fixture.send("GET", "/api/v1/me").status == 401)
        #expect(try fixture.send("POST", "/api/v1/branches", body: "{}").status == 401)
    }

    @Test func cookieWritesWithoutTheCSRFTokenAre403() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "admin")
        let body = #"{"name": "Sur", "city": "Puebla", "timeZone": "America/Mexico_City"}"#
        #expect(try fixture.send("POST", "/api/v1/branches", body: body, cookie: admin.cookie).status == 403)
        #expect(
            try fixture.send("POST", "/api/v1/branches", body: body, cookie: admin.cookie, csrf: admin.csrf).status
                == 201)
    }

    @Test func badBodiesAnswer400NamingTheField() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "admin")
        func post(_ body: String) throws -> (Int, String) {
            let response = try fixture.send(
                "POST", "/api/v1/branches", body: body, cookie: admin.cookie, csrf: admin.csrf)
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
        #expect(
            try post(#"{"name": "Sur", "city": "P", "timeZone": "Mars/Base"}"#).1.contains(
                "timeZone: unknown time zone"))
        #expect(
            try post(#"{"name": "Sur", "city": "P", "timeZone": "UTC", "owner": 1}"#).1.contains(
                #"unknown field \"owner\""#))
        #expect(
            try post(#"{"name": 1, "city": "P", "timeZone": "UTC"}"#).1.contains(#"field \"name\" must be a string"#))
        #expect(try post(#"{"name": "x'); DROP TABLE users; --", "city": "P", "timeZone": "UTC"}"#).0 == 201)
        #expect(try fixture.api.withDatabase { try $0.accounts.accountCount() } == 1)
    }

    @Test func staffCreateUsersOnlyInTheirBranchesAndNotAboveTheirRole() throws {
        let fixture = try APIFixture()
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        func create(_ roles: String, _ branch: BranchID, _ username: String) throws -> Int {
            let response = try fixture.send(
                "POST", "/api/v1/users",
                body: """
                    {"username": "\(username)", "email": "\(username)@club.mx", "password": "Secreto123", "name": "N", \
                    "paternalSurname": "P",
                     "roles": [\(roles)], "branches": [\(branch)]}
                    """, cookie: manager.cookie, csrf: manager.csrf)
            return response.status
        }
        #expect(try create(#""recepcion""#, fixture.own, "rec1") == 201)
        #expect(try create(#""recepcion""#, fixture.other, "rec2") == 403)
        #expect(try create(#""administrador""#, fixture.own, "rec3") == 403)
        #expect(try create(#""recepcion""#, fixture.own, "rec1") == 409)
        #expect(try create(#""emperador""#, fixture.own, "rec4") == 400)
    }

    @Test func loginFailuresAreThrottledWithRetryAfter() throws {
        let fixture = try APIFixture()
        _ = try fixture.signIn(.reception, username: "ana")
        for _ in 0..<5 {
            _ = try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "nope"}"#)
        }
        let locked = try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "Secreto123"}"#)
        #expect(locked.status == 429 && locked.header("Retry-After") != nil)
    }

    @Test func logoutEndsTheSession() throws {
        let fixture = try APIFixture()
        let user = try fixture.signIn(.client, username: "cliente")
        #expect(try fixture.send("GET", "/api/v1/me", cookie: user.cookie).status == 200)
        #expect(try fixture.send("DELETE", "/api/v1/session", cookie: user.cookie, csrf: user.csrf).status == 204)
        #expect(try fixture.send("GET", "/api/v1/me", cookie: user.cookie).status == 401)
    }
}

@Suite struct APITokenTests {
    @Test func aPersonalTokenWorksWithoutCSRFUntilRevokedAndIsStoredHashed() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "admin")
        let created = try fixture.send(
            "POST", "/api/v1/tokens", body: #"{"name": "backup script"}"#, cookie: admin.cookie, csrf: admin.csrf)
        #expect(created.status == 201)
        struct Answer: Decodable {
            let id: Int64
            let token: String
        }
        let answer = try JSONDecoder().decode(Answer.self, from: Data(created.body))
        #expect(answer.token.hasPrefix("pt_"))
        func bearer(_ method: String, _ target: String, _ token: String, body: String? = nil) throws -> Int {
            try fixture.bearer(method, target, token, body: body).status
        }
        #expect(try bearer("GET", "/api/v1/me", answer.token) == 200)
        #expect(
            try bearer(
                "POST", "/api/v1/branches", answer.token, body: #"{"name": "Sur", "city": "P", "timeZone": "UTC"}"#)
                == 201)
        #expect(try bearer("GET", "/api/v1/me", "pt_forged") == 401)
        #expect(
            try fixture.send("DELETE", "/api/v1/tokens/\(answer.id)", cookie: admin.cookie, csrf: admin.csrf).status
                == 204)
        #expect(try bearer("GET", "/api/v1/me", answer.token) == 401)
        #expect(
            try fixture.send("DELETE", "/api/v1/tokens/\(answer.id)", cookie: admin.cookie, csrf: admin.csrf).status
                == 404)
    }
}

@Suite struct TOTPRouteTests {
    @Test func enrolThroughTheAPIThenSignInWithTheCode() throws {
        let fixture = try APIFixture()
        let user = try fixture.signIn(.reception, username: "ana")
        let secretResponse = try fixture.send(
            "POST", "/api/v1/me/totp/secret", body: "{}", cookie: user.cookie, csrf: user.csrf)
        #expect(secretResponse.status == 201)
        let secretText = try #require(
            (try JSONSerialization.jsonObject(with: Data(secretResponse.body)) as? [String: String])?["secret"])
        let otp = try OneTimePassword(secret: try #require(Base32.decode(secretText)))
        let now = Timestamp(seconds: 1_800_000_000)
        let wrong = try fixture.send(
            "POST", "/api/v1/me/totp", body: #"{"secret": "\#(secretText)", "code": "000000"}"#, cookie: user.cookie,
            csrf: user.csrf)
        #expect(wrong.status == 403)
        let enabled = try fixture.send(
            "POST", "/api/v1/me/totp",
            body: #"{"secret": "\#(secretText)", "code": "\#(otp.totp(at: now.seconds - 30))"}"#, cookie: user.cookie,
            csrf: user.csrf)
        #expect(enabled.status == 201 && String(decoding: enabled.body, as: UTF8.self).contains("recovery_codes"))
        #expect(
            try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "Secreto123"}"#).status
                == 401)
        let signedIn = try fixture.send(
            "POST", "/api/v1/session",
            body: #"{"login": "ana", "password": "Secreto123", "totp": "\#(otp.totp(at: now.seconds))"}"#)
        #expect(signedIn.status == 201)
    }
}

@Suite struct OpenAPITests {
    @Test func theDocumentListsExactlyTheRouterRoutes() throws {
        let fixture = try APIFixture()
        let response = try fixture.send("GET", "/api/v1/openapi.json")
        #expect(response.status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        // The API is everything under /api/; the web UI's pages are outside it and call it.
        let routed = Set(
            fixture.router.routes.filter { $0.pattern.hasPrefix("/api/") }.map { route in
                "\(route.method.rawValue) /"
                    + route.pattern.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                    .joined(separator: "/")
            })
        #expect(documented == routed)
        // Every operation says who may call it.
        for operations in paths.values {
            for operation in operations.values.compactMap({ $0 as? [String: Any] }) {
                #expect(operation["x-portero-access"] != nil || operation["security"] != nil)
            }
        }
    }

    /// A request with a token and a session cookie is refused whichever of them is good: one
    /// credential may not hide the other's failure.
    @Test func aTokenAndACookieTogetherAreRefused() throws {
        let fixture = try APIFixture()
        let user = try fixture.signIn(.administrator, username: "ana")
        let created = try fixture.send(
            "POST", "/api/v1/tokens", body: #"{"name": "script"}"#, cookie: user.cookie, csrf: user.csrf)
        struct Answer: Decodable { let token: String }
        let token = try JSONDecoder().decode(Answer.self, from: Data(created.body)).token
        #expect(try fixture.bearer("GET", "/api/v1/me", token).status == 200)
        #expect(try fixture.send("GET", "/api/v1/me", cookie: user.cookie).status == 200)
        let both = try fixture.send(
            "GET", "/api/v1/me", cookie: "not-a-session", headers: [("Authorization", "Bearer \(token)")])
        #expect(both.status == 401)
        #expect(String(decoding: both.body, as: UTF8.self).contains("not both"))
    }
}
