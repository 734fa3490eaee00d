import CoreStorage
import HTTP
import PorteroModel

/// Seed 003's Reportes: sales, point of sale, attendance by hour, renewal and absence call lists,
/// visits between branches. Each answers JSON, or the same rows as CSV or XLSX with `format`,
/// over the branches the caller holds the reports privilege at.
extension CoreAPI {
    package static let reportFormats = QueryParameter.choice("format", ["json", "csv", "xlsx"])

    static func reportAnswers(_ schema: Schema) -> [RouteAnswer] {
        [
            .json(200, schema, "the report (format=json)"), .file("text/csv", "its rows (format=csv)"),
            .file("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "its rows (format=xlsx)"),
        ]
    }

    /// `from`..`to` from the query: by default the last 30 days to today; at most ten years.
    static func reportRange(_ request: APIRequest) throws -> (LocalDay, LocalDay) {
        let today = request.today(request.branch)
        let to = try day(request.query("to"), field: "to") ?? today
        let from = try day(request.query("from"), field: "from") ?? to.adding(days: -29)
        guard from <= to, to.days(since: from) <= 3_660 else {
            throw AccountError(field: "from", problem: "must not be after to, within ten years of it")
        }
        return (from, to)
    }

    /// The JSON answer, or the table as a file when `format` asks for one.
    static func reportAnswer(
        _ request: APIRequest, _ name: String, json: some Encodable, table: () -> TableExport
    ) throws -> HTTPResponse {
        switch request.query("format") ?? "json" {
        case "json": return .json(json)
        case "csv":
            return HTTPResponse(
                status: 200,
                headers: [
                    ("Content-Type", "text/csv; charset=utf-8"),
                    ("Content-Disposition", "attachment; filename=\"\(name).csv\""),
                ], body: table().csv())
        case "xlsx":
            return HTTPResponse(
                status: 200,
                headers: [
                    ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    ("Content-Disposition", "attachment; filename=\"\(name).xlsx\""),
                ], body: table().xlsx(sheetName: name))
        default: throw AccountError(field: "format", problem: "json, csv or xlsx")
        }
    }

    static func money(_ minor: Int64) -> String {
        let sign = minor < 0 ? "-" : ""
        let units = minor.magnitude
        let cents = units % 100
        return "\(sign)\(units / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    package static func declareReportRoutes(_ table: inout RouteTable) {
        let range: [QueryParameter] = [.date("from"), .date("to"), reportFormats]
        table.add(
            .get, "/api/v1/reports/sales", .privilege(.reports),
            "Subscriptions sold from..to (default: the last 30 days), grouped by day, week, month, branch, plan, "
                + "payment method (owed until paid) or cashier",
            query: range + [.choice("by", SalesGrouping.allCases.map(\.rawValue))],
            answers: reportAnswers(.salesReport)
        ) { request in
            let (from, to) = try reportRange(request)
            guard let by = SalesGrouping(rawValue: request.query("by") ?? "day") else {
                throw AccountError(field: "by", problem: SalesGrouping.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let rows = try request.database.reports.sales(
                try visibleBranches(request, .reports), from: from, to: to, by: by)
            struct Answer: Encodable {
                let from: LocalDay
                let to: LocalDay
                let by: String
                let rows: [SalesReportRow]
            }
            return try reportAnswer(request, "sales", json: Answer(from: from, to: to, by: by.rawValue, rows: rows)) {
                TableExport(
                    header: [by.rawValue, "name", "sold", "currency", "amount"],
                    rows: rows.map { [$0.key, $0.label, String($0.count), $0.currency, money($0.minorUnits)] })
            }
        }
        table.add(
            .get, "/api/v1/reports/pos", .privilege(.reports),
            "Point-of-sale tickets from..to by product or category: units and amount, less refunds",
            query: range + [.choice("by", PosGrouping.allCases.map(\.rawValue))], answers: reportAnswers(.posReport)
        ) { request in
            let (from, to) = try reportRange(request)
            guard let by = PosGrouping(rawValue: request.query("by") ?? "product") else {
                throw AccountError(field: "by", problem: "product or category")
            }
            let rows = try request.database.reports.pos(
                try visibleBranches(request, .reports), from: from, to: to, by: by)
            let currency = try request.database.settings.chain().currency
            struct Answer: Encodable {
                let from: LocalDay
                let to: LocalDay
                let by: String
                let currency: String
                let rows: [PosReportRow]
            }
            return try reportAnswer(
                request, "pos", json: Answer(from: from, to: to, by: by.rawValue, currency: currency, rows: rows)
            ) {
                TableExport(
                    header: [by.rawValue, "name", "units", "currency", "amount"],
                    rows: rows.map { [$0.key, $0.label, String($0.quantity), currency, money($0.minorUnits)] })
            }
        }
        table.add(
            .get, "/api/v1/reports/attendance", .privilege(.reports),
            "Entries from..to by weekday and hour of the day (each branch's local time): the heat map",
            query: range, answers: reportAnswers(.heatMap)
        ) { request in
            let (from, to) = try reportRange(request)
            let cells = try request.database.reports.heatMap(
                try visibleBranches(request, .reports), from: from, to: to, zone: { request.zone($0) })
            struct Answer: Encodable {
                let from: LocalDay
                let to: LocalDay
                let cells: [HeatCell]
            }
            return try reportAnswer(request, "attendance", json: Answer(from: from, to: to, cells: cells)) {
                TableExport(
                    header: ["weekday", "hour", "entries"],
                    rows: cells.map {
                        [Weekday(rawValue: $0.weekday)?.abbreviation ?? "", String($0.hour), String($0.count)]
                    })
            }
        }
        table.add(
            .get, "/api/v1/reports/interbranch", .privilege(.reports),
            "Entries from..to at one branch on subscriptions sold at another (inter-branch settlement)",
            query: range, answers: reportAnswers(.interbranchReport)
        ) { request in
            let (from, to) = try reportRange(request)
            let rows = try request.database.reports.interbranch(
                try visibleBranches(request, .reports), from: from, to: to)
            struct Answer: Encodable {
                let from: LocalDay
                let to: LocalDay
                let rows: [InterbranchRow]
            }
            return try reportAnswer(request, "interbranch", json: Answer(from: from, to: to, rows: rows)) {
                TableExport(
                    header: ["visited branch", "selling branch", "visits"],
                    rows: rows.map { [$0.visitedBranchName, $0.homeBranchName, String($0.visits)] })
            }
        }
        declareCallListRoutes(&table)
    }
}
