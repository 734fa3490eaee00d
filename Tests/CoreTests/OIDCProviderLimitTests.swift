@testable import BackOffice
import Foundation
import HTTP
import PorteroModel
import Testing

/// Calls to the OpenID provider run on the server's event loops, so a provider that cannot be
/// reached must not be asked again by every visitor.
struct OIDCProviderLimitTests {
    static func refusal(_ body: () throws -> Void) -> OIDCRefusal? {
        do {
            try body()
            return nil
        } catch {
            return error as? OIDCRefusal
        }
    }

    @Test func anUnreachableProviderIsNotAskedAgainForAWhile() {
        // Port 1 on the loopback: nothing listens, the connection is refused at once.
        let provider = OIDCProvider(
            settings: OIDCSettings(
                issuer: "http://127.0.0.1:1", clientID: "portero", clientSecret: "secreto", displayName: "Google"))
        let now = Timestamp.now()
        let first = Self.refusal { _ = try provider.metadata(now: now) }
        #expect(first?.reason == "provider_unreachable")
        #expect(first?.status == 502)
        // The next sign-ins in the following seconds are told at once, without a connection.
        let second = Self.refusal { _ = try provider.keys(now: now) }
        #expect(second?.reason == "provider_unreachable")
        #expect(second?.status == 503)
        #expect(second?.description.contains("a moment ago") == true)
    }

    /// The browser reads a refusal in its own language, never the provider's or libcurl's text;
    /// and one address starts at most 30 sign-ins in 15 minutes, each of which writes a row.
    @Test func theSignInPageSpeaksPlainlyAndStartsAreThrottledPerAddress() throws {
        let fixture = try APIFixture(
            oidc: OIDCSettings(
                issuer: "http://127.0.0.1:1", clientID: "portero", clientSecret: "secreto", displayName: "Google"))
        let first = try fixture.page("GET", "/oidc/start")
        let words = String(decoding: first.body, as: UTF8.self)
        #expect(first.status == 502)
        #expect(words.contains("No se pudo contactar al proveedor de acceso"))
        #expect(!words.lowercased().contains("connect"), "no libcurl text")
        for _ in 1..<30 { _ = try fixture.page("GET", "/oidc/start") }
        let throttled = try fixture.page("GET", "/oidc/start")
        #expect(throttled.status == 429)
        #expect(String(decoding: throttled.body, as: UTF8.self).contains("Demasiados intentos"))
    }
}
