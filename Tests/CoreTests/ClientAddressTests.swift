@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// Sign-in throttling keys on the real peer: `X-Forwarded-For` counts only from a trusted proxy.
@Suite struct ClientAddressTests {
    /// Failed sign-ins by names that do not exist (so no account lockout), each claiming another
    /// forwarded address; the status of the last.
    static func failures(_ fixture: APIFixture, count: Int, peer: String, forwardedFor: (Int) -> String) throws -> Int {
        var status = 0
        for attempt in 0..<count {
            status = try fixture.send(
                "POST", "/api/v1/session", body: #"{"login": "nadie\#(attempt)", "password": "nope"}"#, peer: peer,
                headers: [("X-Forwarded-For", forwardedFor(attempt))]
            ).status
        }
        return status
    }

    @Test func aClientCannotChooseTheAddressItIsThrottledBy() throws {
        let fixture = try APIFixture()
        let limit = AuthPolicy().maxFailuresPerAddress
        let last = try Self.failures(fixture, count: limit + 1, peer: "192.0.2.7") { "198.51.100.\($0)" }
        #expect(last == 429, "the peer is locked out whatever X-Forwarded-For says")
        #expect(
            fixture.api.clientAddress(
                of: HTTPRequest(
                    method: "GET", target: "/", path: "/", query: nil,
                    headers: [("x-forwarded-for", "203.0.113.9")])) == "local")
    }

    @Test func behindATrustedProxyEachClientIsThrottledByItsOwnAddress() throws {
        let fixture = try APIFixture(trustedProxies: ["192.0.2.1"])
        let limit = AuthPolicy().maxFailuresPerAddress
        // The proxy relays many clients: none is locked out by the others' failures.
        let spread = try Self.failures(fixture, count: limit + 1, peer: "192.0.2.1") { "198.51.100.\($0)" }
        #expect(spread == 401)
        // One client failing again and again is, even though a forged hop on its left changes.
        let one = try Self.failures(fixture, count: limit + 1, peer: "192.0.2.1") { "10.9.9.\($0), 203.0.113.5" }
        #expect(one == 429)
    }

    @Test func theRightMostUntrustedHopIsTheClient() throws {
        let fixture = try APIFixture(trustedProxies: ["192.0.2.1", "192.0.2.2"])
        var request = HTTPRequest(
            method: "GET", target: "/", path: "/", query: nil,
            headers: [("x-forwarded-for", "6.6.6.6, 203.0.113.5, 192.0.2.2")])
        request.peer = "192.0.2.1"
        #expect(fixture.api.clientAddress(of: request) == "203.0.113.5")
        request.peer = "192.0.2.9"
        #expect(fixture.api.clientAddress(of: request) == "192.0.2.9")
        #expect(!fixture.api.forwardedOverHTTPS(request))
    }

    @Test func everyForwardedLineCountsAndPortsAreDropped() throws {
        let fixture = try APIFixture(trustedProxies: ["192.0.2.1"])
        var request = HTTPRequest(
            method: "GET", target: "/", path: "/", query: nil,
            headers: [("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.5:4711")])
        request.peer = "192.0.2.1"
        #expect(fixture.api.clientAddress(of: request) == "203.0.113.5", "the proxy's own line, its port dropped")
        request.headers = [("x-forwarded-for", "[2001:db8::7]:443")]
        #expect(fixture.api.clientAddress(of: request) == "2001:db8::7")
        request.headers = [("x-forwarded-for", "2001:db8::8")]
        #expect(fixture.api.clientAddress(of: request) == "2001:db8::8")
        request.headers = [("x-forwarded-proto", "http"), ("x-forwarded-proto", "https")]
        #expect(fixture.api.forwardedOverHTTPS(request))
    }

    /// A sign-in from `peer`, with `X-Forwarded-For` when given; the login is JSON-escaped.
    static func signIn(
        _ fixture: APIFixture, _ login: String, _ password: String, peer: String, forwardedFor: String? = nil
    ) throws -> Int {
        let body = try JSONSerialization.data(withJSONObject: ["login": login, "password": password])
        return try fixture.send(
            "POST", "/api/v1/session", body: String(decoding: body, as: UTF8.self), peer: peer,
            headers: forwardedFor.map { [("X-Forwarded-For", $0)] } ?? []
        ).status
    }

    /// The address each sign-in row of the trail recorded, oldest first, with its action and target.
    static func signInRows(_ fixture: APIFixture) throws -> [(action: String, target: String, changes: [String: Any])] {
        try fixture.api.withDatabase { try $0.audit.recent(limit: 1_000) }.reversed()
            .filter { $0.action.hasPrefix("login.") }
            .map { entry in
                let object = try JSONSerialization.jsonObject(with: Data(entry.changes.utf8)) as? [String: Any]
                return (entry.action, entry.target, try #require(object, "changes are a JSON object: \(entry.changes)"))
            }
    }

    /// Wrong passwords for many accounts from one address lock that address out, and only it:
    /// the lockout is per address (and per account), never global.
    @Test func aLockedOutAddressLocksOutOnlyItself() throws {
        let fixture = try APIFixture()
        let limit = AuthPolicy().maxFailuresPerAddress
        try fixture.api.withDatabase { database in
            for index in 0..<limit {
                _ = try database.accounts.createAccount(
                    username: "socio\(index)", email: "socio\(index)@club.mx", password: "Secreto123",
                    name: "Socio", paternalSurname: "X", roles: RoleSet([.client]), branches: [fixture.own],
                    now: fixture.clock.now)
            }
        }
        for index in 0..<limit {
            #expect(try Self.signIn(fixture, "socio\(index)", "nope", peer: "192.0.2.7") == 401)
        }
        #expect(try Self.signIn(fixture, "socio0", "Secreto123", peer: "192.0.2.7") == 429)
        for index in [0, limit / 2, limit - 1] {
            #expect(try Self.signIn(fixture, "socio\(index)", "Secreto123", peer: "192.0.2.8") == 201)
        }
    }

    /// The trail records the address the throttle keys on: the peer, or the client a trusted
    /// proxy names; never what an untrusted peer claims.
    @Test func aSignInsAuditRowRecordsTheRealClientAddress() throws {
        let fixture = try APIFixture(trustedProxies: ["192.0.2.1"])
        _ = try fixture.signIn(.reception, username: "ana")
        #expect(try Self.signIn(fixture, "ana", "Secreto123", peer: "198.51.100.7", forwardedFor: "203.0.113.9") == 201)
        #expect(try Self.signIn(fixture, "ana", "nope", peer: "198.51.100.7", forwardedFor: "203.0.113.9") == 401)
        #expect(
            try Self.signIn(fixture, "ana", "Secreto123", peer: "192.0.2.1", forwardedFor: "6.6.6.6, 203.0.113.5")
                == 201)
        let addresses = try Self.signInRows(fixture).suffix(3).map { "\($0.action) \($0.changes["address"] ?? "")" }
        #expect(
            addresses == [
                "login.success 198.51.100.7", "login.failure 198.51.100.7", "login.success 203.0.113.5",
            ])
    }

    /// A login name or a forwarded address with quotes, braces, backslashes or line breaks is
    /// kept as it was typed, inside the row's JSON: it never adds a key or breaks the object.
    @Test func quotesBracesAndNewlinesCannotReshapeAnAuditRow() throws {
        let fixture = try APIFixture(trustedProxies: ["192.0.2.1"])
        let logins = [#"a"b"#, #"x", "admin": true, "y": "#, "}{", "line\nbreak", #"back\slash"#, "user:1"]
        let hops = [#"203.0.113.5""#, #"203.0.113.6"}"#, #"{"admin"}"#, #"\"#, "203.0.113.7", "[::1]"]
        for (login, hop) in zip(logins, hops) {
            #expect(try Self.signIn(fixture, login, "nope", peer: "192.0.2.1", forwardedFor: hop) == 401)
        }
        let rows = try Self.signInRows(fixture)
        #expect(rows.count == logins.count)
        for (row, (login, hop)) in zip(rows, zip(logins, hops)) {
            #expect(row.action == "login.failure")
            #expect(Set(row.changes.keys) == ["address", "login"], "\(row.changes)")
            #expect(row.changes["login"] as? String == login)
            #expect(row.changes["address"] as? String == (hop == "[::1]" ? "::1" : hop))
            #expect(row.target == "login", "the name typed is data, not the row's target")
        }
    }
}
