import CoreClient
import Crypto
import Foundation
import Testing

/// `portero users phones` against a real portero-core: the phone a member added is listed, then
/// revoked from the command line.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct PhoneCLITests {
    @Test func aMembersPhoneIsListedAndRevoked() throws {
        let core = try AdminCLITests.Core()
        try core.signInWithCentroAndAna()
        let admin = try SyncEndToEndTests.rootClient(core)
        try admin.send("PATCH", "api/v1/users/2", json: ["password": "Secreto-123-a"])
        let member = CoreClient(baseURL: URL(string: "http://127.0.0.1:\(core.port)")!, token: nil)  // safe: literal
        let session = try member.send("POST", "api/v1/session", json: ["login": "ana", "password": "Secreto-123-a"])
        let headers = [
            "Cookie": try #require(session.header("Set-Cookie")?.split(separator: ";").first.map(String.init)),
            "X-CSRF-Token": try #require((try session.json() as? [String: Any])?["csrfToken"] as? String),
        ]
        let point = try SigningKey.p256().publicCoordinates()
        func base64url(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        try member.send(
            "POST", "api/v1/me/phones",
            json: ["name": "Teléfono de Ana", "x": base64url(point.x), "y": base64url(point.y)],
            headers: headers)

        let listed = try core.portero(["users", "phones", "2"])
        #expect(listed.status == 0 && listed.out.contains("Teléfono de Ana") && listed.out.contains("active"))
        let revoked = try core.portero(["users", "phones", "2", "--revoke", "1"])
        #expect(revoked.status == 0 && revoked.out.contains("revoked"), "\(revoked.err)")
        #expect(try core.portero(["users", "phones", "2"]).out.contains("revoked"))
        #expect(try core.portero(["users", "phones", "2", "--revoke", "1"]).status != 0, "already revoked")
        let json = try core.portero(["users", "phones", "2", "--json"])
        #expect(json.out.contains("\"revokedAt\""))
    }
}
