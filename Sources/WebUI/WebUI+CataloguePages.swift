import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The catalogue: categories, products with their stock per branch, purchases from suppliers
/// and adjustments by hand.
extension WebUI {
    package func declareCataloguePages(_ router: inout Router) {
        add(&router, .get, "/pos/catalogue", .signedIn) { request in try Self.cataloguePage(request) }
        add(&router, .post, "/pos/categories", .signedIn) { request in
            let result = request.call(.post, "/api/v1/pos/categories", body: ["name": request.field("category-name")])
            guard result.ok else {
                return try Self.cataloguePage(request, errors: ["category-name": result.error ?? ""])
            }
            return Self.redirect("/pos/catalogue?done=1")
        }
        add(&router, .post, "/pos/products", .signedIn) { request in
            guard let price = Self.minorUnits(request.field("price")), price > 0 else {
                return try Self.cataloguePage(request, errors: ["price": request.field("price")])
            }
            var body: [String: Any] = [
                "name": request.field("name"), "sku": request.field("sku"), "priceMinor": price,
                "taxRateBasisPoints": request.int(request.field("taxRate")) ?? 0,
                "tracksStock": request.field("tracksStock") == "on",
                "allowsNegativeStock": request.field("allowsNegativeStock") == "on",
            ]
            if let category = request.int(request.field("category")) { body["category"] = category }
            let result = request.call(.post, "/api/v1/pos/products", body: body)
            guard result.ok else {
                let field =
                    result.erroredField(among: ["name", "sku", "priceMinor", "taxRateBasisPoints", "category"])
                    ?? "name"
                let named = ["priceMinor": "price", "taxRateBasisPoints": "taxRate"][field] ?? field
                return try Self.cataloguePage(request, errors: [named: result.error ?? ""])
            }
            return Self.redirect("/pos/catalogue?done=1")
        }
        add(&router, .post, "/pos/purchases", .signedIn) { request in
            guard let cost = Self.minorUnits(request.field("unitCost")) else {
                return try Self.cataloguePage(request, errors: ["unitCost": request.field("unitCost")])
            }
            let result = request.call(
                .post, "/api/v1/pos/purchases",
                body: [
                    "branch": request.int(request.field("branch")) ?? 0, "supplier": request.field("supplier"),
                    "lines": [
                        [
                            "product": request.int(request.field("product")) ?? 0,
                            "quantity": request.int(request.field("quantity")) ?? 0, "unitCostMinor": cost,
                        ]
                    ],
                ])
            guard result.ok else {
                let field = result.erroredField(among: ["supplier"]) ?? "quantity"
                return try Self.cataloguePage(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/pos/catalogue?done=1")
        }
        add(&router, .post, "/pos/adjustments", .signedIn) { request in
            let product = request.int(request.field("adjust-product")) ?? 0
            let result = request.call(
                .post, "/api/v1/pos/products/\(product)/adjustments",
                body: [
                    "branch": request.int(request.field("adjust-branch")) ?? 0,
                    "quantity": request.int(request.field("adjust-quantity")) ?? 0,
                    "reason": request.field("adjust-reason"),
                ])
            guard result.ok else {
                let field = result.erroredField(among: ["reason"]).map { _ in "adjust-reason" } ?? "adjust-quantity"
                return try Self.cataloguePage(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/pos/catalogue?done=1")
        }
    }

    /// One category's name and whether it is on sale, changed in place.
    static func categoryEditor(_ request: WebRequest, _ category: [String: Any]) -> HTML {
        let t = request.text
        let id = request.string(category["id"])
        let active = HTML.when((category["active"] as? Bool) != false, " checked")
        return """
            <form method="post" action="/pos/categories/\(id)" class="row">\(request.csrfField)\
            \(request.input(
                "category-name", t["field.name"], value: request.string(category["name"]), required: true,
                attributes: " maxlength=\"100\"", id: "f-category-\(id)"))\
            <p><label><input type="checkbox" name="category-active"\(active)> \(t["catalogue.active"])</label> \
            <button type="submit" class="small">\(t["catalogue.rename"])</button></p></form>
            """
    }

    static func cataloguePage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let products = request.call(.get, "/api/v1/pos/products")
        guard products.ok else { return request.failure(products) }
        let categories = request.call(.get, "/api/v1/pos/categories").list
        let branches = request.branches()
        let names = Dictionary(categories.map { (request.int($0["id"]) ?? 0, request.string($0["name"])) }) { $1 }
        let rows: [[HTML]] = products.list.map { product in
            let stock = (product["stock"] as? [[String: Any]] ?? []).map {
                "\(branches[request.int($0["branch"]) ?? 0]?.name ?? ""): \(request.string($0["quantity"]))"
            }
            return [
                "<a href=\"/pos/products/\(request.string(product["id"]))\">\(request.string(product["name"]))</a>",
                "\(request.string(product["sku"]))",
                "\(names[request.int(product["category"]) ?? 0] ?? "")", "\(request.money(product["price"]))",
                "\((product["tracksStock"] as? Bool) == true ? stock.joined(separator: " · ") : "—")",
                "\((product["active"] as? Bool) == true ? "✔" : "")",
            ]
        }
        let productOptions = products.list.map { (request.string($0["id"]), request.string($0["name"])) }
        let stocked = branches.keys.sorted().filter { request.account?.may(.posProducts, at: BranchID($0)) == true }
        let branchOptions = stocked.map { (String($0), branches[$0]?.name ?? "") }
        func value(_ name: String, _ fallback: String = "") -> String {
            request.field(name).isEmpty ? fallback : request.field(name)
        }
        let categoryForm: HTML = HTML.when(
            request.may(.posCategories),
            """
            <form method="post" action="/pos/categories">\(request.csrfField)<div class="row">\(request.input(
                "category-name", t["field.name"], value: value("category-name"), required: true,
                error: errors["category-name"], attributes: " maxlength=\"100\""))</div>\
            <p><button type="submit">\(t["catalogue.addCategory"])</button></p></form>
            """)
        func field(
            _ name: String, _ label: String, fallback: String = "", type: String = "text", required: Bool = true,
            _ attributes: HTML
        ) -> HTML {
            request.input(
                name, label, value: value(name, fallback), type: type, required: required, error: errors[name],
                attributes: attributes)
        }
        let categoryOptions =
            [("", t["catalogue.none"])] + categories.map { (request.string($0["id"]), request.string($0["name"])) }
        let productForm: [HTML] = [
            field("name", t["field.name"], " maxlength=\"100\""), field("sku", t["pos.sku"], " maxlength=\"64\""),
            field("price", t["pos.price"], " inputmode=\"decimal\" size=\"10\""),
            field(
                "taxRate", t["catalogue.taxRate"], fallback: "1600", type: "number", required: false,
                " min=\"0\" max=\"10000\""),
            request.select("category", t["catalogue.category"], options: categoryOptions, error: errors["category"]),
        ]
        let purchaseForm: [HTML] = [
            request.select("branch", t["pos.branch"], options: branchOptions),
            field("supplier", t["catalogue.supplier"], " maxlength=\"100\""),
            request.select("product", t["pos.product"], options: productOptions),
            field("quantity", t["pos.quantity"], type: "number", " min=\"1\" max=\"100000\""),
            field("unitCost", t["catalogue.unitCost"], required: false, " inputmode=\"decimal\" size=\"10\""),
        ]
        let adjustForm: [HTML] = [
            request.select("adjust-branch", t["pos.branch"], options: branchOptions),
            request.select("adjust-product", t["pos.product"], options: productOptions),
            field("adjust-quantity", t["catalogue.adjustQuantity"], type: "number", " min=\"-100000\" max=\"100000\""),
            field("adjust-reason", t["pos.reason"], " minlength=\"3\" maxlength=\"200\""),
        ]
        let categoryList: HTML =
            request.may(.posCategories)
            ? HTML.join(categories.map { Self.categoryEditor(request, $0) }, separator: "")
            : "<p>\(categories.map { request.string($0["name"]) }.joined(separator: " · "))</p>"
        let body: HTML = """
            \(HTML.when(request.query("done") != nil, "<p class=\"notice\" role=\"status\">\(t["catalogue.done"])</p>"))
            <section class="card"><h2>\(t["catalogue.categories"])</h2>\
            \(categoryList)\(categoryForm)</section>
            <section class="card"><h2>\(t["nav.catalogue"])</h2>\(request.table(
                [t["pos.product"], t["pos.sku"], t["catalogue.category"], t["pos.price"], t["pos.stock"],
                 t["catalogue.active"]], rows))</section>
            \(HTML.when(request.may(.posProducts), """
                <section class="card"><h2>\(t["catalogue.addProduct"])</h2><form method="post" action="/pos/products">\
                \(request.csrfField)<div class="row">\(productForm)</div>\
                <p><label><input type="checkbox" name="tracksStock" checked> \(t["catalogue.tracksStock"])</label> \
                <label><input type="checkbox" name="allowsNegativeStock"> \(t["catalogue.negative"])</label></p>\
                <p><button type="submit">\(t["catalogue.addProduct"])</button></p></form></section>
                <section class="card"><h2>\(t["catalogue.purchase"])</h2><form method="post" action="/pos/purchases">\
                \(request.csrfField)<div class="row">\(purchaseForm)</div>\
                <p><button type="submit">\(t["catalogue.purchase"])</button></p></form></section>
                <section class="card"><h2>\(t["catalogue.adjust"])</h2><form method="post" action="/pos/adjustments">\
                \(request.csrfField)<div class="row">\(adjustForm)</div>\
                <p><button type="submit">\(t["catalogue.adjust"])</button></p></form></section>
                """))
            """
        return request.page(
            title: t["catalogue.title"], active: "/pos/catalogue", body: body, status: errors.isEmpty ? 200 : 400)
    }
}
