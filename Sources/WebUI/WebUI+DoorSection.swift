import BackOffice
import HTTP
import PorteroModel

/// The doors page: per branch, the doors headquarters defines beside the mode each last
/// reported, an "Add door" form and an edit link for those who manage the branch, a link to the
/// branch's calendar; then the commands (unlock once, lockdown, free access, back to normal) for
/// those allowed at the branch.
extension WebUI {
    /// `errors` holds the commands' errors (`reason-BRANCH`) or, with `adding`, the errors of
    /// that branch's "Add door" form by field.
    package static func doors(_ request: WebRequest, errors: [String: String] = [:], adding: Int64? = nil) throws
        -> HTTPResponse
    {
        let t = request.text
        let result = request.call(.get, "/api/v1/doors")
        guard result.ok else { return request.failure(result) }
        var reported: [Int64: [Int64: [String: Any]]] = [:]
        for state in result.list {
            guard let branch = request.int(state["branch"]), let door = request.int(state["door"]) else { continue }
            reported[branch, default: [:]][door] = state
        }
        let branches = request.branches().filter { request.account?.may(.attendance, at: BranchID($0.key)) == true }
            .sorted { $0.key < $1.key }
        var doorChoices: [Int64: [(String, String)]] = [:]
        var sections: [HTML] = []
        for branch in branches {
            let defined = request.call(.get, "/api/v1/branches/\(branch.key)/doors")
            var choices: [Int64: String] = [:]
            for door in defined.list {
                if let id = request.int(door["id"]) { choices[id] = request.string(door["name"]) }
            }
            for (id, state) in reported[branch.key] ?? [:] where choices[id] == nil {
                choices[id] = request.string(state["name"])
            }
            doorChoices[branch.key] = choices.sorted { $0.key < $1.key }.map { (String($0.key), $0.value) }
            sections.append(
                doorSection(
                    request, branch: (branch.key, branch.value.name, branch.value.zone), defined: defined,
                    reported: reported[branch.key] ?? [:], errors: adding == branch.key ? errors : nil))
        }
        let forms: [HTML] = branches.compactMap { branch in
            guard request.account?.may(.doorCommands, at: BranchID(branch.key)) == true else { return nil }
            let prefix = "b\(branch.key)-"
            return """
                <form method="post" action="/branches/\(branch.key)/commands" class="row" \
                aria-label="\(t["doors.commandFor"].replacingOccurrences(of: "%1", with: branch.value.name))">\
                \(request.csrfField)<strong>\(branch.value.name)</strong>
                \(request.select(
                    "door", t["doors.door"], options: [("", t["doors.all"])] + (doorChoices[branch.key] ?? []),
                    id: prefix + "door"))
                \(request.input(
                    "minutes", t["doors.minutes"], value: "", type: "number",
                    attributes: " min=\"1\" max=\"\(CoreAPI.maximumModeMinutes)\" step=\"1\"", id: prefix + "minutes"))
                \(request.input(
                    "reason", t["field.reason"], value: "", required: true, error: errors["reason-\(branch.key)"],
                    id: prefix + "reason"))
                \(Self.commandButtons(t))</form>
                """
        }
        let commands: HTML =
            forms.isEmpty
            ? ""
            : """
            <section class="card" id="door-commands"><h2>\(t["devices.commands"])</h2>\
            <p class="hint">\(t["doors.commandHint"])</p>\(HTML.join(forms))</section>
            """
        let body: HTML = """
            \(sections.isEmpty ? "<p>\(t["doors.noBranches"])</p>" as HTML : HTML.join(sections))
            \(commands)
            """
        var notice: String?
        if request.query("sent") == "1" {
            notice = t["doors.sent"]
        } else if let done = request.query("done"), ["added", "saved", "removed"].contains(done) {
            notice = t["doors.\(done)"]
        }
        return request.page(
            title: t["doors.title"], active: "/doors", body: body, status: errors.isEmpty ? 200 : 400, notice: notice)
    }

    /// One branch's doors: those defined, then any its controllers report that headquarters does
    /// not define (they refuse entries until it does).
    static func doorSection(
        _ request: WebRequest, branch: (id: Int64, name: String, zone: String), defined: APIResult,
        reported: [Int64: [String: Any]], errors: [String: String]?
    ) -> HTML {
        let t = request.text
        let manages = request.account?.may(.branches, at: BranchID(branch.id)) == true
        func yesNo(_ value: Any?) -> HTML { (value as? Bool) == true ? "\(t["yes"])" : "\(t["no"])" }
        var rows: [[HTML]] = []
        for door in defined.list {
            guard let id = request.int(door["id"]) else { continue }
            let schedule = request.string(door["schedule"])
            let delay = request.int(door["reentryDelaySeconds"]).map { " · \($0) s" } ?? ""
            var row: [HTML] = [
                "\(id)", "\(request.string(door["name"]))", "\(t["kind.\(request.string(door["kind"]))"])",
                "\(t["direction.\(request.string(door["direction"]))"])",
                "\(t["mode.\(request.string(door["mode"]))"])",
                schedule.isEmpty
                    ? "<span class=\"muted\">\(t["doors.alwaysOpen"])</span>"
                    : "<code>\(t.scheduleWords(schedule))</code>",
                yesNo(door["cardAndPin"]), "\(yesNo(door["antiPassback"]))\(delay)",
                reportedMode(request, reported[id], zone: branch.zone),
            ]
            if manages { row.append("<a href=\"/branches/\(branch.id)/doors/\(id)\">\(t["action.edit"])</a>") }
            rows.append(row)
        }
        let definedIDs = Set(defined.list.compactMap { request.int($0["id"]) })
        for (id, state) in reported.sorted(by: { $0.key < $1.key }) where !definedIDs.contains(id) {
            var row: [HTML] = [
                "\(id)", "\(request.string(state["name"]))", "<span class=\"denied\">\(t["doors.notDefined"])</span>",
                "", "", "", "", "", reportedMode(request, state, zone: branch.zone),
            ]
            if manages { row.append("") }
            rows.append(row)
        }
        var headers = [
            t["doors.number"], t["field.name"], t["doors.kind"], t["doors.direction"], t["doors.standing"],
            t["doors.schedule"], t["doors.cardAndPin"], t["doors.antiPassback"], t["doors.reported"],
        ]
        if manages { headers.append("") }
        let table: HTML =
            !defined.ok
            ? "<p class=\"error\" role=\"alert\">\(defined.error ?? t["error.title"])</p>"
            : rows.isEmpty ? "<p>\(t["doors.noneDefined"])</p>" : request.table(headers, rows)
        let add: HTML = HTML.when(
            manages,
            """
            <details\(HTML.when(errors != nil, " open"))><summary>\(t["doors.add"])</summary>\
            <form method="post" action="/branches/\(branch.id)/doors">\(request.csrfField)
            \(doorFields(
                request, values: errors == nil ? newDoorValues : doorValues(request), errors: errors ?? [:],
                idPrefix: "b\(branch.id)-", adding: true))
            <p><button type="submit">\(t["doors.add"])</button></p></form></details>
            """)
        return """
            <section class="card" id="branch-\(branch.id)"><h2>\(branch.name)</h2>
            <p><a href="/branches/\(branch.id)/calendar">\(t["calendar.title"])</a> · \
            <a href="/branches/\(branch.id)/occupancy">\(t["occupancy.link"])</a></p>
            \(table)\(add)</section>
            """
    }

    /// The mode a door's controller last reported, until when and by whom.
    static func reportedMode(_ request: WebRequest, _ state: [String: Any]?, zone: String) -> HTML {
        let t = request.text
        guard let state else { return "<span class=\"muted\">\(t["doors.notReported"])</span>" }
        var text = t["mode.\(request.string(state["mode"]))"]
        if let until = request.int(state["until"]) {
            text += " · \(t["doors.until"].lowercased()) \(t.dateTime(Timestamp(milliseconds: until), zone: zone))"
        }
        let by = request.string(state["by"])
        if !by.isEmpty { text += " (\(by))" }
        return "\(text)"
    }
}
