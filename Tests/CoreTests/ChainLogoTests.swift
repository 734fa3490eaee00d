@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The chain's logo: PNG or JPEG only, size-limited, audited, served with its type and shown in
/// every page's header; uploaded from the settings page as a file.
@Suite struct ChainLogoTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 1, count: 64)

    static func body(_ type: String, _ bytes: [UInt8]) -> String {
        #"{"type": "\#(type)", "data": "\#(Data(bytes).base64EncodedString())"}"#
    }

    @Test func onlyAPNGOrAJPEGOfLimitedSizeIsTakenServedAndRemoved() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let admin = try fixture.signIn(.administrator, username: "admin")
        #expect(try fixture.put("/api/v1/settings/logo", Self.body("image/png", Self.png), as: admin).status == 403)
        let refusals = [
            (Self.body("image/svg+xml", Array("<svg/>".utf8)), "type"), (Self.body("image/png", Self.jpeg), "data"),
            (Self.body("image/jpeg", Self.png), "data"),
            (Self.body("image/png", Self.png + Array(repeating: 0, count: ChainLogo.maximumBytes)), "data"),
            (#"{"type": "image/png", "data": "%%%%"}"#, "data"),
        ]
        for (body, field) in refusals {
            let response = try put(fixture, body, as: root)
            #expect(response.status == 400, "\(body.prefix(60))")
            #expect((try object(response)["error"] as? String ?? "").contains(field))
        }
        #expect(try fixture.page("GET", "/chain-logo").status == 404, "nothing stored by a refusal")
        let saved = try fixture.put("/api/v1/settings/logo", Self.body("image/png", Self.png), as: root)
        #expect(try saved.status == 200 && (object(saved)["bytes"] as? Int) == Self.png.count)
        let served = try fixture.page("GET", "/chain-logo")
        #expect(served.status == 200 && served.header("Content-Type") == "image/png" && served.body == Self.png)
        #expect(served.header("X-Content-Type-Options") == "nosniff")
        #expect(html(try fixture.page("GET", "/login")).contains("<img src=\"/chain-logo\""))
        let audit = try fixture.api.withDatabase { try $0.audit.recent(limit: 20) }
        #expect(audit.contains { $0.action == "settings.logo" && $0.changes.contains("sha256") })
        #expect(try fixture.send("DELETE", "/api/v1/settings/logo", cookie: root.cookie, csrf: root.csrf).status == 204)
        #expect(try fixture.page("GET", "/chain-logo").status == 404)
        #expect(!html(try fixture.page("GET", "/login")).contains("<img src=\"/chain-logo\""))
    }

    /// A PUT of the logo, decoded with room for a body past the 64 KiB default (as the server
    /// does for this route).
    func put(_ fixture: APIFixture, _ body: String, as user: Caller) throws -> HTTPResponse {
        var text = "PUT /api/v1/settings/logo HTTP/1.1\r\nHost: core\r\nCookie: portero_session=\(user.cookie)\r\n"
        text += "X-CSRF-Token: \(user.csrf)\r\nContent-Type: application/json\r\n"
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        var decoder = HTTPRequestDecoder(
            limits: {
                var limits = HTTPLimits()
                limits.bodyBytes = 1 << 20
                return limits
            }())
        decoder.append(Array(text.utf8))
        return fixture.conforming(
            fixture.router.respond(to: try #require(try decoder.next())), "PUT", "/api/v1/settings/logo")
    }

    /// The logo as the settings page's file field sends it.
    func upload(_ fixture: APIFixture, cookie: String, csrf: String, type: String, bytes: [UInt8]) throws
        -> HTTPResponse
    {
        try fixture.upload("/chain-settings/logo", field: "logo", cookie: cookie, csrf: csrf, type: type, bytes: bytes)
    }

    @Test func theSettingsPageUploadsALogoAndShowsARefusalBesideTheFile() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let page = html(try fixture.page("GET", "/chain-settings", cookies: ["portero_session=\(root.cookie)"]))
        #expect(page.contains("enctype=\"multipart/form-data\"") && page.contains("Subir logotipo"))
        let forged = try upload(fixture, cookie: root.cookie, csrf: "wrong", type: "image/png", bytes: Self.png)
        #expect(forged.status == 403)
        // A GIF is refused; the type comes from the bytes, not from what the browser named.
        let refused = try upload(
            fixture, cookie: root.cookie, csrf: root.csrf, type: "image/gif", bytes: Array("GIF89a\u{1}\u{0}".utf8))
        #expect(refused.status == 400)
        #expect(html(refused).contains("class=\"field invalid\"><label for=\"f-logo\""))
        #expect(html(refused).contains("value=\"MXN\""), "the settings form shows what is saved")
        let saved = try upload(fixture, cookie: root.cookie, csrf: root.csrf, type: "image/jpeg", bytes: Self.jpeg)
        #expect(saved.status == 303)
        let served = try fixture.page("GET", "/chain-logo")
        #expect(served.header("Content-Type") == "image/jpeg" && served.body == Self.jpeg)
        let removed = try fixture.page(
            "POST", "/chain-settings/logo/remove", form: [("csrf", root.csrf)],
            cookies: ["portero_session=\(root.cookie)"])
        #expect(try removed.status == 303 && fixture.page("GET", "/chain-logo").status == 404)
    }
}

extension APIFixture {
    /// A multipart/form-data POST of one file to `path`, as a browser sends it.
    func upload(_ path: String, field: String, cookie: String, csrf: String, type: String, bytes: [UInt8]) throws
        -> HTTPResponse
    {
        let boundary = "----portero\(UUID().uuidString)"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"f\"\r\n".utf8)
        body += Array("Content-Type: \(type)\r\n\r\n".utf8)
        body += bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        var head = "POST \(path) HTTP/1.1\r\nHost: core\r\nCookie: portero_session=\(cookie)\r\n"
        head += "Content-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: \(body.count)\r\n\r\n"
        var decoder = HTTPRequestDecoder(
            limits: {
                var limits = HTTPLimits()
                limits.bodyBytes = 1 << 20
                return limits
            }())
        decoder.append(Array(head.utf8) + body)
        return router.respond(to: try #require(try decoder.next()))
    }
}
