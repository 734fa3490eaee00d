@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import HTTP
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
}
