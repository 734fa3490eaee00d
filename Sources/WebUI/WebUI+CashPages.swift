import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The cut report of a shift (printable on 80 mm paper), its close, cash in and out, the
/// corrections of a closed cut, and the home page's flag for shifts left open past midnight.
extension WebUI {
    package func declareCashPages(_ router: inout Router) {
        add(&router, .get, "/pos/shifts/:id", .signedIn) { request in try Self.cutPage(request) }
        add(&router, .post, "/pos/shifts/:id/close", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            var body: [String: Any] = [:]
            for (method, key) in [("cash", "countedCash"), ("card", "countedCard"), ("transfer", "countedTransfer")] {
                guard let amount = Self.minorUnits(request.field("counted-\(method)")) else {
                    return try Self.cutPage(request, errors: ["counted-\(method)": request.field("counted-\(method)")])
                }
                body[key] = amount
            }
            let result = request.call(.post, "/api/v1/cash/shifts/\(id)/close", body: body)
            guard result.ok else {
                guard [400, 409].contains(result.status) else { return request.failure(result) }
                return try Self.cutPage(request, errors: ["counted-cash": result.error ?? ""])
            }
            return Self.redirect("/pos/shifts/\(id)")
        }
        add(&router, .post, "/pos/shifts/:id/movements", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let kind = request.field("kind")
            let negative = request.field("amount").hasPrefix("-")
            guard let amount = Self.minorUnits(String(request.field("amount").drop { $0 == "-" })), amount > 0 else {
                return try Self.cutPage(request, errors: ["amount": request.field("amount")])
            }
            let result = request.call(
                .post, "/api/v1/cash/shifts/\(id)/movements",
                body: [
                    "kind": kind, "method": request.field("method"), "amountMinor": negative ? -amount : amount,
                    "reason": request.field("reason"),
                ])
            guard result.ok else {
                guard [400, 403, 409].contains(result.status) else { return request.failure(result) }
                let field = result.erroredField(among: ["reason", "kind"]) ?? "amount"
                return try Self.cutPage(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/pos/shifts/\(id)")
        }
    }

    static func movementRows(_ request: WebRequest, _ movements: [[String: Any]], zone: String) -> [[HTML]] {
        let t = request.text
        return movements.map { movement in
            let at = request.int(movement["at"]).map { t.time(Timestamp(milliseconds: $0), zone: zone) } ?? ""
            let reference = request.string(movement["reference"])
            let link: HTML =
                reference.hasPrefix("sale:")
                ? "<a href=\"/pos/sales/\(String(reference.dropFirst(5)))\">\(reference)</a>" : "\(reference)"
            return [
                "\(at)", "\(t["cut.kind.\(request.string(movement["kind"]))"])",
                "\(t["pos.method.\(request.string(movement["method"]))"])", "\(request.money(movement["amount"]))",
                "\(link) \(request.string(movement["reason"]))",
            ]
        }
    }

    /// A shift's cut: movements, expected and counted per method, and the forms that still apply.
    static func cutPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let result = request.call(.get, "/api/v1/cash/shifts/\(id)")
        guard result.ok else { return request.failure(result) }
        let cut = result.object
        let shift = cut["shift"] as? [String: Any] ?? [:]
        let branchID = request.int(shift["branch"]) ?? 0
        let branch = request.branches()[branchID]
        let zone = branch?.zone ?? "UTC"
        let open = cut["status"] as? String == "open"
        func stamp(_ value: Any?) -> String {
            request.int(value).map {
                let instant = Timestamp(milliseconds: $0)
                return "\(t.day(ZoneCache.rules(zone).localDay(at: instant))) \(t.time(instant, zone: zone))"
            } ?? ""
        }
        let methods: [[HTML]] = (cut["methods"] as? [[String: Any]] ?? []).map { total in
            let method = request.string(total["method"])
            return [
                "\(t["pos.method.\(method)"])",
                "<span id=\"expected-\(method)\">\(request.money(total["expected"]))</span>",
                "\(request.money(total["counted"]))",
                "<span id=\"difference-\(method)\">\(request.money(total["difference"]))</span>",
            ]
        }
        let manages = request.account?.may(.cashCut, at: BranchID(branchID)) == true
        let mine = request.int(shift["openedBy"]) == request.account?.id.rawValue
        var forms: [HTML] = []
        if open && manages {
            let fields: [HTML] = ["cash", "card", "transfer"].map { method in
                request.input(
                    "counted-\(method)", "\(t["cut.counted"]): \(t["pos.method.\(method)"])",
                    value: request.field("counted-\(method)"), required: true, error: errors["counted-\(method)"],
                    attributes: " inputmode=\"decimal\" size=\"10\" placeholder=\"0.00\"")
            }
            forms.append(
                """
                <section class="card noprint"><h2>\(t["cut.close"])</h2>\
                <form method="post" action="/pos/shifts/\(id)/close">\(request.csrfField)\
                <div class="row">\(fields)</div><p><button type="submit">\(t["cut.close"])</button></p>\
                </form></section>
                """)
        }
        if (open && (manages || mine)) || (!open && manages) {
            let kinds = open ? ["withdrawal", "deposit"] : ["correction"]
            let methodOptions = ["cash", "card", "transfer"].map { ($0, t["pos.method.\($0)"]) }
            forms.append(
                """
                <section class="card noprint"><h2>\(t["cut.move"])</h2>\
                <form method="post" action="/pos/shifts/\(id)/movements">\
                \(request.csrfField)<div class="row">\(request.select(
                    "kind", t["cut.kind"], options: kinds.map { ($0, t["cut.kind.\($0)"]) }, error: errors["kind"]))\
                \(request.select("method", t["cut.method"], options: methodOptions))\
                \(request.input(
                    "amount", t["cut.amount"], required: true, error: errors["amount"],
                    attributes: " inputmode=\"decimal\" size=\"10\""))\
                \(request.input(
                    "reason", t["pos.reason"], required: true, error: errors["reason"],
                    attributes: " minlength=\"3\" maxlength=\"200\""))\
                </div><p><button type="submit">\(t["cut.move"])</button></p></form></section>
                """)
        }
        let corrections = cut["corrections"] as? [[String: Any]] ?? []
        let headers = [t["attendance.time"], t["cut.kind"], t["cut.method"], t["cut.amount"], t["pos.reason"]]
        let body: HTML = """
            \(posHead)
            <p class="noprint"><a href="/pos">\(t["pos.title"])</a> · \
            <button type="button" data-print>\(t["pos.print"])</button></p>
            <section class="card receipt" id="cut"><h1>\(t["cut.title"]) · \(branch?.name ?? "")</h1>
            <p>\(t["pos.register"]): \(request.string(shift["registerName"])) · \(t["pos.shift"]) \(id)</p>
            <p id="cut-status"><strong>\(open ? t["cut.open"] : t["cut.closed"])</strong></p>
            <p>\(t["pos.openedBy"]): \(request.string(shift["openedByName"])) · \(stamp(shift["openedAt"]))</p>
            \(HTML.when(!open, "<p>\(t["cut.closedBy"]): \(stamp(shift["closedAt"]))</p>"))
            <p>\(t["pos.float"]): \(request.money(shift["float"])) · \
            \(t["cut.sales"]): \(request.string(cut["salesCount"]))</p>
            \(request.table([t["cut.method"], t["cut.expected"], t["cut.counted"], t["cut.difference"]], methods))
            <h2>\(t["cut.movements"])</h2>\(request.table(
                headers, movementRows(request, cut["movements"] as? [[String: Any]] ?? [], zone: zone)))
            \(HTML.when(!corrections.isEmpty, """
                <h2>\(t["cut.corrections"])</h2>\
                \(request.table(headers, movementRows(request, corrections, zone: zone)))
                <p>\(t["pos.total"]): \(request.money(cut["correctionsTotal"]))</p>
                """))</section>
            \(forms)
            """
        return request.page(
            title: "\(t["cut.title"]) \(id)", active: "/pos", body: body, status: errors.isEmpty ? 200 : 400)
    }

    /// For the home page of those who hold cash_cut at a branch: its shifts still open from
    /// before the branch's local midnight, which should have been cut.
    static func overdueShifts(_ request: WebRequest) -> HTML {
        guard let account = request.account, account.may(.cashCut, at: nil) else { return "" }
        let shifts = request.call(.get, "/api/v1/cash/shifts", query: [("open", "true")]).list
        let branches = request.branches()
        let now = request.ui.api.clock()
        let late: [HTML] = shifts.compactMap { shift -> HTML? in
            let branch = request.int(shift["branch"]) ?? 0
            guard account.may(.cashCut, at: BranchID(branch)), let opened = request.int(shift["openedAt"]) else {
                return nil
            }
            let zone = ZoneCache.rules(branches[branch]?.zone ?? "UTC")
            guard opened < zone.start(of: zone.localDay(at: now)).milliseconds else { return nil }
            let id = request.int(shift["id"]) ?? 0
            return """
                <li><a href="/pos/shifts/\(id)">\(branches[branch]?.name ?? "") · \
                \(request.string(shift["registerName"])) · \(request.string(shift["openedByName"]))</a></li>
                """
        }
        guard !late.isEmpty else { return "" }
        return """
            \(posHead)<section class="card overdue" id="overdue-shifts" role="alert">\
            <h2>\(request.text["pos.cut"])</h2>\
            <p>\(request.text["cut.overdue"])</p><ul>\(late)</ul></section>
            """
    }
}
