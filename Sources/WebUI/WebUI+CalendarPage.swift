import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// A branch's calendar: the days from today on that are closed or have special hours, and for
/// those who manage the branch a form to set a day and a button to clear each.
extension WebUI {
    func declareCalendarPages(_ router: inout Router) {
        add(&router, .get, "/branches/:id/calendar", .signedIn) { request in try Self.calendar(request) }
        add(&router, .post, "/branches/:id/calendar", .signedIn) { request in
            let branch = Int64(request.parameter("id")) ?? 0
            var body: [String: Any] = [
                "day": request.field("day"), "kind": request.field("kind"), "note": request.field("note"),
            ]
            // The kind chosen wins: hours typed for a closed day are left out.
            let hours = request.field("hours").trimmingCharacters(in: .whitespaces)
            if request.field("kind") != "closed" && !hours.isEmpty { body["hours"] = hours }
            let result = request.call(.put, "/api/v1/branches/\(branch)/calendar", body: body)
            guard result.ok else {
                guard result.status == 400 else { return request.failure(result) }
                let field = result.erroredField(among: ["day", "kind", "hours", "note"]) ?? "day"
                let words = field == "kind" ? "doors.error.choice" : "calendar.error.\(field)"
                return try Self.calendar(request, errors: Self.fieldError(request, result, field: field, words: words))
            }
            return Self.redirect("/branches/\(branch)/calendar?done=saved")
        }
        add(&router, .post, "/branches/:id/calendar/clear", .signedIn) { request in
            let branch = Int64(request.parameter("id")) ?? 0
            let result = request.call(
                .delete, "/api/v1/branches/\(branch)/calendar", query: [("day", request.field("day"))])
            guard result.ok else { return request.failure(result) }
            return Self.redirect("/branches/\(branch)/calendar?done=cleared")
        }
    }

    package static func calendar(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let branch = Int64(request.parameter("id")) ?? 0
        let result = request.call(.get, "/api/v1/branches/\(branch)/calendar")
        guard result.ok else { return request.failure(result) }
        let info = request.branches()[branch]
        let manages = request.account?.may(.branches, at: BranchID(branch)) == true
        let rows: [[HTML]] = result.list.map { entry in
            let day = request.string(entry["day"])
            var row: [HTML] = [
                "<time datetime=\"\(day)\">\(request.day(entry["day"]))</time>",
                "\(t["calendar.\(request.string(entry["kind"]))"])", "\(request.string(entry["hours"]))",
                "\(request.string(entry["note"]))",
            ]
            if manages {
                row.append(
                    request.button(
                        "/branches/\(branch)/calendar/clear", t["calendar.clear"], hidden: [("day", day)],
                        style: "small"))
            }
            return row
        }
        var headers = [t["calendar.day"], t["calendar.kind"], t["calendar.hours"], t["calendar.noteColumn"]]
        if manages { headers.append("") }
        let today = ZoneCache.rules(info?.zone ?? "UTC").localDay(at: request.ui.api.clock())
        let last = today.adding(days: 1_100)  // as far ahead as the API takes a day
        let form: HTML = HTML.when(
            manages,
            """
            <section class="card"><h2>\(t["calendar.set"])</h2>\
            <form method="post" action="/branches/\(branch)/calendar">\(request.csrfField)<div class="row">
            \(request.input(
                "day", t["calendar.day"], value: request.field("day"), type: "date", required: true,
                error: errors["day"],
                attributes: " min=\"\(today.description)\" max=\"\(last.description)\""))
            \(request.select(
                "kind", t["calendar.kind"],
                options: [("closed", t["calendar.closed"]), ("special_hours", t["calendar.special_hours"])],
                selected: request.field("kind"), error: errors["kind"]))
            \(request.input(
                "hours", t["calendar.hoursField"], value: request.field("hours"), error: errors["hours"],
                attributes: " maxlength=\"200\" placeholder=\"08:00-14:00\""))
            \(request.input(
                "note", t["calendar.note"], value: request.field("note"), required: true, error: errors["note"],
                attributes: " maxlength=\"100\""))</div>
            <p><button type="submit">\(t["action.save"])</button></p></form></section>
            """)
        let body: HTML = """
            <p><a href="/doors#branch-\(branch)">\(t["doors.back"])</a></p>
            <p class="muted">\(t["calendar.hint"])</p>
            <section class="card"><h2>\(t["calendar.upcoming"])</h2>\
            \(rows.isEmpty ? "<p>\(t["calendar.none"])</p>" as HTML : request.table(headers, rows))</section>
            \(form)
            """
        let done = request.query("done").flatMap { ["saved", "cleared"].contains($0) ? $0 : nil }
        return request.page(
            title: "\(t["calendar.title"]) · \(info?.name ?? String(branch))", active: "/doors", body: body,
            status: errors.isEmpty ? 200 : 400, notice: done.map { t["calendar.\($0)"] })
    }
}
