import BackOffice
import Foundation
import HTTP
import PorteroModel

/// Subscription invoices: the staff's list (with CSV and Excel export), a printable invoice with
/// its cancellation by credit note, and a member's own invoices.
extension WebUI {
    func declareInvoicePages(_ router: inout Router) {
        add(&router, .get, "/invoices", .signedIn) { request in
            Self.invoiceList(request, api: "/api/v1/invoices", page: "/invoices", title: "invoices.title")
        }
        add(&router, .get, "/invoices/:id", .signedIn) { request in
            Self.invoicePage(request, api: "/api/v1/invoices", page: "/invoices")
        }
        add(&router, .post, "/invoices/:id/cancel", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(.post, "/api/v1/invoices/\(id)/cancel", body: ["reason": request.field("reason")])
            guard result.ok else {
                guard [400, 409].contains(result.status) else { return request.failure(result) }
                let error = result.error ?? ""
                let field = result.erroredField(among: ["reason", "invoice"]) ?? "reason"
                return Self.invoicePage(
                    request, api: "/api/v1/invoices", page: "/invoices",
                    errors: [field: error.hasPrefix("\(field): ") ? String(error.dropFirst(field.count + 2)) : error])
            }
            return Self.redirect("/invoices/\(request.int(result.object["id"]) ?? 0)?done=cancelled")
        }
        add(&router, .get, "/my/invoices", .signedIn) { request in
            Self.invoiceList(request, api: "/api/v1/me/invoices", page: "/my/invoices", title: "invoices.mine")
        }
        add(&router, .get, "/my/invoices/:id", .signedIn) { request in
            Self.invoicePage(request, api: "/api/v1/me/invoices", page: "/my/invoices")
        }
    }

    /// The list, filtered by days, with the export of what it shows.
    static func invoiceList(_ request: WebRequest, api: String, page: String, title: String) -> HTTPResponse {
        let t = request.text
        let days = ["from", "to"].compactMap { name in request.query(name).map { (name, $0) } }.filter {
            !$0.1.isEmpty
        }
        let result = request.call(.get, api, query: days)
        guard result.ok else { return request.failure(result) }
        let rows: [[HTML]] = result.list.map { invoice in
            let id = request.string(invoice["id"])
            return [
                "<a href=\"\(page)/\(id)\">\(request.string(invoice["folio"]))</a>",
                "\(t["invoices.kind." + request.string(invoice["kind"])])", "\(request.day(invoice["issuedDate"]))",
                "\(request.string((invoice["buyer"] as? [String: Any])?["name"]))",
                "\(request.string(invoice["description"]))", "\(request.money(invoice["total"]))",
                "\(state(request, invoice))",
            ]
        }
        let exportQuery = days.map { "\($0.0)=\(WebRequest.percentEncode($0.1))" }.joined(separator: "&")
        let body: HTML = """
            <form method="get" action="\(page)" class="row noprint">\
            \(request.input("from", t["invoices.from"], value: request.query("from") ?? "", type: "date"))
            \(request.input("to", t["invoices.to"], value: request.query("to") ?? "", type: "date"))
            <p><button type="submit">\(t["action.filter"])</button></p></form>
            <p class="noprint"><a class="button" href="\(api)?format=csv&\(exportQuery)" download>\
            \(t["action.export"])</a> <a class="button" href="\(api)?format=xlsx&\(exportQuery)" download>\
            \(t["action.exportXLSX"])</a></p>
            \(rows.isEmpty ? "<p>\(t["invoices.none"])</p>" as HTML : request.table(
                [t["invoices.folio"], "", t["invoices.date"], t["invoices.buyer"], t["invoices.description"],
                 t["invoices.total"], t["invoices.state"]],
                rows))
            """
        return request.page(title: t[title], active: page, body: body)
    }

    static func state(_ request: WebRequest, _ invoice: [String: Any]) -> String {
        let t = request.text
        if invoice["cancelledBy"] != nil { return t["invoices.cancelledBy"] }
        if invoice["cancels"] != nil { return t["invoices.kind.credit_note"] }
        return t["invoices.valid"]
    }

    /// One invoice as it prints: seller, buyer, what was sold, the tax it contains and the total;
    /// for staff, the cancellation by credit note.
    static func invoicePage(_ request: WebRequest, api: String, page: String, errors: [String: String] = [:])
        -> HTTPResponse
    {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let result = request.call(.get, "\(api)/\(id)")
        guard result.ok else { return request.failure(result) }
        let invoice = result.object
        let seller = (invoice["seller"] as? [String: Any]) ?? [:]
        let buyer = (invoice["buyer"] as? [String: Any]) ?? [:]
        let kind = t["invoices.kind." + request.string(invoice["kind"])]
        let folio = request.string(invoice["folio"])
        let rate = (Double(request.int(invoice["taxRateBasisPoints"]) ?? 0) / 100).formatted()
        func line(_ label: String, _ key: String) -> HTML {
            "<tr><th scope=\"row\">\(label)</th><td class=\"number\">\(request.money(invoice[key]))</td></tr>"
        }
        var links: [HTML] = []
        if let cancels = request.int(invoice["cancels"]) {
            links.append("<p>\(t["invoices.cancels"]) <a href=\"\(page)/\(cancels)\">\(cancels)</a></p>")
        }
        if let note = request.int(invoice["cancelledBy"]) {
            links.append("<p><strong>\(t["invoices.cancelledBy"]) <a href=\"\(page)/\(note)\">\(note)</a></strong></p>")
        }
        if !request.string(invoice["reason"]).isEmpty {
            links.append("<p>\(t["invoices.reason"]): \(request.string(invoice["reason"]))</p>")
        }
        let cancel: HTML = HTML.when(
            page == "/invoices" && invoice["cancelledBy"] == nil && request.string(invoice["kind"]) == "invoice",
            """
            <details class="noprint"\(HTML.when(!errors.isEmpty, " open"))><summary>\(t["invoices.cancel"])</summary>\
            <form method="post" action="/invoices/\(id)/cancel">\(request.csrfField)
            \(request.input(
                "reason", t["invoices.reason"], value: request.field("reason"), required: true,
                error: errors["reason"] ?? errors["invoice"], attributes: " minlength=\"3\" maxlength=\"200\""))
            <p><button type="submit" class="danger">\(t["invoices.cancel"])</button></p></form></details>
            """)
        let body: HTML = """
            <p class="noprint"><a href="\(page)">\(t["invoices.back"])</a></p>
            <section class="card invoice"><h2>\(kind) \(folio)</h2>
            <p>\(t["invoices.date"]): \(request.day(invoice["issuedDate"]))</p>
            <div class="grid"><div><h3>\(t["invoices.seller"])</h3><p>\(request.string(seller["legalName"]))<br>\
            \(t["invoices.taxID"]): \(request.string(seller["taxID"]))<br>\(request.string(seller["fiscalAddress"]))\
            <br>\(request.string(seller["branchName"]))</p></div>
            <div><h3>\(t["invoices.buyer"])</h3><p>\(request.string(buyer["name"]))</p></div></div>
            <table><tbody><tr><th scope="row">\(t["invoices.description"])</th>\
            <td>\(request.string(invoice["description"]))</td></tr>
            \(line(t["invoices.listPrice"], "listPrice"))\(line(t["invoices.discount"], "discount"))\
            \(line(t["invoices.net"], "net"))\(line("\(t["invoices.tax"]) \(rate) %", "tax"))\
            \(line(t["invoices.total"], "total"))</tbody></table>
            \(links)
            <p class="muted">\(t["invoices.notCFDI"])</p></section>
            \(cancel)
            """
        let notice = request.query("done") == "cancelled" ? t["invoices.cancelled"] : nil
        return request.page(
            title: "\(kind) \(folio)", active: page, body: body, status: errors.isEmpty ? 200 : 400, notice: notice)
    }

    /// The member's invoices by the sale they bill, for those who may see invoices.
    static func invoicesBySale(_ request: WebRequest, member: String) -> [Int64: (id: Int64, folio: String)] {
        guard request.may(.subscriptionInvoices) else { return [:] }
        let list = request.call(.get, "/api/v1/invoices", query: [("user", member), ("limit", "1000")]).list
        var found: [Int64: (id: Int64, folio: String)] = [:]
        for invoice in list where request.string(invoice["kind"]) == "invoice" {
            guard let sale = request.int(invoice["subscriptionID"]), let id = request.int(invoice["id"]) else {
                continue
            }
            found[sale] = (id, request.string(invoice["folio"]))
        }
        return found
    }

    /// Under a sale's price: a link to its invoice.
    static func invoiceLink(
        _ request: WebRequest, _ subscription: [String: Any], _ invoices: [Int64: (id: Int64, folio: String)]
    ) -> HTML {
        guard let sale = request.int(subscription["id"]), let invoice = invoices[sale] else { return "" }
        return
            "<br><small><a href=\"/invoices/\(invoice.id)\">\(request.text["invoices.kind.invoice"]) \(invoice.folio)</a></small>"
    }
}
