import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension Schema {
    static let invoice = named(
        "Invoice",
        .object(
            [
                "id": .id, "branch": .id, "kind": .string(values: ["invoice", "credit_note"]), "number": .id,
                "folio": .text, "subscriptionID": .id, "issuedAt": .timestamp, "issuedDate": .date,
                "seller": .object([
                    "legalName": .text, "taxID": .text, "fiscalAddress": .text, "branchName": .text,
                ]),
                "buyer": .object(["userID": .id, "name": .text], optional: ["agreementID": .id]),
                "description": .text, "listPrice": money, "discount": money, "total": money,
                "taxRateBasisPoints": .integer(minimum: 0, maximum: 10_000), "tax": money, "net": money,
                "reason": .text,
            ],
            optional: ["cancels": .id, "cancelledBy": .id]))
}

extension CoreAPI {
    static let invoiceQuery: [QueryParameter] = [
        .date("from"), .date("to"), .integer("user", 1...Int64.max), .choice("format", ["json", "csv", "xlsx"]),
        .integer("limit", 1...10_000),
    ]

    static let invoiceAnswers: [RouteAnswer] = [
        .json(200, .array(.invoice), "the latest first (format=json)"), .file("text/csv", "every row (format=csv)"),
        .file("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "every row (format=xlsx)"),
    ]

    /// An invoice the caller sees: one of a branch where they hold subscription_invoices; else a 404.
    static func invoiceTarget(_ request: APIRequest) throws -> InvoiceView {
        guard let found = try request.database.invoices.invoice(try request.id(what: "invoice")),
            try request.actor.may(.subscriptionInvoices, at: BranchID(found.branch))
        else { throw HTTPResponseError(.error(404, "no such invoice")) }
        return found
    }

    /// The listing: JSON, or every row the filter lets through as CSV or XLSX.
    static func invoiceList(_ request: APIRequest, buyer: UserID?, branches: Set<BranchID>?) throws -> HTTPResponse {
        var filter = InvoiceFilter()
        filter.branches = branches
        filter.buyer = buyer
        filter.from = try day(request.query("from"), field: "from")
        filter.to = try day(request.query("to"), field: "to")
        let format = request.query("format") ?? "json"
        guard ["json", "csv", "xlsx"].contains(format) else {
            return .error(400, "query parameter format must be json, csv or xlsx")
        }
        let limit = try request.queryInt("limit", default: 500, range: 1...10_000)
        let invoices = try request.database.invoices.invoices(filter, limit: format == "json" ? limit : 1_000_000)
        guard format != "json" else { return .json(invoices) }
        // A number a spreadsheet reads (the currency has its own column).
        func amount(_ money: Money) -> String {
            let units = money.minorUnits.magnitude
            return "\(money.minorUnits < 0 ? "-" : "")\(units / 100).\(units % 100 < 10 ? "0" : "")\(units % 100)"
        }
        let table = TableExport(
            header: [
                "folio", "kind", "date", "branch", "buyer", "buyer user", "description", "list price", "discount",
                "total", "tax rate bp", "tax", "net", "currency", "cancels", "cancelled by", "reason",
            ],
            rows: invoices.map {
                [
                    $0.folio, $0.kind, $0.issuedDate.description, $0.seller.branchName, $0.buyer.name,
                    String($0.buyer.userID), $0.description, amount($0.listPrice), amount($0.discount),
                    amount($0.total), String($0.taxRateBasisPoints), amount($0.tax), amount($0.net), $0.total.currency,
                    $0.cancels.map(String.init) ?? "", $0.cancelledBy.map(String.init) ?? "", $0.reason,
                ]
            })
        let (type, body) =
            format == "csv"
            ? ("text/csv; charset=utf-8", table.csv())
            : ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", table.xlsx(sheetName: "invoices"))
        return HTTPResponse(
            status: 200,
            headers: [("Content-Type", type), ("Content-Disposition", "attachment; filename=\"invoices.\(format)\"")],
            body: body)
    }

    /// Subscription invoices: staff with subscription_invoices at a branch see and cancel its
    /// invoices; every signed-in member sees their own.
    package static func declareInvoiceRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/invoices", .privilege(.subscriptionInvoices),
            "Invoices and credit notes of your branches, the latest first; from/to days, a buyer (user); "
                + "format=csv or xlsx exports every row",
            query: invoiceQuery, answers: invoiceAnswers
        ) { request in
            let user =
                try request.query("user") == nil
                ? nil : UserID(Int64(request.queryInt("user", default: 0, range: 1...Int.max)))
            return try invoiceList(request, buyer: user, branches: visibleBranches(request, .subscriptionInvoices))
        }
        table.add(
            .get, "/api/v1/invoices/:id", .privilege(.subscriptionInvoices), "One invoice or credit note",
            answers: [.json(200, .invoice)]
        ) { request in
            .json(try invoiceTarget(request))
        }
        table.add(
            .post, "/api/v1/invoices/:id/cancel", .privilege(.subscriptionInvoices),
            "Cancel an invoice with a credit note (the next number of its branch's series), saying why; the "
                + "invoice stays as it was",
            body: [.required("reason", .reason)], answers: [.json(201, .invoice)]
        ) { request in
            struct Body: Decodable { let reason: String }
            let body = try request.body(Body.self)
            let original = try invoiceTarget(request)
            let note = try request.database.write { () -> InvoiceView? in
                guard
                    let note = try request.database.invoices.cancel(
                        original.id, reason: body.reason, now: request.now,
                        today: request.today(BranchID(original.branch)))
                else { return nil }
                try request.audit(
                    "invoice.cancel", target: "invoice:\(original.id)",
                    changes: ["folio": original.folio, "creditNote": note.folio, "reason": note.reason],
                    concerning: [BranchID(original.branch)])
                return note
            }
            guard let note else { return .error(404, "no such invoice") }
            return .json(note, status: 201)
        }
        table.add(
            .get, "/api/v1/me/invoices", .signedIn, "Your own invoices and credit notes, the latest first",
            query: invoiceQuery.filter { $0.name != "user" }, answers: invoiceAnswers
        ) { request in
            try invoiceList(request, buyer: try request.actor.id, branches: nil)
        }
        table.add(
            .get, "/api/v1/me/invoices/:id", .signedIn, "One of your own invoices or credit notes",
            answers: [.json(200, .invoice)]
        ) { request in
            guard let found = try request.database.invoices.invoice(try request.id(what: "invoice")),
                found.buyer.userID == (try request.actor.id).rawValue
            else { return .error(404, "no such invoice") }
            return .json(found)
        }
    }
}
