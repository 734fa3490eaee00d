import BackOffice
import Foundation
import HTTP
import PorteroModel

/// Promotions: the list with a form for a new one, and a promotion's own page to change it.
/// The form takes a percentage or an amount as people write them (10, 12.5, 100.00) and sends
/// basis points or minor units.
extension WebUI {
    static let promotionFieldNames = [
        "code", "name", "kind", "value", "plans", "branches", "validFrom", "validTo", "maxUses", "maxUsesPerMember",
        "active",
    ]

    func declarePromotionPages(_ router: inout Router) {
        add(&router, .get, "/promotions", .signedIn) { request in try Self.promotions(request) }
        add(&router, .post, "/promotions", .signedIn) { request in
            let result = request.call(.post, "/api/v1/promotions", body: Self.promotionBody(request, creating: true))
            guard result.ok else {
                guard [400, 404, 409].contains(result.status) else { return request.failure(result) }
                return try Self.promotions(request, errors: Self.promotionErrors(request, result))
            }
            return Self.redirect("/promotions?done=created")
        }
        add(&router, .get, "/promotions/:id", .signedIn) { request in try Self.promotionPage(request) }
        add(&router, .post, "/promotions/:id", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(
                .patch, "/api/v1/promotions/\(id)", body: Self.promotionBody(request, creating: false))
            guard result.ok else {
                guard [400, 409].contains(result.status) else { return request.failure(result) }
                return try Self.promotionPage(request, errors: Self.promotionErrors(request, result))
            }
            return Self.redirect("/promotions?done=saved")
        }
    }

    /// A discount as written: a percentage for `percent`, an amount in currency units otherwise.
    static func writtenValue(_ promotion: [String: Any], _ request: WebRequest) -> String {
        let value = Double(request.int(promotion["value"]) ?? 0) / 100
        return request.string(promotion["kind"]) == "percent"
            ? (value == value.rounded() ? String(Int(value)) : String(value)) : String(format: "%.2f", value)
    }

    /// The discount as a list shows it: "10 %", or the amount in the chain's currency.
    static func shownValue(_ promotion: [String: Any], _ request: WebRequest) -> String {
        let written = writtenValue(promotion, request)
        return request.string(promotion["kind"]) == "percent" ? "\(written) %" : request.money(promotion["amount"])
    }

    package static func promotions(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let result = request.call(.get, "/api/v1/promotions")
        guard result.ok else { return request.failure(result) }
        let branches = request.branches()
        let plans = Dictionary(
            request.call(.get, "/api/v1/plans").list.map { (request.int($0["id"]) ?? 0, request.string($0["name"])) }
        ) { first, _ in first }
        let rows: [[HTML]] = result.list.map { promotion in
            let id = request.string(promotion["id"])
            let code = request.string(promotion["code"])
            let planNames = ((promotion["plans"] as? [Any]) ?? []).compactMap { request.int($0).flatMap { plans[$0] } }
            let branchNames = ((promotion["branches"] as? [Any]) ?? []).compactMap {
                request.int($0).flatMap { branches[$0]?.name }
            }
            let from = request.day(promotion["validFrom"])
            let to = request.day(promotion["validTo"])
            let cap = promotion["maxUses"].map { " / \(request.string($0))" } ?? ""
            return [
                "<a href=\"/promotions/\(id)\">\(code.isEmpty ? t["promotions.automatic"] : code)</a>",
                "\(request.string(promotion["name"]))", "\(shownValue(promotion, request))",
                "\(planNames.isEmpty ? t["promotions.allPlans"] : planNames.joined(separator: ", "))",
                "\(branchNames.isEmpty ? t["promotions.allBranches"] : branchNames.joined(separator: ", "))",
                "\(from.isEmpty && to.isEmpty ? t["promotions.always"] : "\(from) – \(to)")",
                "\(request.string(promotion["uses"]))\(cap)",
                "\((promotion["active"] as? Bool) == true ? t["yes"] : t["no"])",
            ]
        }
        let notice = request.query("done").map { t["promotions.\($0 == "created" ? "created" : "saved")"] }
        let body: HTML = """
            <p class="muted">\(t["promotions.hint"])</p>
            \(rows.isEmpty ? "<p>\(t["promotions.none"])</p>" as HTML : request.table(
                [t["promotions.codeColumn"], t["field.name"], t["member.discount"],
                 t["promotions.plans"], t["promotions.branches"], t["promotions.validity"], t["promotions.uses"],
                 t["field.active"]],
                rows))
            <section class="card"><h2>\(t["promotions.new"])</h2>\
            <form method="post" action="/promotions">\(request.csrfField)
            \(promotionFields(request, values: promotionValues(request), errors: errors, plans: plans))
            <p><button type="submit">\(t["action.create"])</button></p></form></section>
            """
        return request.page(
            title: t["promotions.title"], active: "/promotions", body: body, status: errors.isEmpty ? 200 : 400,
            notice: notice)
    }

    package static func promotionPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let result = request.call(.get, "/api/v1/promotions/\(id)")
        guard result.ok else { return request.failure(result) }
        let plans = Dictionary(
            request.call(.get, "/api/v1/plans").list.map { (request.int($0["id"]) ?? 0, request.string($0["name"])) }
        ) { first, _ in first }
        let promotion = result.object
        let values = errors.isEmpty ? promotionValues(request, promotion) : promotionValues(request)
        let name =
            request.string(promotion["code"]).isEmpty
            ? request.string(promotion["name"])
            : request.string(
                promotion["code"])
        let body: HTML = """
            <p><a href="/promotions">\(t["promotions.back"])</a></p>
            <p>\(t["promotions.uses"]): \(request.string(promotion["uses"]))</p>
            <section class="card"><form method="post" action="/promotions/\(id)">\(request.csrfField)
            \(promotionFields(request, values: values, errors: errors, plans: plans))
            <p><button type="submit">\(t["action.save"])</button></p></form></section>
            """
        return request.page(
            title: "\(t["promotions.title"]) · \(name)", active: "/promotions", body: body,
            status: errors.isEmpty ? 200 : 400)
    }

    /// The form's values: from the API's promotion, or (without one) as they were typed. Plans
    /// and branches are comma-joined ids.
    static func promotionValues(_ request: WebRequest, _ promotion: [String: Any]? = nil) -> [String: String] {
        guard let promotion else {
            var values = Dictionary(uniqueKeysWithValues: promotionFieldNames.map { ($0, request.field($0)) })
            values["plans"] = request.fields("plans").joined(separator: ",")
            values["branches"] = request.fields("branches").joined(separator: ",")
            if request.field("name").isEmpty && request.field("kind").isEmpty { values["active"] = "on" }
            return values
        }
        var values: [String: String] = [:]
        for name in ["code", "name", "kind", "validFrom", "validTo", "maxUses", "maxUsesPerMember"] {
            values[name] = request.string(promotion[name])
        }
        values["value"] = writtenValue(promotion, request)
        for name in ["plans", "branches"] {
            values[name] = ((promotion[name] as? [Any]) ?? []).map { request.string($0) }.joined(separator: ",")
        }
        values["active"] = (promotion["active"] as? Bool) == true ? "on" : ""
        return values
    }

    /// The form's fields, errors beside the field they name.
    static func promotionFields(
        _ request: WebRequest, values: [String: String], errors: [String: String], plans: [Int64: String]
    ) -> HTML {
        let t = request.text
        func value(_ name: String) -> String { values[name] ?? "" }
        func boxes(_ name: String, _ label: String, _ options: [(Int64, String)]) -> HTML {
            let chosen = Set(value(name).split(separator: ",").map(String.init))
            let items: [HTML] = options.map { option in
                """
                <label><input type="checkbox" name="\(name)" value="\(option.0)"\
                \(HTML.when(chosen.contains(String(option.0)), " checked"))> \(option.1)</label> 
                """
            }
            return """
                <fieldset class="field\(HTML.when(errors[name] != nil, " invalid"))" id="f-\(name)">\
                <legend>\(label)</legend>\(items)\
                \(errors[name].map { "<span class=\"error\" id=\"f-\(name)-error\">\($0)</span>" as HTML } ?? "")\
                </fieldset>
                """
        }
        let branchOptions = request.branches().sorted { $0.key < $1.key }.map { ($0.key, $0.value.name) }
        return """
            <div class="row">\(request.input(
                "code", t["promotions.code"], value: value("code"), error: errors["code"],
                attributes: " maxlength=\"40\" pattern=\"[A-Za-z0-9_\\-]*\""))
            \(request.input(
                "name", t["field.name"], value: value("name"), required: true, error: errors["name"],
                attributes: " maxlength=\"100\""))</div>
            <div class="row">\(request.select(
                "kind", t["promotions.kind"],
                options: ["percent", "amount"].map { ($0, t["promotions.kind.\($0)"]) }, selected: value("kind"),
                error: errors["kind"]))
            \(request.input(
                "value", t["promotions.value"], value: value("value"), required: true, error: errors["value"],
                attributes: " inputmode=\"decimal\""))</div>
            \(boxes("plans", t["promotions.plans"], plans.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
            \(boxes("branches", t["promotions.branches"], branchOptions))
            <div class="row">\(request.input(
                "validFrom", t["promotions.validFrom"], value: value("validFrom"), type: "date",
                error: errors["validFrom"]))
            \(request.input(
                "validTo", t["promotions.validTo"], value: value("validTo"), type: "date", error: errors["validTo"]))
            </div>
            <div class="row">\(request.input(
                "maxUses", t["promotions.maxUses"], value: value("maxUses"), type: "number", error: errors["maxUses"],
                attributes: " min=\"1\" max=\"1000000\" step=\"1\""))
            \(request.input(
                "maxUsesPerMember", t["promotions.maxUsesPerMember"], value: value("maxUsesPerMember"),
                type: "number", error: errors["maxUsesPerMember"], attributes: " min=\"1\" max=\"1000\" step=\"1\""))
            </div>
            <p><label><input type="checkbox" name="active"\(HTML.when(value("active") == "on", " checked"))> \
            \(t["field.active"])</label></p>
            """
    }

    /// The API body from the form. A change sends every field, so an emptied one clears (no code:
    /// automatic; no date or cap: none; no plan or branch: all).
    static func promotionBody(_ request: WebRequest, creating: Bool) -> [String: Any] {
        var body: [String: Any] = [
            "name": request.field("name"), "kind": request.field("kind"), "active": request.field("active") == "on",
        ]
        let text = request.field("value").trimmingCharacters(in: .whitespaces)
        // Anything that is not a number goes as it is, so the core refuses it by name.
        if let number = Decimal(string: text), !text.isEmpty {
            body["value"] = NSDecimalNumber(decimal: number * 100).int64Value
        } else {
            body["value"] = text
        }
        let code = request.field("code").trimmingCharacters(in: .whitespaces)
        if !code.isEmpty || !creating { body["code"] = code }
        for name in ["plans", "branches"] {
            let ids = request.fields(name).compactMap { Int64($0) }
            if !ids.isEmpty || !creating { body[name] = ids }
        }
        for name in ["validFrom", "validTo", "maxUses", "maxUsesPerMember"] {
            let field = request.field(name).trimmingCharacters(in: .whitespaces)
            if field.isEmpty {
                if !creating { body[name] = NSNull() }
            } else if name.hasPrefix("valid") {
                body[name] = field
            } else {
                body[name] = Int64(field).map { $0 as Any } ?? field
            }
        }
        return body
    }

    /// A refusal of the form beside the field it names, in the page's language with the core's detail.
    static func promotionErrors(_ request: WebRequest, _ result: APIResult) -> [String: String] {
        let field = result.erroredField(among: promotionFieldNames) ?? "name"
        let error = result.error ?? ""
        let detail = error.hasPrefix("\(field): ") ? String(error.dropFirst(field.count + 2)) : error
        guard ["value", "code"].contains(field) else { return [field: detail] }
        return [field: "\(request.text["promotions.error.\(field)"]) (\(detail))"]
    }

    /// Under a sale's price: the list price, the discount and the promotion, when it had one.
    static func discountNote(_ request: WebRequest, _ subscription: [String: Any]) -> HTML {
        guard let discount = subscription["discount"] as? [String: Any], (request.int(discount["minorUnits"]) ?? 0) > 0
        else { return "" }
        let t = request.text
        return """
            <br><small class="muted">\(t["member.listPrice"]) \(request.money(subscription["listPrice"])) · \
            \(t["member.discount"]) \(request.money(discount)) · \(request.string(subscription["promotion"]))</small>
            """
    }

    /// Renewing a subscription, with a promotion code (none: the best automatic one).
    static func renewForm(_ request: WebRequest, member: String, subscription: String) -> HTML {
        let t = request.text
        return """
            <details><summary>\(t["member.renew"])</summary>\
            <form method="post" action="/members/\(member)/renew">\(request.csrfField)\
            <input type="hidden" name="subscription" value="\(subscription)">\
            \(request.input(
                "promotion", t["field.promotion"], attributes: " maxlength=\"40\"", id: "f-promotion-\(subscription)"))\
            <p><button type="submit" class="small">\(t["member.renew"])</button></p></form></details>
            """
    }
}
