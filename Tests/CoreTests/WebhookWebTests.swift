@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The webhooks pages: only for the chain's administrators, the secret shown once, errors beside
/// their field, and the actions of an endpoint's page.
@Suite struct WebhookWebTests {
    @Test func anAdministratorAddsTestsRotatesAndRemovesAWebhookWithErrorsBesideTheField() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "patricia", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let cookie = "portero_session=\(admin.cookie)"
        let empty = html(try fixture.page("GET", "/webhooks", cookies: [cookie]))
        #expect(empty.contains("No hay webhooks.") && empty.contains("href=\"/webhooks\""))
        let desk = html(try fixture.page("GET", "/home", cookies: ["portero_session=\(reception.cookie)"]))
        #expect(!desk.contains("href=\"/webhooks\""), "no nav entry without configuration")

        let wrong = try fixture.page(
            "POST", "/webhooks",
            form: [("csrf", admin.csrf), ("url", "http://hooks.example/x"), ("kinds", "sale"), ("active", "on")],
            cookies: [cookie])
        #expect(wrong.status == 400)
        #expect(html(wrong).contains("f-url-error") && html(wrong).contains("http://hooks.example/x"))

        let made = try fixture.page(
            "POST", "/webhooks",
            form: [
                ("csrf", admin.csrf), ("url", "https://hooks.example/portero"), ("kinds", "attendance"),
                ("kinds", "member"), ("branches", "\(fixture.own)"), ("active", "on"),
            ], cookies: [cookie])
        #expect(made.status == 200)
        let secret = try #require(
            html(made).range(of: #"whsec_[0-9a-f]{64}"#, options: .regularExpression).map { String(html(made)[$0]) })
        let stored = try #require(try objects(try fixture.get("/api/v1/webhooks", as: admin)).first)
        #expect(stored["kinds"] as? [String] == ["attendance", "member"])
        #expect(stored["branches"] as? [Int64] == [fixture.own.rawValue])
        let id = try #require(stored["id"] as? Int64)
        let listed = html(try fixture.page("GET", "/webhooks", cookies: [cookie]))
        #expect(listed.contains("https://hooks.example/portero") && listed.contains("Asistencia, Socios"))
        #expect(!listed.contains(secret), "shown once")

        let tested = try fixture.page("POST", "/webhooks/\(id)/test", form: [("csrf", admin.csrf)], cookies: [cookie])
        #expect(tested.status == 303 && tested.header("Location") == "/webhooks/\(id)?done=tested")
        let page = html(try fixture.page("GET", "/webhooks/\(id)?done=tested", cookies: [cookie]))
        #expect(page.contains("Evento de prueba en cola") && page.contains("Prueba") && page.contains("En cola"))
        #expect(page.contains("name=\"kinds\" value=\"member\" checked"))

        let rotated = html(
            try fixture.page("POST", "/webhooks/\(id)/rotate", form: [("csrf", admin.csrf)], cookies: [cookie]))
        #expect(rotated.contains("Secreto de firma") && !rotated.contains(secret))

        let saved = try fixture.page(
            "POST", "/webhooks/\(id)",
            form: [("csrf", admin.csrf), ("url", "https://hooks.example/v2"), ("kinds", "sale")], cookies: [cookie])
        #expect(saved.status == 303)
        let changed = try #require(try objects(try fixture.get("/api/v1/webhooks", as: admin)).first)
        #expect(changed["url"] as? String == "https://hooks.example/v2" && changed["active"] as? Bool == false)
        #expect((changed["branches"] as? [Int64])?.isEmpty == true, "no branch ticked: every branch")

        let removed = try fixture.page(
            "POST", "/webhooks/\(id)/delete", form: [("csrf", admin.csrf)], cookies: [cookie])
        #expect(removed.status == 303)
        #expect(try objects(try fixture.get("/api/v1/webhooks", as: admin)).isEmpty)
        let forged = try fixture.page(
            "POST", "/webhooks", form: [("url", "https://a.example"), ("kinds", "sale")], cookies: [cookie])
        #expect(forged.status == 403, "no CSRF token, nothing made")
        #expect(try objects(try fixture.get("/api/v1/webhooks", as: admin)).isEmpty)
    }
}
