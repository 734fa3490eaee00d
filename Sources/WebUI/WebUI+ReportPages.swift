import BackOffice
import Foundation
import HTTP
import PorteroModel

/// Seed 003's Reportes: an index, then one page per report with its filters, a chart, the rows,
/// and the same rows to download as CSV or XLSX.
extension WebUI {
    static let reportKinds = ["sales", "pos", "attendance", "expiring", "absent", "interbranch"]

    package func declareReportPages(_ router: inout Router) {
        add(&router, .get, "/reports", .signedIn) { request in
            let t = request.text
            guard request.may(.reports) else {
                return request.failure(APIResult(status: 403, value: nil, headers: []), title: t["reports.title"])
            }
            let items: [HTML] = (Self.reportKinds + Self.extraReports).map { kind in
                "<li><a href=\"/reports/\(kind)\">\(t["reports.\(kind)"])</a> — \(t["reports.\(kind).about"])</li>"
            }
            return request.page(
                title: t["reports.title"], active: "/reports", body: "<ul class=\"reports\">\(items)</ul>")
        }
        add(&router, .get, "/reports/sales", .signedIn) { request in try Self.salesReport(request) }
        add(&router, .get, "/reports/pos", .signedIn) { request in try Self.posReport(request) }
        add(&router, .get, "/reports/attendance", .signedIn) { request in try Self.heatMapReport(request) }
        add(&router, .get, "/reports/interbranch", .signedIn) { request in try Self.interbranchReport(request) }
        add(&router, .get, "/reports/expiring", .signedIn) { request in try Self.expiringReport(request) }
        add(&router, .get, "/reports/absent", .signedIn) { request in try Self.absentReport(request) }
    }

    /// Reports whose pages live in files of their own, listed on the index after these.
    static let extraReports = ["occupancy"]

    /// The query the page passes on to the API: its own parameters that are set.
    static func reportQuery(_ request: WebRequest, _ names: [String]) -> [(String, String)] {
        names.compactMap { name in request.query(name).flatMap { $0.isEmpty ? nil : (name, $0) } }
    }

    /// The filter form (dates, then `extra` fields) and the links to the same rows as files.
    static func reportFilters(
        _ request: WebRequest, _ kind: String, dates: Bool, extra: HTML, query: [(String, String)], answer: APIResult
    ) -> HTML {
        let t = request.text
        let from = request.query("from") ?? request.string(answer.object["from"])
        let to = request.query("to") ?? request.string(answer.object["to"])
        let fromField = request.input("from", t["member.from"], value: from, type: "date")
        let dateFields: HTML =
            dates ? "\(fromField)\(request.input("to", t["member.to"], value: to, type: "date"))" : ""
        let passed = query.filter { $0.0 != "after" }.map { "&\($0.0)=\(WebRequest.percentEncode($0.1))" }.joined()
        return """
            <p><a href="/reports">\(t["reports.back"])</a></p>
            <form method="get" action="/reports/\(kind)" class="row">\(dateFields)\(extra)
            <p><button type="submit">\(t["action.filter"])</button></p></form>
            \(answer.ok ? "" : "<p class=\"error\" role=\"alert\">\(answer.error ?? "")</p>" as HTML)
            <p><a class="button" href="/api/v1/reports/\(kind)?format=csv\(passed)" download>\(t["action.export"])</a> \
            <a class="button" href="/api/v1/reports/\(kind)?format=xlsx\(passed)" download>\
            \(t["action.exportXLSX"])</a></p>
            """
    }

    static func reportPage(_ request: WebRequest, _ kind: String, _ answer: APIResult, _ body: HTML) -> HTTPResponse {
        guard answer.ok || answer.status == 400 else { return request.failure(answer) }
        return request.page(
            title: request.text["reports.\(kind)"], active: "/reports", body: body, status: answer.ok ? 200 : 400)
    }

    static func salesReport(_ request: WebRequest) throws -> HTTPResponse {
        let t = request.text
        let query = reportQuery(request, ["from", "to", "by"])
        let answer = request.call(.get, "/api/v1/reports/sales", query: query)
        let by = request.query("by") ?? "day"
        let rows = (answer.object["rows"] as? [[String: Any]]) ?? []
        func label(_ row: [String: Any]) -> String {
            let key = request.string(row["key"])
            switch by {
            case "day", "week": return LocalDay(iso: key).map { t.day($0) } ?? key
            case "month": return t.month(key)
            case "method": return t["method.\(key)"]
            default: return request.string(row["label"])
            }
        }
        let grouping = request.select(
            "by", t["reports.by"],
            options: ["day", "week", "month", "branch", "plan", "method", "cashier"].map {
                ($0, t["reports.by.\($0)"])
            }, selected: by)
        let chart = WebCharts.bars(
            title: t["reports.sales.chart"],
            bars: rows.map { (label: label($0), value: Int((request.int($0["minorUnits"]) ?? 0) / 100)) }, id: "sales")
        let table = request.table(
            [t["reports.group"], t["reports.sold"], t["reports.amount"]],
            rows.map { row in
                [
                    "\(label(row))", "\(t.number(Int(request.int(row["count"]) ?? 0)))",
                    "\(request.money(row))",
                ]
            })
        let body: HTML = """
            \(reportFilters(request, "sales", dates: true, extra: grouping, query: query, answer: answer))
            \(rows.isEmpty ? "<p>\(t["reports.empty"])</p>" as HTML : chart)\(table)
            """
        return reportPage(request, "sales", answer, body)
    }

    static func posReport(_ request: WebRequest) throws -> HTTPResponse {
        let t = request.text
        let query = reportQuery(request, ["from", "to", "by"])
        let answer = request.call(.get, "/api/v1/reports/pos", query: query)
        let currency = request.string(answer.object["currency"])
        let rows = (answer.object["rows"] as? [[String: Any]]) ?? []
        let grouping = request.select(
            "by", t["reports.by"],
            options: [("product", t["reports.by.product"]), ("category", t["reports.by.category"])],
            selected: request.query("by") ?? "product")
        func name(_ row: [String: Any]) -> String {
            let label = request.string(row["label"])
            return label.isEmpty ? t["reports.uncategorised"] : label
        }
        let chart = WebCharts.bars(
            title: t["reports.pos.chart"],
            bars: rows.prefix(20).map { (label: name($0), value: Int((request.int($0["minorUnits"]) ?? 0) / 100)) },
            id: "pos")
        let table = request.table(
            [t["reports.group"], t["reports.units"], t["reports.amount"]],
            rows.map { row in
                [
                    "\(name(row))", "\(t.number(Int(request.int(row["quantity"]) ?? 0)))",
                    "\(t.money(minor: request.int(row["minorUnits"]) ?? 0, currency: currency))",
                ]
            })
        let body: HTML = """
            \(reportFilters(request, "pos", dates: true, extra: grouping, query: query, answer: answer))
            \(rows.isEmpty ? "<p>\(t["reports.empty"])</p>" as HTML : chart)\(table)
            """
        return reportPage(request, "pos", answer, body)
    }

    static func interbranchReport(_ request: WebRequest) throws -> HTTPResponse {
        let t = request.text
        let query = reportQuery(request, ["from", "to"])
        let answer = request.call(.get, "/api/v1/reports/interbranch", query: query)
        let rows = (answer.object["rows"] as? [[String: Any]]) ?? []
        let table = request.table(
            [t["reports.visited"], t["reports.home"], t["reports.visits"]],
            rows.map { row in
                [
                    "\(request.string(row["visitedBranchName"]))", "\(request.string(row["homeBranchName"]))",
                    "\(t.number(Int(request.int(row["visits"]) ?? 0)))",
                ]
            })
        let body: HTML = """
            \(reportFilters(request, "interbranch", dates: true, extra: "", query: query, answer: answer))
            <p>\(t["reports.interbranch.explain"])</p>
            \(rows.isEmpty ? "<p>\(t["reports.empty"])</p>" as HTML : table)
            """
        return reportPage(request, "interbranch", answer, body)
    }
}
