import BackOffice
import Foundation
import HTTP
import PorteroModel

/// Payments owed (the desk's list and the member page's form) and the chain's settings.
extension WebUI {
    package func declarePaymentPages(_ router: inout Router) {
        add(&router, .get, "/payments", .signedIn) { request in Self.paymentsOwed(request) }
        memberForm(&router, "/members/:id/payment", form: "payment") { request, _ in
            var body: [String: Any] = ["outcome": request.field("outcome"), "method": request.field("method")]
            let amount = request.field("amountMinor")
            if !amount.isEmpty { body["amountMinor"] = Int64(amount) ?? amount }
            if !request.field("reference").isEmpty { body["reference"] = request.field("reference") }
            return request.call(
                .post, "/api/v1/subscriptions/\(Int64(request.field("subscription")) ?? 0)/payments", body: body)
        }
        add(&router, .get, "/chain-settings", .signedIn) { request in Self.chainSettings(request) }
        add(&router, .post, "/chain-settings", .signedIn) { request in
            var body: [String: Any] = Self.configurationTyped(request)
            body["signInNetworks"] = Self.networksTyped(request)
            for name in ["currency", "legalName", "taxID", "fiscalAddress"] { body[name] = request.field(name) }
            for name in ["paymentGraceDays", "taxRateBasisPoints", "supportSessionMinutes"]
            where name != "supportSessionMinutes" || !request.field(name).isEmpty {
                body[name] = Int64(request.field(name)) ?? request.field(name) as Any
            }
            let result = request.call(.put, "/api/v1/settings", body: body)
            guard result.ok else { return Self.chainSettings(request, failed: result) }
            return Self.redirect("/chain-settings?done=1")
        }
    }

    /// The payment cell of a subscription row: where its payment stands, and while it owes, a
    /// form to record a payment (or a failed one).
    package static func paymentCell(_ request: WebRequest, member: String, subscription: [String: Any]) -> HTML {
        let t = request.text
        let status = request.string(subscription["paymentStatus"])
        guard status != "paid", !status.isEmpty else { return HTML(stringLiteral: t["payment.paid"]) }
        let sid = request.string(subscription["id"])
        let refused = request.day(subscription["doorRefusesFrom"])
        let methods = ["cash", "card", "transfer"].map { ($0, t["method." + $0]) }
        return """
            <span class="standing expired">\(t["payment." + status])</span> \
            <small>\(t["payments.due"]) \(request.day(subscription["paymentDue"])) · \
            \(t["payments.refusedFrom"]) \(refused)</small>
            <details><summary>\(t["payments.record"])</summary>\
            <form method="post" action="/members/\(member)/payment">\(request.csrfField)\
            <input type="hidden" name="subscription" value="\(sid)">\
            \(request.select(
                "outcome", t["payments.outcome"],
                options: ["paid", "failed"].map { ($0, t["payment.outcome." + $0]) }, id: "f-outcome-\(sid)"))\
            \(request.select("method", t["payments.method"], options: methods, id: "f-method-\(sid)"))\
            \(request.input(
                "amountMinor", t["payments.amount"], value: request.string(
                    (subscription["pricePaid"] as? [String: Any])?["minorUnits"]), type: "number",
                id: "f-amount-\(sid)"))\
            \(request.input("reference", t["field.reference"], id: "f-reference-\(sid)"))\
            <p><button type="submit">\(t["payments.record"])</button></p></form></details>
            """
    }

    package static func paymentsOwed(_ request: WebRequest) -> HTTPResponse {
        let t = request.text
        let owed = request.call(.get, "/api/v1/payments/owed")
        guard owed.ok else { return request.failure(owed) }
        let branches = request.branches()
        var names: [String: String] = [:]
        let rows: [[HTML]] = owed.list.map { subscription in
            let member = request.string(subscription["userID"])
            if names[member] == nil {
                names[member] = request.fullName(request.call(.get, "/api/v1/users/\(member)").object)
            }
            let status = request.string(subscription["paymentStatus"])
            return [
                "<a href=\"/members/\(member)\">\(names[member] ?? member)</a>",
                "\(request.string(subscription["planName"]))",
                "\(request.int(subscription["branch"]).flatMap { branches[$0]?.name } ?? "")",
                "\(request.money(subscription["pricePaid"]))", "\(t["payment." + status])",
                "\(request.day(subscription["paymentDue"]))", "\(request.day(subscription["doorRefusesFrom"]))",
            ]
        }
        let body: HTML =
            rows.isEmpty
            ? "<p>\(t["payments.none"])</p>"
            : request.table(
                [
                    t["attendance.member"], t["field.plan"], t["field.branch"], t["field.price"],
                    t["payments.payment"], t["payments.due"], t["payments.refusedFrom"],
                ], rows)
        return request.page(title: t["payments.title"], active: "/payments", body: body)
    }
}
