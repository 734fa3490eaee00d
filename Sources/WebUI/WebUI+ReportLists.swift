import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The heat map of entries and the two call lists (renewals due, members who stopped coming).
extension WebUI {
    /// A 7 × 24 grid of entries by weekday and local hour, darker where busier; every cell names
    /// its day, hour and count for screen readers and on hover.
    static func heatMapFigure(_ request: WebRequest, cells: [[String: Any]]) -> HTML {
        let t = request.text
        var counts = [Int](repeating: 0, count: 7 * 24)
        for cell in cells {
            let weekday = Int(request.int(cell["weekday"]) ?? 0)
            let hour = Int(request.int(cell["hour"]) ?? -1)
            guard (1...7).contains(weekday), (0...23).contains(hour) else { continue }
            counts[(weekday - 1) * 24 + hour] = Int(request.int(cell["count"]) ?? 0)
        }
        let top = max(1, counts.max() ?? 1)
        var items: [HTML] = []
        for day in Weekday.allCases {
            let y = 20 + (day.rawValue - 1) * 22
            let name = t["day.\(day.abbreviation)"]
            items.append("<text x=\"0\" y=\"\(y + 15)\" font-size=\"11\">\(name)</text>")
            for hour in 0..<24 {
                let count = counts[(day.rawValue - 1) * 24 + hour]
                let shade = count == 0 ? 0.04 : 0.15 + 0.85 * Double(count) / Double(top)
                items.append(
                    """
                    <rect x="\(80 + hour * 26)" y="\(y)" width="24" height="20" fill="#1f6f8b" \
                    fill-opacity="\(WebCharts.format(shade))"><title>\(name) \(hour):00 — \(count)</title></rect>
                    """)
            }
        }
        let hours: [HTML] = stride(from: 0, to: 24, by: 3).map {
            "<text x=\"\(80 + $0 * 26 + 12)\" y=\"12\" font-size=\"10\" text-anchor=\"middle\">\($0):00</text>"
        }
        let busiest = counts.enumerated().max { $0.element < $1.element }
        let summary =
            busiest.map { best in
                t["reports.attendance.busiest"]
                    .replacingOccurrences(
                        of: "%1", with: t["day.\(Weekday(rawValue: best.offset / 24 + 1)!.abbreviation)"]
                    )  // safe: 1...7
                    .replacingOccurrences(of: "%2", with: "\(best.offset % 24):00")
                    .replacingOccurrences(of: "%3", with: t.number(best.element))
            } ?? ""
        return """
            <figure class="chart wide" aria-labelledby="heat-title"><figcaption id="heat-title">\
            \(t["reports.attendance.chart"])</figcaption>\
            <svg viewBox="0 0 710 180" width="710" height="180" role="img" aria-labelledby="heat-title heat-desc">\
            <desc id="heat-desc">\(summary)</desc>\(hours)\(items)</svg><p>\(summary)</p></figure>
            """
    }

    static func heatMapReport(_ request: WebRequest) throws -> HTTPResponse {
        let query = reportQuery(request, ["from", "to"])
        let answer = request.call(.get, "/api/v1/reports/attendance", query: query)
        let cells = (answer.object["cells"] as? [[String: Any]]) ?? []
        let body: HTML = """
            \(reportFilters(request, "attendance", dates: true, extra: "", query: query, answer: answer))
            \(heatMapFigure(request, cells: cells))
            """
        return reportPage(request, "attendance", answer, body)
    }

    /// The link to the page after this one, when there is one.
    static func nextPage(_ request: WebRequest, _ kind: String, _ answer: APIResult, _ query: [(String, String)])
        -> HTML
    {
        guard let next = answer.object["next"] as? String else { return "" }
        let kept = query.filter { $0.0 != "after" }.map { "\($0.0)=\(WebRequest.percentEncode($0.1))&" }.joined()
        return """
            <p><a class="button" href="/reports/\(kind)?\(kept)after=\(WebRequest.percentEncode(next))">\
            \(request.text["reports.nextPage"])</a></p>
            """
    }

    static func daysField(_ request: WebRequest, _ fallback: String, range: ClosedRange<Int>) -> HTML {
        request.input(
            "days", request.text["reports.days"], value: request.query("days") ?? fallback, type: "number",
            attributes: " min=\"\(range.lowerBound)\" max=\"\(range.upperBound)\"")
    }

    static func phoneLink(_ request: WebRequest, _ phone: String) -> HTML {
        guard !phone.isEmpty else { return "" }
        let digits = phone.filter { $0.isNumber || $0 == "+" }
        return "<a href=\"tel:\(digits)\">\(phone)</a>"
    }

    static func expiringReport(_ request: WebRequest) throws -> HTTPResponse {
        let t = request.text
        let query = reportQuery(request, ["days", "after"])
        let answer = request.call(.get, "/api/v1/reports/expiring", query: query)
        let rows = (answer.object["rows"] as? [[String: Any]]) ?? []
        let table = request.table(
            [
                t["field.clave"], t["field.name"], t["field.phone"], t["field.email"], t["reports.plan"],
                t["reports.branch"], t["reports.ends"], t["reports.daysLeft"],
            ],
            rows.map { row in
                [
                    "\(request.string(row["clave"]))",
                    "<a href=\"/members/\(request.int(row["user"]) ?? 0)\">\(request.string(row["name"]))</a>",
                    phoneLink(request, request.string(row["phone"])), "\(request.string(row["email"]))",
                    "\(request.string(row["plan"]))", "\(request.string(row["branchName"]))",
                    "\(request.day(row["endDate"]))", "\(t.number(Int(request.int(row["daysLeft"]) ?? 0)))",
                ]
            })
        let body: HTML = """
            \(reportFilters(
                request, "expiring", dates: false, extra: daysField(request, "7", range: 0...366), query: query,
                answer: answer))
            <p>\(t["reports.expiring.explain"])</p>
            \(rows.isEmpty ? "<p>\(t["reports.empty"])</p>" as HTML : table)\
            \(nextPage(request, "expiring", answer, query))
            """
        return reportPage(request, "expiring", answer, body)
    }

    static func absentReport(_ request: WebRequest) throws -> HTTPResponse {
        let t = request.text
        let query = reportQuery(request, ["days", "after"])
        let answer = request.call(.get, "/api/v1/reports/absent", query: query)
        let rows = (answer.object["rows"] as? [[String: Any]]) ?? []
        let branches = request.branches()
        let table = request.table(
            [
                t["field.clave"], t["field.name"], t["field.phone"], t["field.email"], t["reports.lastVisit"],
                t["reports.branch"], t["reports.daysAway"],
            ],
            rows.map { row in
                let seen: String =
                    if let at = request.int(row["lastVisit"]) {
                        t.dateTime(
                            Timestamp(milliseconds: at),
                            zone: branches[request.int(row["lastBranch"]) ?? 0]?.zone ?? request.ui.api.chainTimeZone())
                    } else {
                        t["reports.never"]
                    }
                return [
                    "\(request.string(row["clave"]))",
                    "<a href=\"/members/\(request.int(row["user"]) ?? 0)\">\(request.string(row["name"]))</a>",
                    phoneLink(request, request.string(row["phone"])), "\(request.string(row["email"]))", "\(seen)",
                    "\(request.string(row["lastBranchName"]))",
                    "\(request.int(row["daysAway"]).map { t.number(Int($0)) } ?? "—")",
                ]
            })
        let body: HTML = """
            \(reportFilters(
                request, "absent", dates: false, extra: daysField(request, "30", range: 1...3_650), query: query,
                answer: answer))
            <p>\(t["reports.absent.explain"])</p>
            \(rows.isEmpty ? "<p>\(t["reports.empty"])</p>" as HTML : table)\
            \(nextPage(request, "absent", answer, query))
            """
        return reportPage(request, "absent", answer, body)
    }
}
