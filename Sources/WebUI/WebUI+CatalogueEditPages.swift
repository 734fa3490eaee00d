import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// Changing what the catalogue holds: a product's terms (with its stock ledger), a category's
/// name, and whether either is on sale.
extension WebUI {
    package func declareCatalogueEditPages(_ router: inout Router) {
        add(&router, .get, "/pos/products/:id", .signedIn) { request in try Self.productPage(request) }
        add(&router, .post, "/pos/products/:id", .signedIn) { request in
            guard let price = Self.minorUnits(request.field("price")), price > 0 else {
                return try Self.productPage(request, errors: ["price": request.text["catalogue.badPrice"]])
            }
            var body: [String: Any] = [
                "name": request.field("name"), "sku": request.field("sku"), "priceMinor": price,
                "taxRateBasisPoints": request.int(request.field("taxRate")) ?? -1,
                "active": request.field("active") == "on", "tracksStock": request.field("tracksStock") == "on",
                "allowsNegativeStock": request.field("allowsNegativeStock") == "on",
            ]
            body["category"] = request.int(request.field("category")) ?? NSNull()
            let id = request.parameter("id")
            let result = request.call(.patch, "/api/v1/pos/products/\(Int64(id) ?? 0)", body: body)
            guard result.ok else {
                let field =
                    result.erroredField(among: ["name", "sku", "priceMinor", "taxRateBasisPoints", "category"])
                    ?? "name"
                let named = ["priceMinor": "price", "taxRateBasisPoints": "taxRate"][field] ?? field
                return try Self.productPage(request, errors: [named: result.error ?? ""])
            }
            return Self.redirect("/pos/products/\(id)?done=1")
        }
        add(&router, .post, "/pos/categories/:id", .signedIn) { request in
            let result = request.call(
                .patch, "/api/v1/pos/categories/\(Int64(request.parameter("id")) ?? 0)",
                body: ["name": request.field("category-name"), "active": request.field("category-active") == "on"])
            guard result.ok else {
                return try Self.cataloguePage(request, errors: ["category-name": result.error ?? ""])
            }
            return Self.redirect("/pos/catalogue?done=1")
        }
    }

    static func productPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let found = request.call(.get, "/api/v1/pos/products/\(id)")
        guard found.ok else { return request.failure(found) }
        let product = found.object
        let retry = !errors.isEmpty
        func value(_ name: String, _ stored: String) -> String { retry ? request.field(name) : stored }
        func checked(_ name: String, _ key: String) -> HTML {
            HTML.when(retry ? request.field(name) == "on" : (product[key] as? Bool) == true, " checked")
        }
        let price = request.int((product["price"] as? [String: Any])?["minorUnits"]) ?? 0
        let categories = request.call(.get, "/api/v1/pos/categories").list
        let categoryOptions =
            [("", t["catalogue.none"])] + categories.map { (request.string($0["id"]), request.string($0["name"])) }
        let branches = request.branches()
        let ledger = request.call(.get, "/api/v1/pos/products/\(id)/movements", query: [("limit", "50")])
        let rows: [[HTML]] = ledger.list.map { movement in
            let branch = request.int(movement["branch"]).flatMap { branches[$0] }
            let at = request.int(movement["at"]).map {
                t.dateTime(Timestamp(milliseconds: $0), zone: branch?.zone ?? "UTC")
            }
            return [
                "<time>\(at ?? "")</time>", "\(branch?.name ?? "")",
                "\(t["movement." + request.string(movement["kind"])])", "\(request.string(movement["quantity"]))",
                "\(request.string(movement["reason"]))",
            ]
        }
        let editable = request.may(.posProducts)
        let form: HTML = """
            <section class="card"><form method="post" action="/pos/products/\(id)">\(request.csrfField)
            <fieldset\(HTML.when(!editable, " disabled"))><div class="row">
            \(request.input(
                "name", t["field.name"], value: value("name", request.string(product["name"])), required: true,
                error: errors["name"], attributes: " maxlength=\"100\""))
            \(request.input(
                "sku", t["pos.sku"], value: value("sku", request.string(product["sku"])), required: true,
                error: errors["sku"], attributes: " maxlength=\"64\""))
            \(request.input(
                "price", t["pos.price"], value: value("price", String(format: "%.2f", Double(price) / 100)),
                required: true, error: errors["price"], attributes: " inputmode=\"decimal\" size=\"10\""))
            \(request.input(
                "taxRate", t["catalogue.taxRate"],
                value: value("taxRate", request.string(product["taxRateBasisPoints"])), type: "number",
                error: errors["taxRate"], attributes: " min=\"0\" max=\"10000\""))
            \(request.select(
                "category", t["catalogue.category"], options: categoryOptions,
                selected: value("category", request.string(product["category"])), error: errors["category"]))
            </div><p><label><input type="checkbox" name="active"\(checked("active", "active"))> \
            \(t["catalogue.active"])</label> <label><input type="checkbox" name="tracksStock"\
            \(checked("tracksStock", "tracksStock"))> \(t["catalogue.tracksStock"])</label> \
            <label><input type="checkbox" name="allowsNegativeStock"\
            \(checked("allowsNegativeStock", "allowsNegativeStock"))> \(t["catalogue.negative"])</label></p>
            \(HTML.when(editable, "<p><button type=\"submit\">\(t["action.save"])</button></p>"))
            </fieldset></form></section>
            """
        let body: HTML = """
            \(HTML.when(retry, "<p class=\"error\" role=\"alert\">\(t["error.fix"])</p>"))
            \(form)
            <section class="card"><h2>\(t["catalogue.ledger"])</h2>\(rows.isEmpty
                ? "<p>\(t["catalogue.noMovements"])</p>" as HTML
                : request.table(
                    [t["attendance.time"], t["pos.branch"], t["catalogue.movement"], t["pos.quantity"],
                     t["pos.reason"]], rows))</section>
            <p><a href="/pos/catalogue">\(t["catalogue.back"])</a></p>
            """
        return request.page(
            title: request.string(product["name"]), active: "/pos/catalogue", body: body,
            status: errors.isEmpty ? 200 : 400, notice: request.query("done") != nil ? t["catalogue.done"] : nil)
    }
}
