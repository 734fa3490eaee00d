import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    package static let productFields: [BodyField] = [
        .optional("taxRateBasisPoints", .taxBasisPoints), .optional("category", .nullable(.id)),
        .optional("active", .boolean), .optional("tracksStock", .boolean), .optional("allowsNegativeStock", .boolean),
    ]

    static func productTerms(_ request: APIRequest) throws -> ProductTerms {
        struct Body: Decodable {
            let name: String?
            let sku: String?
            let priceMinor: Int64?
            let taxRateBasisPoints: Int?
            let category: Int64?
            let active: Bool?
            let tracksStock: Bool?
            let allowsNegativeStock: Bool?
        }
        let body = try strictBody(request, Body.self)
        // An explicit null takes the product out of its category; absent keeps it.
        let object =
            (try? JSONSerialization.jsonObject(with: Data(request.context.request.body)) as? [String: Any]) ?? [:]
        var terms = ProductTerms()
        terms.name = body.name
        terms.sku = body.sku
        terms.priceMinor = body.priceMinor
        terms.taxRateBasisPoints = body.taxRateBasisPoints
        terms.category = object["category"] == nil ? nil : .some(body.category)
        terms.active = body.active
        terms.tracksStock = body.tracksStock
        terms.allowsNegativeStock = body.allowsNegativeStock
        return terms
    }

    static func auditFields(_ terms: ProductTerms) -> [String: Any] {
        var changes: [String: Any] = [:]
        if let name = terms.name { changes["name"] = name }
        if let sku = terms.sku { changes["sku"] = sku }
        if let price = terms.priceMinor { changes["priceMinor"] = price }
        if let rate = terms.taxRateBasisPoints { changes["taxRateBasisPoints"] = rate }
        if let category = terms.category { changes["category"] = category.map { $0 as Any } ?? NSNull() }
        if let active = terms.active { changes["active"] = active }
        if let tracks = terms.tracksStock { changes["tracksStock"] = tracks }
        if let negative = terms.allowsNegativeStock { changes["allowsNegativeStock"] = negative }
        return changes
    }

    /// The point of sale's catalogue (seed 003's Categorías and Productos, chain-wide), stock per
    /// branch and purchases. Sellers read the catalogue; pos_categories and pos_products change it.
    package static func declarePosRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/pos/categories", .privilege(.posSales), "The catalogue's categories",
            answers: [.json(200, .array(.posCategory))]
        ) { request in .json(try request.database.pos.categories()) }
        table.add(
            .post, "/api/v1/pos/categories", .privilege(.posCategories), "Add a category",
            body: [.required("name", .name), .optional("active", .boolean)], answers: [.json(201, .posCategory)]
        ) { request in
            struct Body: Decodable {
                let name: String
                let active: Bool?
            }
            let body = try strictBody(request, Body.self)
            let added = try request.database.write { () -> PosCategory? in
                let added = try request.database.pos.saveCategory(id: nil, name: body.name, active: body.active)
                try request.audit(
                    "pos.category.add", target: "pos_category:\(added?.id ?? 0)", changes: ["name": body.name],
                    concerning: try everyBranch(request.database))
                return added
            }
            return .json(added, status: 201)
        }
        table.add(
            .patch, "/api/v1/pos/categories/:id", .privilege(.posCategories), "Rename a category or take it off sale",
            body: [.optional("name", .name), .optional("active", .boolean)], answers: [.json(200, .posCategory)]
        ) { request in
            struct Body: Decodable {
                let name: String?
                let active: Bool?
            }
            let body = try strictBody(request, Body.self)
            let id = try request.id(what: "category")
            let changed = try request.database.write { () -> PosCategory? in
                guard let changed = try request.database.pos.saveCategory(id: id, name: body.name, active: body.active)
                else { return nil }
                var changes: [String: Any] = [:]
                if let name = body.name { changes["name"] = name }
                if let active = body.active { changes["active"] = active }
                try request.audit(
                    "pos.category.update", target: "pos_category:\(id)", changes: changes,
                    concerning: try everyBranch(request.database))
                return changed
            }
            guard let changed else { return .error(404, "no such category") }
            return .json(changed)
        }
        table.add(
            .get, "/api/v1/pos/products", .privilege(.posSales),
            "The catalogue with stock at the caller's branches (or ?branch=); active=true for those on sale",
            query: [.boolean("active")], answers: [.json(200, .array(.posProduct))]
        ) { request in
            .json(
                try request.database.pos.products(
                    activeOnly: try request.queryFlag("active") ?? false,
                    branches: try visibleBranches(request, .posSales)))
        }
        table.add(
            .get, "/api/v1/pos/products/:id", .privilege(.posSales), "One product with its stock",
            answers: [.json(200, .posProduct)]
        ) { request in
            let id = try request.id(what: "product")
            guard
                let found = try request.database.pos.product(id, branches: try visibleBranches(request, .posSales))
            else { return .error(404, "no such product") }
            return .json(found)
        }
        table.add(
            .post, "/api/v1/pos/products", .privilege(.posProducts),
            "Add a product: name, unique SKU, tax-inclusive price in minor units, tax rate in basis points",
            body: [.required("name", .name), .required("sku", .sku), .required("priceMinor", .positiveMinorUnits)]
                + productFields,
            answers: [.json(201, .posProduct)]
        ) { request in
            let terms = try productTerms(request)
            let added = try request.database.write { () -> PosProduct? in
                let added = try request.database.pos.saveProduct(id: nil, terms, now: request.now)
                try request.audit(
                    "pos.product.add", target: "pos_product:\(added?.id ?? 0)", changes: auditFields(terms),
                    concerning: try everyBranch(request.database))
                return added
            }
            return .json(added, status: 201)
        }
        table.add(
            .patch, "/api/v1/pos/products/:id", .privilege(.posProducts), "Change a product's terms",
            body: [.optional("name", .name), .optional("sku", .sku), .optional("priceMinor", .positiveMinorUnits)]
                + productFields,
            answers: [.json(200, .posProduct)]
        ) { request in
            let terms = try productTerms(request)
            let id = try request.id(what: "product")
            let changed = try request.database.write { () -> PosProduct? in
                guard let changed = try request.database.pos.saveProduct(id: id, terms, now: request.now) else {
                    return nil
                }
                try request.audit(
                    "pos.product.update", target: "pos_product:\(id)", changes: auditFields(terms),
                    concerning: try everyBranch(request.database))
                return changed
            }
            guard let changed else { return .error(404, "no such product") }
            return .json(changed)
        }
        declareStockRoutes(&table)
    }

    static func declareStockRoutes(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/pos/products/:id/adjustments", .privilege(.posProducts),
            "Adjust a product's stock at a branch by a signed quantity, with a reason",
            body: [
                .required("branch", .id),
                .required(
                    "quantity",
                    .oneOf([.integer(minimum: -100_000, maximum: -1), .integer(minimum: 1, maximum: 100_000)])),
                .required("reason", .reason),
            ], answers: [.json(201, .stockMovement)]
        ) { request in
            struct Body: Decodable {
                let branch: Int64
                let quantity: Int64
                let reason: String
            }
            let body = try strictBody(request, Body.self)
            let reason = try checkReason(body.reason)
            let branch = try bodyBranch(request, body.branch, .posProducts)
            let id = try request.id(what: "product")
            let actor = try request.actor
            let movement = try request.database.write {
                let movement = try request.database.pos.adjustStock(
                    product: id, branch: branch, quantity: body.quantity, reason: reason, by: actor.id, now: request.now
                )
                try request.audit(
                    "pos.stock.adjust", target: "branch:\(branch)",
                    changes: ["product": id, "quantity": body.quantity, "reason": reason])
                return movement
            }
            return .json(movement, status: 201)
        }
        table.add(
            .get, "/api/v1/pos/products/:id/movements", .privilege(.posProducts),
            "A product's stock ledger at the branch of ?branch= (else at the caller's branches), the newest first",
            query: [.integer("limit", 1...500)], answers: [.json(200, .array(.stockMovement))]
        ) { request in
            .json(
                try request.database.pos.stockMovements(
                    product: try request.id(what: "product"), branches: try visibleBranches(request, .posProducts),
                    limit: try request.queryInt("limit", default: 100, range: 1...500)))
        }
        table.add(
            .get, "/api/v1/pos/purchases", .privilege(.posProducts),
            "Purchases at the caller's branches, the newest first",
            query: [.integer("limit", 1...500)], answers: [.json(200, .array(.posPurchase))]
        ) { request in
            .json(
                try request.database.pos.purchases(
                    branches: try visibleBranches(request, .posProducts),
                    limit: try request.queryInt("limit", default: 100, range: 1...500)))
        }
        table.add(
            .post, "/api/v1/pos/purchases", .privilege(.posProducts),
            "Record a purchase from a supplier: each line's quantity enters the branch's stock",
            body: [
                .required("branch", .id), .required("supplier", .name),
                .required(
                    "lines",
                    .array(
                        .object([
                            "product": .id, "quantity": .quantity, "unitCostMinor": .minorUnits,
                        ]), minItems: 1, maxItems: 100)),
            ], answers: [.json(201, .posPurchase)]
        ) { request in
            struct Line: Decodable {
                let product: Int64
                let quantity: Int64
                let unitCostMinor: Int64
            }
            struct Body: Decodable {
                let branch: Int64
                let supplier: String
                let lines: [Line]
            }
            let body = try strictBody(request, Body.self)
            let branch = try bodyBranch(request, body.branch, .posProducts)
            let actor = try request.actor
            let lines = body.lines.map {
                PosPurchase.Line(
                    product: $0.product, quantity: $0.quantity,
                    unitCost: Money(minorUnits: $0.unitCostMinor, currency: ""))
            }
            let purchase = try request.database.write {
                let purchase = try request.database.pos.purchase(
                    branch: branch, supplier: body.supplier, lines: lines, by: actor.id, now: request.now)
                try request.audit(
                    "pos.purchase", target: "branch:\(branch)",
                    changes: [
                        "purchase": purchase.id, "supplier": body.supplier,
                        "totalCostMinor": purchase.totalCost.minorUnits,
                        "lines": body.lines.map { ["product": $0.product, "quantity": $0.quantity] },
                    ])
                return purchase
            }
            return .json(purchase, status: 201)
        }
        table.add(
            .get, "/api/v1/pos/daily", .privilege(.dashboard),
            "POS sales per branch and local day (the last 30 days unless from/to are given)",
            query: [.date("from"), .date("to")], answers: [.json(200, .array(.posDailySales))]
        ) { request in
            let today = request.today(request.branch)
            let to = try dayQuery(request, "to") ?? today
            let from = try dayQuery(request, "from") ?? to.adding(days: -29)
            return .json(
                try request.database.pos.dailySales(
                    branches: try visibleBranches(request, .dashboard), from: from, to: to))
        }
    }
}
