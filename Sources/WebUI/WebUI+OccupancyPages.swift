import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The live occupancy report (each branch's people inside against its limits, as a bar) and a
/// branch's capacity, set by those who manage the branch.
extension WebUI {
    func declareOccupancyPages(_ router: inout Router) {
        add(&router, .get, "/reports/occupancy", .signedIn) { request in Self.occupancyReport(request) }
        add(&router, .get, "/branches/:id/occupancy", .signedIn) { request in Self.branchOccupancy(request) }
        add(&router, .post, "/branches/:id/occupancy", .signedIn) { request in
            let branch = Int64(request.parameter("id")) ?? 0
            var body: [String: Any] = [:]
            var failed: Set<String> = []
            for field in ["warn", "limit"] {
                let text = request.field(field).trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                if let number = Int(text) { body[field] = number } else { failed.insert(field) }
            }
            if failed.isEmpty {
                let result = request.call(.put, "/api/v1/branches/\(branch)/occupancy", body: body)
                if result.ok { return Self.redirect("/branches/\(branch)/occupancy?done=saved") }
                guard result.status == 400 else { return request.failure(result) }
                failed.insert(result.erroredField(among: ["warn", "limit"]) ?? "limit")
            }
            return Self.branchOccupancy(
                request,
                errors: Dictionary(uniqueKeysWithValues: failed.map { ($0, request.text["occupancy.error.\($0)"]) }))
        }
    }

    /// The state's colour in the bars: calm, amber, red.
    static func occupancyColour(_ state: String) -> String {
        switch state {
        case "full": "#b3261e"
        case "warn": "#b26a00"
        default: "#2e7d32"
        }
    }

    /// One branch's bar: the people inside against the scale (the capacity, or whatever is larger),
    /// with a tick at the soft limit and a line at the hard one.
    static func occupancyBar(_ request: WebRequest, _ line: [String: Any], id: String) -> HTML {
        let t = request.text
        let inside = Int(request.int(line["inside"]) ?? 0)
        let warn = request.int(line["warn"]).map(Int.init)
        let limit = request.int(line["limit"]).map(Int.init)
        let state = request.string(line["state"])
        let scale = max(1, limit ?? 0, warn ?? 0, inside)
        let width = 300.0
        func x(_ value: Int) -> String { WebCharts.format(Double(value) / Double(scale) * width) }
        let warnMark: HTML =
            warn.map { "<line x1=\"\(x($0))\" y1=\"0\" x2=\"\(x($0))\" y2=\"24\" stroke=\"#b26a00\"/>" as HTML } ?? ""
        let limitMark: HTML =
            limit.map {
                "<line x1=\"\(x($0))\" y1=\"0\" x2=\"\(x($0))\" y2=\"24\" stroke=\"#b3261e\" stroke-width=\"2\"/>"
                    as HTML
            } ?? ""
        let label = "\(t.number(inside)) / \(limit.map { t.number($0) } ?? t["occupancy.noLimit"])"
        return """
            <svg viewBox="0 0 \(Int(width) + 2) 26" width="\(Int(width) + 2)" height="26" role="img" \
            aria-labelledby="\(id)-desc"><desc id="\(id)-desc">\(label) · \(t["occupancy.state.\(state)"])</desc>\
            <rect x="0" y="2" width="\(Int(width))" height="20" fill="#eee"/>\
            <rect x="0" y="2" width="\(x(inside))" height="20" fill="\(occupancyColour(state))"/>\
            \(warnMark)\(limitMark)</svg> <span>\(label)</span>
            """
    }

    static func occupancyReport(_ request: WebRequest) -> HTTPResponse {
        let t = request.text
        let query = request.query("branch").map { [("branch", $0)] } ?? []
        let result = request.call(.get, "/api/v1/reports/occupancy", query: query)
        guard result.ok else { return request.failure(result, title: t["occupancy.title"]) }
        let at = Timestamp(milliseconds: request.int(result.object["at"]) ?? 0)
        let lines = result.object["branches"] as? [[String: Any]] ?? []
        let rows: [[HTML]] = lines.map { line in
            let branch = request.int(line["branch"]) ?? 0
            let state = request.string(line["state"])
            return [
                "<a href=\"/branches/\(branch)/occupancy\">\(request.string(line["name"]))</a>",
                occupancyBar(request, line, id: "occupancy-\(branch)"),
                "\(request.int(line["warn"]).map { t.number(Int($0)) } ?? "—")",
                "<strong class=\"state-\(state)\">\(t["occupancy.state.\(state)"])</strong>",
                "\(t["occupancy.counted.\(request.string(line["counted"]))"])",
                "<time>\(t.time(at, zone: request.string(line["timeZone"])))</time>",
            ]
        }
        let refuses = lines.first.map { ($0["refuses"] as? Bool) == true }
        let body: HTML = """
            <p><a href="/reports">\(t["reports.back"])</a></p>
            <p class="muted">\(t["occupancy.hint"])</p>\
            <p><a class="button" href="/api/v1/reports/occupancy?format=csv" download>\(t["action.export"])</a> \
            <a class="button" href="/api/v1/reports/occupancy?format=xlsx" download>\(t["action.exportXLSX"])</a></p>\
            \(refuses.map { "<p>\(t[$0 ? "occupancy.refuses" : "occupancy.warnsOnly"])</p>" as HTML } ?? "")
            <section class="card"><h2>\(t["occupancy.chart"])</h2>\
            \(rows.isEmpty
                ? "<p>\(t["occupancy.none"])</p>" as HTML
                : request.table(
                    [
                        t["occupancy.branch"], t["occupancy.inside"], t["occupancy.warn"], t["occupancy.state"],
                        t["occupancy.counted"], t["occupancy.asOf"],
                    ], rows))</section>
            """
        return request.page(title: t["occupancy.title"], active: "/reports", body: body)
    }

    static func branchOccupancy(_ request: WebRequest, errors: [String: String] = [:]) -> HTTPResponse {
        let t = request.text
        let branch = Int64(request.parameter("id")) ?? 0
        let limits = request.call(.get, "/api/v1/branches/\(branch)/occupancy")
        guard limits.ok else { return request.failure(limits) }
        let name = request.branches()[branch]?.name ?? String(branch)
        let manages = request.account?.may(.branches, at: BranchID(branch)) == true
        let current = request.call(.get, "/api/v1/reports/occupancy", query: [("branch", String(branch))])
        let line = (current.object["branches"] as? [[String: Any]])?.first
        func value(_ field: String) -> String {
            errors.isEmpty ? request.int(limits.object[field]).map(String.init) ?? "" : request.field(field)
        }
        let figures: HTML =
            line.map { "<p>\(occupancyBar(request, $0, id: "occupancy-\(branch)"))</p>" as HTML } ?? ""
        let form: HTML =
            manages
            ? """
            <form method="post" action="/branches/\(branch)/occupancy">\(request.csrfField)<div class="row">
            \(request.input(
                "warn", t["occupancy.warn"], value: value("warn"), type: "number", error: errors["warn"],
                attributes: " min=\"1\" max=\"100000\""))
            \(request.input(
                "limit", t["occupancy.limit"], value: value("limit"), type: "number", error: errors["limit"],
                attributes: " min=\"1\" max=\"100000\""))</div>
            <p><button type="submit">\(t["action.save"])</button></p></form>
            """
            : """
            <p>\(t["occupancy.warn"]): \(value("warn").isEmpty ? t["occupancy.noLimit"] : value("warn")) · \
            \(t["occupancy.limit"]): \(value("limit").isEmpty ? t["occupancy.noLimit"] : value("limit"))</p>
            """
        let body: HTML = """
            <p><a href="/doors#branch-\(branch)">\(t["doors.back"])</a> · \
            <a href="/reports/occupancy">\(t["occupancy.title"])</a></p>
            \(figures)<section class="card"><h2>\(t["occupancy.limits"])</h2>\
            <p class="muted">\(t["occupancy.limitsHint"])</p>\(form)</section>
            """
        let done = request.query("done") == "saved" ? t["occupancy.saved"] : nil
        return request.page(
            title: "\(t["occupancy.limits"]) · \(name)", active: "/doors", body: body,
            status: errors.isEmpty ? 200 : 400, notice: done)
    }
}
