import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The sale screen (products and quantities, payments) and the receipt of a ticket.
extension WebUI {
    /// The sale screen of one's own open shift; `errors` beside the part at fault.
    static func sellPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let cut = request.call(.get, "/api/v1/cash/shifts/\(id)")
        guard cut.ok else { return request.failure(cut) }
        let shift = cut.object["shift"] as? [String: Any] ?? [:]
        let branch = request.int(shift["branch"]) ?? 0
        guard request.int(shift["openedBy"]) == request.account?.id.rawValue, shift["closedAt"] == nil else {
            return request.page(
                title: t["pos.sell"], active: "/pos",
                body: "<p class=\"error\" role=\"alert\">\(t["pos.notYours"])</p>", status: 403)
        }
        let products = request.call(
            .get, "/api/v1/pos/products", query: [("active", "true"), ("branch", String(branch))]
        ).list
        let rows: [[HTML]] = products.map { product in
            let pid = request.int(product["id"]) ?? 0
            let tracks = (product["tracksStock"] as? Bool) == true
            let stock = (product["stock"] as? [[String: Any]])?.first.map { request.string($0["quantity"]) } ?? "0"
            return [
                "<label for=\"q-\(pid)\">\(request.string(product["name"]))</label>",
                "\(request.string(product["sku"]))",
                "\(request.money(product["price"]))", "\(tracks ? stock : "—")",
                """
                <input id="q-\(pid)" name="q-\(pid)" type="number" min="0" max="100000" step="1" size="4" \
                value="\(request.field("q-\(pid)"))" \
                aria-label="\(t["pos.quantity"]) \(request.string(product["name"]))">
                """,
            ]
        }
        func pay(_ method: String) -> HTML {
            request.input(
                "pay-\(method)", t["pos.method.\(method)"], value: request.field("pay-\(method)"),
                attributes: " inputmode=\"decimal\" size=\"10\" placeholder=\"0.00\"")
        }
        let lineError: HTML =
            errors["lines"].map { "<p class=\"error\" role=\"alert\" id=\"lines-error\">\($0)</p>" } ?? ""
        let payError: HTML =
            errors["payments"].map { "<p class=\"error\" role=\"alert\" id=\"payments-error\">\($0)</p>" } ?? ""
        let body: HTML = """
            <p class="noprint"><a href="/pos">\(t["pos.title"])</a> · \(request.string(shift["registerName"])) · \
            <a href="/pos/shifts/\(id)">\(t["pos.cut"])</a></p>
            <form method="post" action="/pos/shifts/\(id)/sell">\(request.csrfField)
            <section class="card"><p>\(t["pos.sellHint"])</p>\(lineError)\(products.isEmpty
                ? "<p>\(t["pos.noProducts"])</p>" as HTML
                : request.table(
                    [t["pos.product"], t["pos.sku"], t["pos.price"], t["pos.stock"], t["pos.quantity"]], rows))
            \(request.input(
                "discount", t["pos.ticketDiscount"], value: request.field("discount"), error: errors["discountMinor"],
                attributes: " inputmode=\"decimal\" size=\"10\" placeholder=\"0.00\""))</section>
            <section class="card"><h2>\(t["pos.payments"])</h2>\(payError)<div class="row">\(pay("cash"))\(pay("card"))\
            \(pay("transfer"))</div>
            <p><button type="submit">\(t["pos.charge"])</button></p></section></form>
            """
        return request.page(
            title: "\(t["pos.sell"]) · \(request.string(shift["registerName"]))", active: "/pos", body: body,
            status: errors.isEmpty ? 200 : 400)
    }

    /// A ticket laid out for an 80 mm printer, with void and refund for those who manage the cash.
    static func receiptPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let result = request.call(.get, "/api/v1/pos/sales/\(id)")
        guard result.ok else { return request.failure(result) }
        let sale = result.object
        let branchID = request.int(sale["branch"]) ?? 0
        let branch = request.branches()[branchID]
        let when =
            request.int(sale["soldAt"]).map {
                let instant = Timestamp(milliseconds: $0)
                let zone = branch?.zone ?? "UTC"
                return "\(t.day(ZoneCache.rules(zone).localDay(at: instant))) \(t.time(instant, zone: zone))"
            } ?? ""
        let lines: [HTML] = (sale["lines"] as? [[String: Any]] ?? []).map { line in
            """
            <tr><td>\(request.string(line["quantity"])) × \(request.string(line["name"]))</td>\
            <td class="num">\(request.money(line["net"]))</td></tr>
            """
        }
        let payments: [HTML] = (sale["payments"] as? [[String: Any]] ?? []).map { payment in
            """
            <tr><td>\(t["pos.method.\(request.string(payment["method"]))"])</td>\
            <td class="num">\(request.money(payment["amount"]))</td></tr>
            """
        }
        let refunds: [HTML] = (sale["refunds"] as? [[String: Any]] ?? []).map { refund in
            """
            <tr><td>\(t["pos.refunds"]): \(request.string(refund["reason"]))</td>\
            <td class="num">−\(request.money(refund["amount"]))</td></tr>
            """
        }
        let status = request.string(sale["status"])
        let voidReason: HTML = sale["voidReason"].map { " · \(request.string($0))" } ?? ""
        func reasonField(_ id: String, _ error: String?) -> HTML {
            request.input(
                "reason", t["pos.reason"], required: true, error: error,
                attributes: " minlength=\"3\" maxlength=\"200\"", id: id)
        }
        var manage: HTML = ""
        if request.account?.may(.cashCut, at: BranchID(branchID)) == true && status == "completed" {
            let open = request.call(
                .get, "/api/v1/cash/shifts", query: [("open", "true"), ("branch", String(branchID))]
            ).list
            let shiftOptions = open.map { (request.string($0["id"]), request.string($0["registerName"])) }
            manage = """
                <section class="card noprint"><form method="post" action="/pos/sales/\(id)/void">\(request.csrfField)\
                \(reasonField("void-reason", errors["reason"]))\
                <p><button type="submit" class="danger">\(t["pos.void"])</button></p></form>
                \(HTML.when(!open.isEmpty, """
                    <form method="post" action="/pos/sales/\(id)/refund">\(request.csrfField)<div class="row">\
                    \(request.select("shift", t["pos.register"], options: shiftOptions, id: "refund-shift"))\
                    \(reasonField("refund-reason", errors["refund"]))\
                    </div><p><button type="submit">\(t["pos.refund"])</button></p></form>
                    """))</section>
                """
        }
        let body: HTML = """
            \(posHead)
            <p class="noprint"><a href="/pos">\(t["pos.title"])</a> · \
            <a id="shift-cut" href="/pos/shifts/\(request.string(sale["shift"]))">\(t["pos.cut"])</a> · \
            <button type="button" data-print>\(t["pos.print"])</button></p>
            <section class="card receipt" id="receipt"><h1>\(branch?.name ?? "")</h1>
            <p>\(t["pos.ticket"]) \(id) · \(when)</p>
            <p><strong>\(t["pos.status.\(status)"])</strong>\(voidReason)</p>
            <table><tbody>\(lines)
            <tr><td>\(t["pos.subtotal"])</td><td class="num">\(request.money(sale["subtotal"]))</td></tr>
            <tr><td>\(t["pos.ticketDiscount"])</td><td class="num">\(request.money(sale["discount"]))</td></tr>
            <tr><th scope="row">\(t["pos.total"])</th><td class="num"><strong id="ticket-total">\
            \(request.money(sale["total"]))</strong></td></tr>
            <tr><td>\(t["pos.tax"])</td><td class="num">\(request.money(sale["tax"]))</td></tr>
            \(payments)
            <tr><td>\(t["pos.change"])</td><td class="num" id="ticket-change">\(request.money(sale["change"]))</td></tr>
            \(refunds)</tbody></table></section>
            \(manage)
            """
        return request.page(
            title: "\(t["pos.ticket"]) \(id)", active: "/pos", body: body, status: errors.isEmpty ? 200 : 400)
    }
}
