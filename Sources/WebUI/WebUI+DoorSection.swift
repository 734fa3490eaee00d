import BackOffice
import HTTP
import PorteroModel

/// The doors page: each door as its branch last reported it, and the commands (unlock once,
/// lockdown, free access, back to normal) for those allowed at the branch.
extension WebUI {
    package static func doors(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let result = request.call(.get, "/api/v1/doors")
        guard result.ok else { return request.failure(result) }
        let branches = request.branches()
        var doorsByBranch: [Int64: [(id: Int64, name: String)]] = [:]
        var rows: [[HTML]] = []
        for state in result.list {
            guard let branch = request.int(state["branch"]), let door = request.int(state["door"]) else { continue }
            let zone = branches[branch]?.zone ?? "UTC"
            doorsByBranch[branch, default: []].append((door, request.string(state["name"])))
            let mode = request.string(state["mode"])
            rows.append([
                "\(branches[branch]?.name ?? String(branch))", "\(request.string(state["name"]))",
                "\(t["mode.\(mode)"])",
                "\(request.int(state["until"]).map { t.dateTime(Timestamp(milliseconds: $0), zone: zone) } ?? "")",
                "\(request.string(state["by"]))",
            ])
        }
        let table: HTML =
            rows.isEmpty
            ? "<p>\(t["doors.none"])</p>"
            : request.table(
                [t["field.branch"], t["doors.door"], t["doors.mode"], t["doors.until"], t["doors.by"]], rows)
        let forms: [HTML] = branches.sorted { $0.key < $1.key }.compactMap { branch in
            guard request.account?.may(.doorCommands, at: BranchID(branch.key)) == true else { return nil }
            let doors = (doorsByBranch[branch.key] ?? []).sorted { $0.id < $1.id }.map { (String($0.id), $0.name) }
            return """
                <form method="post" action="/branches/\(branch.key)/commands" class="row">\(request.csrfField)<strong>\
                \(branch.value.name)</strong>
                \(request.select(
                    "command", t["devices.commands"],
                    options: [("unlock_once", t["action.unlockOnce"]), ("lockdown", t["action.lockdown"]),
                              ("free_access", t["action.freeAccess"]), ("release", t["action.release"])]))
                \(request.select("door", t["doors.door"], options: [("", t["doors.all"])] + doors))
                \(request.input(
                    "minutes", t["doors.minutes"], value: "", type: "number",
                    attributes: " min=\"1\" max=\"\(CoreAPI.maximumModeMinutes)\" step=\"1\""))
                \(request.input(
                    "reason", t["field.reason"], value: "", required: true, error: errors["reason-\(branch.key)"]))
                <p><button type="submit">\(t["action.save"])</button></p></form>
                """
        }
        let commands: HTML =
            forms.isEmpty
            ? ""
            : "<section class=\"card\"><h2>\(t["devices.commands"])</h2>\(HTML.join(forms))</section>"
        let body: HTML = """
            <section class="card"><h2>\(t["doors.title"])</h2>\(table)</section>
            \(commands)
            """
        return request.page(
            title: t["doors.title"], active: "/doors", body: body, status: errors.isEmpty ? 200 : 400,
            notice: request.query("sent") == "1" ? t["doors.sent"] : nil)
    }
}
