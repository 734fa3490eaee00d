@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import Testing

/// The member's pass pages: the script and its service worker served as JavaScript, `/my/pass`
/// with what the script reads, a phone added through the form (a bad key refused beside the
/// button, a missing name beside the field), revoked by the member and at the desk.
@Suite struct PassWebTests {
    @Test func theScriptAndItsServiceWorkerAreJavaScript() throws {
        let f = try APIFixture()
        let script = try f.page("GET", "/static/pass.js")
        #expect(script.status == 200 && script.header("Content-Type")?.hasPrefix("text/javascript") == true)
        #expect(html(script).contains("var PorteroQR") && html(script).contains("\"portero-pass:\""))
        #expect(html(script).contains("generateKey(algorithm, false, [\"sign\", \"verify\"])"), "not extractable")
        let worker = try f.page("GET", "/my/pass-sw.js")
        #expect(worker.status == 200 && worker.header("Content-Type")?.hasPrefix("text/javascript") == true)
        #expect(html(worker).contains("\"/my/pass\"") && html(worker).contains("\"/static/pass.js\""))
    }

    @Test func aMemberAddsThisPhoneSeesItAndRevokesIt() throws {
        let f = try APIFixture()
        let member = try f.signIn(.client, username: "socia")
        let cookies = ["portero_session=\(member.cookie)"]
        #expect(html(try f.page("GET", "/my", cookies: cookies)).contains("href=\"/my/pass\""))
        let empty = html(try f.page("GET", "/my/pass", cookies: cookies))
        #expect(
            empty.contains("id=\"pass\" data-member=\"\(member.id.rawValue)\"") && empty.contains("data-renew=\"5\""))
        #expect(
            empty.contains("data-nokey=\"Este teléfono aún no tiene pase") && empty.contains("Aún no hay teléfonos"))
        #expect(empty.contains("<form id=\"pass-add\" method=\"post\" action=\"/my/pass/phones\">"))
        #expect(empty.contains("<script src=\"/static/pass.js\"></script>"))

        let key = try PhoneRouteTests.phoneKey()
        let noName = try f.page(
            "POST", "/my/pass/phones", form: [("csrf", member.csrf), ("name", ""), ("x", key.x), ("y", key.y)],
            cookies: cookies)
        #expect(noName.status == 400 && html(noName).contains("class=\"field invalid\"><label for=\"f-name\""))
        let badKey = try f.page(
            "POST", "/my/pass/phones", form: [("csrf", member.csrf), ("name", "Mío"), ("x", "corta"), ("y", key.y)],
            cookies: cookies)
        #expect(badKey.status == 400 && html(badKey).contains("Este navegador no envió una clave válida"))
        #expect(html(badKey).contains("value=\"Mío\""), "the name typed is kept")

        let added = try f.page(
            "POST", "/my/pass/phones", form: [("csrf", member.csrf), ("name", "Mío"), ("x", key.x), ("y", key.y)],
            cookies: cookies)
        #expect(added.status == 303 && added.header("Location") == "/my/pass?done=added")
        let phone = try #require(try objects(try f.get("/api/v1/me/phones", as: member)).first?["id"] as? Int64)
        let listed = html(try f.page("GET", "/my/pass?done=added", cookies: cookies, headers: ["Accept-Language: en"]))
        #expect(listed.contains("data-phone=\"\(phone)\" data-x=\"\(key.x)\">") && listed.contains("Phone added."))
        #expect(listed.contains("action=\"/my/pass/phones/\(phone)/revoke\"") && listed.contains("My phones"))

        let revoked = try f.page(
            "POST", "/my/pass/phones/\(phone)/revoke", form: [("csrf", member.csrf)], cookies: cookies)
        #expect(revoked.status == 303 && revoked.header("Location") == "/my/pass?done=revoked#phones")
        let after = html(try f.page("GET", "/my/pass", cookies: cookies))
        #expect(after.contains("data-phone=\"\(phone)\" data-x=\"\(key.x)\" data-revoked class=\"revoked\">"))
        #expect(!after.contains("/my/pass/phones/\(phone)/revoke"))
    }

    @Test func theDeskSeesAMembersPhonesAndRevokesALostOne() throws {
        let f = try APIFixture()
        let member = try f.signIn(.client, username: "socia")
        let desk = try f.signIn(.reception, username: "recepcion")
        let path = "/members/\(member.id.rawValue)"
        let none = html(try f.page("GET", path, cookies: ["portero_session=\(desk.cookie)"]))
        #expect(none.contains("<section class=\"card\" id=\"phones\">") && none.contains("Sin teléfonos con pase."))
        let body = PhoneRouteTests.addBody("Perdido", try PhoneRouteTests.phoneKey())
        let phone = try #require(try object(try f.post("/api/v1/me/phones", body, as: member))["id"] as? Int64)
        let page = html(try f.page("GET", path, cookies: ["portero_session=\(desk.cookie)"]))
        #expect(page.contains("Perdido") && page.contains("action=\"\(path)/phones/\(phone)/revoke\""))
        let revoked = try f.page(
            "POST", "\(path)/phones/\(phone)/revoke", form: [("csrf", desk.csrf)],
            cookies: ["portero_session=\(desk.cookie)"])
        #expect(revoked.status == 303 && revoked.header("Location") == "\(path)?done=phone#phones")
        #expect(try objects(try f.get("/api/v1/me/phones", as: member)).first?["revokedAt"] as? Int64 != nil)
        let again = try f.page(
            "POST", "\(path)/phones/\(phone)/revoke", form: [("csrf", desk.csrf)],
            cookies: ["portero_session=\(desk.cookie)"])
        #expect(again.status == 404, "a revoked phone is no longer there to revoke")
    }
}
