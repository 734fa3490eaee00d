@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The promotions pages and the promotion code on the member page.
@Suite struct PromotionWebTests {
    static func form(_ csrf: String, _ fields: [(String, String)]) -> [(String, String)] {
        var form: [(String, String)] = [
            ("csrf", csrf), ("code", ""), ("name", "Verano"), ("kind", "percent"), ("value", "10"),
            ("validFrom", ""), ("validTo", ""), ("maxUses", ""), ("maxUsesPerMember", ""), ("active", "on"),
        ]
        for (name, value) in fields {
            form.removeAll { $0.0 == name }
            form.append((name, value))
        }
        return form
    }

    @Test func anAdministratorCreatesEditsAndListsPromotionsWithErrorsBesideTheField() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "patricia", branches: [fixture.own, fixture.other])
        let cookie = "portero_session=\(admin.cookie)"
        let plan = try fixture.plan("Mensual", as: admin)
        let empty = html(try fixture.page("GET", "/promotions", cookies: [cookie]))
        #expect(empty.contains("No hay promociones.") && empty.contains("href=\"/promotions\""))
        #expect(empty.contains("name=\"plans\" value=\"\(plan)\""))

        let created = try fixture.page(
            "POST", "/promotions",
            form: Self.form(admin.csrf, [("code", "verano"), ("value", "12.5"), ("plans", "\(plan)")]),
            cookies: [cookie])
        #expect(created.status == 303 && created.header("Location") == "/promotions?done=created")
        let stored = try #require(try objects(try fixture.get("/api/v1/promotions", as: admin)).first)
        #expect(stored["code"] as? String == "VERANO" && stored["value"] as? Int64 == 1250)
        #expect(stored["plans"] as? [Int64] == [plan] && (stored["branches"] as? [Int64])?.isEmpty == true)
        let listed = html(try fixture.page("GET", "/promotions?done=created", cookies: [cookie]))
        #expect(listed.contains("Promoción creada.") && listed.contains("VERANO") && listed.contains("12.5 %"))
        #expect(listed.contains("Todas las sucursales"))

        let id = try #require(stored["id"] as? Int64)
        let page = html(try fixture.page("GET", "/promotions/\(id)", cookies: [cookie]))
        #expect(page.contains("name=\"code\" type=\"text\" value=\"VERANO\""))
        #expect(page.contains("name=\"value\" type=\"text\" value=\"12.5\""))
        #expect(page.contains("name=\"plans\" value=\"\(plan)\" checked"))
        // A change: a fixed amount, a cap, no code (automatic).
        let saved = try fixture.page(
            "POST", "/promotions/\(id)",
            form: Self.form(admin.csrf, [("kind", "amount"), ("value", "150.00"), ("maxUses", "20")]),
            cookies: [cookie])
        #expect(saved.status == 303 && saved.header("Location") == "/promotions?done=saved")
        let changed = try object(try fixture.get("/api/v1/promotions/\(id)", as: admin))
        #expect(changed["code"] == nil && changed["value"] as? Int64 == 15000 && changed["maxUses"] as? Int64 == 20)
        #expect(changed["plans"] as? [Int64] == [], "no plan ticked: every plan")

        // A percentage over 100 is shown beside its field, in Spanish, keeping what was typed.
        let wrong = try fixture.page(
            "POST", "/promotions", form: Self.form(admin.csrf, [("name", "Mucho"), ("value", "150")]),
            cookies: [cookie])
        let text = html(wrong)
        #expect(wrong.status == 400 && text.contains("id=\"f-value-error\">Un porcentaje de 0.01 a 100"))
        #expect(text.contains("name=\"name\" type=\"text\" value=\"Mucho\""))
    }

    @Test func theDeskTypesACodeOnTheMemberPageAndSeesTheDiscount() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "patricia", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "laura")
        let cookie = "portero_session=\(reception.cookie)"
        let plan = try fixture.plan("Mensual", as: admin)
        _ = try fixture.promotion(#"{"code": "AMIGO", "name": "Amigo", "kind": "amount", "value": 9900}"#, as: admin)
        let member = try fixture.member("ana", as: reception)
        // The desk neither sees nor opens the promotions pages.
        let home = html(try fixture.page("GET", "/members/\(member)", cookies: [cookie]))
        #expect(!home.contains("href=\"/promotions\""))
        #expect(try fixture.page("GET", "/promotions", cookies: [cookie]).status == 403)

        let refused = try fixture.page(
            "POST", "/members/\(member)/enroll",
            form: [("csrf", reception.csrf), ("plan", "\(plan)"), ("branch", "\(fixture.own)"), ("promotion", "NADA")],
            cookies: [cookie])
        #expect(html(refused).contains("id=\"f-promotion-error\">promotion: no promotion with code NADA"))
        let sold = try fixture.page(
            "POST", "/members/\(member)/enroll",
            form: [
                ("csrf", reception.csrf), ("plan", "\(plan)"), ("branch", "\(fixture.own)"), ("promotion", "amigo"),
            ],
            cookies: [cookie])
        #expect(sold.status == 303)
        let page = html(try fixture.page("GET", "/members/\(member)", cookies: [cookie]))
        #expect(page.contains("Precio de lista") && page.contains("AMIGO"))
        #expect(page.contains("name=\"promotion\"") && page.contains("action=\"/members/\(member)/renew\""))
    }
}
