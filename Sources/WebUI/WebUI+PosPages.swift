import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The point of sale at the desk: the registers with their shifts, the sale screen and the
/// receipt. Every page calls the API, which checks the privilege, the branch and the shift.
extension WebUI {
    /// Receipts and cuts print on 80 mm paper: the frame hides, the ticket keeps to 72 mm.
    static let posStyle = """
        .receipt { max-width: 72mm; margin: 0 auto; font-family: ui-monospace, monospace; font-size: 12px; }
        .receipt table { width: 100%; border-collapse: collapse; font-size: 11px; }
        .receipt .scroll { overflow: visible; }
        .receipt td, .receipt th { padding: 1px 2px; }
        .receipt .num { text-align: right; } .receipt h1, .receipt h2 { font-size: 14px; text-align: center; }
        .overdue { border-left: 4px solid #b45309; }
        @media print { header, .noprint, .skip { display: none !important; } main { padding: 0; margin: 0; }
          body { background: #fff; } .card { box-shadow: none; border: none; } }
        """
    static let printScript = """
        document.querySelectorAll('[data-print]').forEach(function (b) {
          b.addEventListener('click', function () { window.print(); });
        });
        """
    static let posHead: HTML = """
        <link rel="stylesheet" href="/static/pos.css"><script src="/static/print.js" defer></script>
        """

    /// "12.50", "12,50" or "12" as minor units; nil when it is not an amount.
    static func minorUnits(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        if trimmed.isEmpty { return 0 }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : parts[0]), whole >= 0,
            whole < 100_000_000
        else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        let fraction = parts[1]
        guard fraction.count <= 2, fraction.allSatisfy(\.isNumber), let cents = Int64(fraction.isEmpty ? "0" : fraction)
        else { return nil }
        return whole * 100 + (fraction.count == 1 ? cents * 10 : cents)
    }

    package func declarePosPages(_ router: inout Router) {
        router.add(.get, "/static/pos.css") { _ in Self.asset(Self.posStyle, type: "text/css; charset=utf-8") }
        router.add(.get, "/static/print.js") { _ in
            Self.asset(Self.printScript, type: "text/javascript; charset=utf-8")
        }
        add(&router, .get, "/pos", .signedIn) { request in try Self.posDesk(request) }
        add(&router, .post, "/pos/registers", .signedIn) { request in
            let result = request.call(
                .post, "/api/v1/cash/registers",
                body: ["branch": request.int(request.field("branch")) ?? 0, "name": request.field("name")])
            guard result.ok else {
                guard [400, 404, 409].contains(result.status) else { return request.failure(result) }
                return try Self.posDesk(request, errors: ["name": result.error ?? ""])
            }
            return Self.redirect("/pos")
        }
        add(&router, .post, "/pos/shifts", .signedIn) { request in
            let register = request.int(request.field("register")) ?? 0
            guard let float = Self.minorUnits(request.field("float")) else {
                return try Self.posDesk(request, errors: ["float-\(register)": request.text["error.title"]])
            }
            let result = request.call(
                .post, "/api/v1/cash/shifts", body: ["register": register, "floatMinor": float])
            guard result.ok else {
                guard [400, 404, 409].contains(result.status) else { return request.failure(result) }
                return try Self.posDesk(request, errors: ["float-\(register)": result.error ?? ""])
            }
            return Self.redirect("/pos/shifts/\(request.int(result.object["id"]) ?? 0)/sell")
        }
        add(&router, .get, "/pos/shifts/:id/sell", .signedIn) { request in try Self.sellPage(request) }
        add(&router, .post, "/pos/shifts/:id/sell", .signedIn) { request in
            let shift = Int64(request.parameter("id")) ?? 0
            var lines: [[String: Any]] = []
            for (name, values) in request.form where name.hasPrefix("q-") {
                guard let product = Int64(name.dropFirst(2)), let text = values.first, !text.isEmpty else { continue }
                guard let quantity = Int64(text), quantity != 0 else {
                    return try Self.sellPage(request, errors: ["lines": "\(request.text["pos.quantity"]): \(text)"])
                }
                lines.append(["product": product, "quantity": quantity])
            }
            var payments: [[String: Any]] = []
            for method in ["cash", "card", "transfer"] {
                guard let amount = Self.minorUnits(request.field("pay-\(method)")) else {
                    return try Self.sellPage(request, errors: ["payments": request.text["pos.method.\(method)"]])
                }
                if amount > 0 { payments.append(["method": method, "amountMinor": amount]) }
            }
            guard let discount = Self.minorUnits(request.field("discount")) else {
                return try Self.sellPage(request, errors: ["discountMinor": request.field("discount")])
            }
            var body: [String: Any] = ["shift": shift, "lines": lines, "payments": payments]
            if discount > 0 { body["discountMinor"] = discount }
            let result = request.call(.post, "/api/v1/pos/sales", body: body)
            guard result.ok else {
                guard [400, 404, 409].contains(result.status) else { return request.failure(result) }
                let field = result.erroredField(among: ["payments", "discountMinor", "shift"]) ?? "lines"
                return try Self.sellPage(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/pos/sales/\(request.int(result.object["id"]) ?? 0)")
        }
        add(&router, .get, "/pos/sales/:id", .signedIn) { request in try Self.receiptPage(request) }
        add(&router, .post, "/pos/sales/:id/void", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(.post, "/api/v1/pos/sales/\(id)/void", body: ["reason": request.field("reason")])
            guard result.ok else { return try Self.receiptPage(request, errors: ["reason": result.error ?? ""]) }
            return Self.redirect("/pos/sales/\(id)")
        }
        add(&router, .post, "/pos/sales/:id/refund", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(
                .post, "/api/v1/pos/sales/\(id)/refunds",
                body: ["reason": request.field("reason"), "shift": request.int(request.field("shift")) ?? 0])
            guard result.ok else { return try Self.receiptPage(request, errors: ["refund": result.error ?? ""]) }
            return Self.redirect("/pos/sales/\(id)")
        }
        declareCashPages(&router)
        declareCataloguePages(&router)
    }

    /// The dashboard's POS figure: tickets less refunds over the dashboard's range and branches.
    static func posSalesFigure(_ request: WebRequest, _ figures: [String: Any]) -> String {
        var query = [("from", request.string(figures["from"])), ("to", request.string(figures["to"]))]
        if let branch = request.query("branch") { query.append(("branch", branch)) }
        let days = request.call(.get, "/api/v1/pos/daily", query: query.filter { !$0.1.isEmpty }).list
        let net = days.reduce(Int64(0)) {
            $0 + (request.int(($1["amount"] as? [String: Any])?["minorUnits"]) ?? 0)
                - (request.int(($1["refunded"] as? [String: Any])?["minorUnits"]) ?? 0)
        }
        let currency = (days.first?["amount"] as? [String: Any])?["currency"] as? String
        guard let currency else { return request.text.number(0) }
        return request.text.money(minor: net, currency: currency)
    }

    /// The registers of the caller's branches with their shifts, and the latest tickets.
    static func posDesk(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let registers = request.call(.get, "/api/v1/cash/registers")
        guard registers.ok else { return request.failure(registers) }
        let shifts = request.call(.get, "/api/v1/cash/shifts", query: [("open", "true")]).list
        let branches = request.branches()
        let me = request.account?.id.rawValue ?? 0
        let rows: [[HTML]] = registers.list.map { register in
            let id = request.int(register["id"]) ?? 0
            let branch = request.int(register["branch"]) ?? 0
            let zone = branches[branch]?.zone ?? "UTC"
            guard let open = shifts.first(where: { request.int($0["register"]) == id }) else {
                let form: HTML = """
                    <form method="post" action="/pos/shifts" class="inline">\(request.csrfField)\
                    <input type="hidden" name="register" value="\(id)">\(request.input(
                        "float", t["pos.float"], value: "0.00", error: errors["float-\(id)"],
                        attributes: " inputmode=\"decimal\" size=\"8\"", id: "float-\(id)"))\
                    <button type="submit">\(t["pos.openShift"])</button></form>
                    """
                return [
                    "\(request.string(register["name"]))", "\(branches[branch]?.name ?? "")", "\(t["pos.noShift"])",
                    form,
                ]
            }
            let shift = request.int(open["id"]) ?? 0
            let since = request.int(open["openedAt"]).map { t.time(Timestamp(milliseconds: $0), zone: zone) } ?? ""
            var actions: [HTML] = []
            if request.int(open["openedBy"]) == me {
                actions.append("<a class=\"button\" href=\"/pos/shifts/\(shift)/sell\">\(t["pos.sell"])</a> ")
            }
            actions.append("<a href=\"/pos/shifts/\(shift)\">\(t["pos.cut"])</a>")
            return [
                "\(request.string(register["name"]))", "\(branches[branch]?.name ?? "")",
                "\(request.string(open["openedByName"])) · \(since)", "\(actions)",
            ]
        }
        let sales = request.call(.get, "/api/v1/pos/sales", query: [("limit", "20")]).list
        let saleRows: [[HTML]] = sales.map { sale in
            let id = request.int(sale["id"]) ?? 0
            return [
                "<a href=\"/pos/sales/\(id)\">\(id)</a>", "\(branches[request.int(sale["branch"]) ?? 0]?.name ?? "")",
                "\(request.money(sale["total"]))", "\(t["pos.status.\(request.string(sale["status"]))"])",
            ]
        }
        var addRegister: HTML = ""
        let managed = branches.keys.sorted().filter { request.account?.may(.cashCut, at: BranchID($0)) == true }
        if !managed.isEmpty {
            addRegister = """
                <section class="card"><h2>\(t["pos.addRegister"])</h2><form method="post" action="/pos/registers">\
                \(request.csrfField)<div class="row">\(request.select(
                    "branch", t["pos.branch"], options: managed.map { (String($0), branches[$0]?.name ?? "") }))\
                \(request.input(
                    "name", t["field.name"], required: true, error: errors["name"], attributes: " maxlength=\"100\""))\
                </div><p><button type="submit">\(t["pos.addRegister"])</button></p></form></section>
                """
        }
        let body: HTML = """
            <section class="card"><h2>\(t["pos.registers"])</h2>\(registers.list.isEmpty
                ? "<p>\(t["pos.noRegisters"])</p>" as HTML
                : request.table([t["pos.register"], t["pos.branch"], t["pos.shift"], ""], rows))</section>
            \(addRegister)
            <section class="card"><h2>\(t["pos.recentSales"])</h2>\(sales.isEmpty
                ? "<p>\(t["pos.noSales"])</p>" as HTML
                : request.table([t["pos.ticket"], t["pos.branch"], t["pos.total"], ""], saleRows))</section>
            """
        return request.page(title: t["pos.title"], active: "/pos", body: body, status: errors.isEmpty ? 200 : 400)
    }
}
