@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The catalogue is changed from the web UI: a product's terms with its stock ledger beside them,
/// and a category's name and whether it is on sale.
@Suite struct CatalogueEditTests {
    @Test func aManagerChangesAProductsPriceAndSeesItsLedgerAndARenamedCategory() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let product = try fixture.posProduct("JABON", price: 4_500, stock: 4, as: admin)
        let cookie = "portero_session=\(manager.cookie)"
        let catalogue = html(try fixture.page("GET", "/pos/catalogue", cookies: [cookie]))
        #expect(catalogue.contains("href=\"/pos/products/\(product)\""))
        let page = html(try fixture.page("GET", "/pos/products/\(product)", cookies: [cookie]))
        #expect(page.contains("value=\"45.00\"") && page.contains("Movimientos de existencia"))
        #expect(page.contains("Compra") || page.contains("Ajuste"), "the stock that came in is in the ledger")
        func save(_ price: String, taxRate: String = "1600") throws -> HTTPResponse {
            try fixture.page(
                "POST", "/pos/products/\(product)",
                form: [
                    ("csrf", manager.csrf), ("name", "Jabón de avena"), ("sku", "JABON"), ("price", price),
                    ("taxRate", taxRate), ("category", ""), ("active", "on"), ("tracksStock", "on"),
                ], cookies: [cookie])
        }
        let zero = try save("0")
        #expect(zero.status == 400 && html(zero).contains("class=\"field invalid\"><label for=\"f-price\""))
        #expect(html(zero).contains("value=\"Jabón de avena\""), "what was typed stays")
        let badTax = try save("52.00", taxRate: "20000")
        #expect(badTax.status == 400 && html(badTax).contains("class=\"field invalid\"><label for=\"f-taxRate\""))
        let saved = try save("52.00")
        #expect(saved.status == 303 && saved.header("Location") == "/pos/products/\(product)?done=1")
        let stored = try object(try fixture.get("/api/v1/pos/products/\(product)", as: manager))
        #expect(fixture.money(stored["price"]) == 5_200 && stored["name"] as? String == "Jabón de avena")
        let english = html(
            try fixture.page(
                "GET", "/pos/products/\(product)", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("Stock movements") && english.contains("value=\"52.00\""))
        let desk = html(
            try fixture.page("GET", "/pos/products/\(product)", cookies: ["portero_session=\(reception.cookie)"]))
        #expect(desk.contains("<fieldset disabled>"), "Recepción reads the product, does not change it")

        let category = try #require(
            try object(try fixture.post("/api/v1/pos/categories", #"{"name": "Baño"}"#, as: admin))["id"] as? Int64)
        let adminCookie = "portero_session=\(admin.cookie)"
        let renamed = try fixture.page(
            "POST", "/pos/categories/\(category)",
            form: [("csrf", admin.csrf), ("category-name", "Higiene")], cookies: [adminCookie])
        #expect(renamed.status == 303)
        let categories = try objects(try fixture.get("/api/v1/pos/categories", as: admin))
        #expect(categories.first { $0["id"] as? Int64 == category }?["name"] as? String == "Higiene")
        #expect(categories.first { $0["id"] as? Int64 == category }?["active"] as? Bool == false, "the box unticked")
        let refused = try fixture.page(
            "POST", "/pos/categories/\(category)",
            form: [("csrf", manager.csrf), ("category-name", "Otra"), ("category-active", "on")], cookies: [cookie])
        #expect(refused.status == 403 || refused.status == 400, "categories are Administrador and above")
    }
}
