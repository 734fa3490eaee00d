import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The audit trail in words: who by name, what in a sentence, from which address; filtered by
/// person, action, branch and dates on the server, over the whole trail, 50 rows a page.
extension WebUI {
    static let auditPageSize = 50

    /// A person the row is about by name ("user:12" → "Ana López"); other targets as written.
    static func auditTarget(_ target: String, name: (String) -> String) -> String {
        target.hasPrefix("user:") && Int64(target.dropFirst(5)) != nil ? name(target) : target
    }

    static func auditPage(_ request: WebRequest) -> HTTPResponse {
        let t = request.text
        let branch = request.query("branch").flatMap { Int64($0) }
        var query = [("limit", String(auditPageSize))]
        for key in ["action", "who", "branch", "from", "to", "before"] {
            if let value = request.query(key)?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                query.append((key, value))
            }
        }
        let result = request.call(.get, "/api/v1/audit", query: query)
        guard result.ok || result.status == 400 else { return request.failure(result) }
        let verification = (result.object["verification"] as? [String: Any]) ?? [:]
        let state: HTML =
            (verification["intact"] as? Bool) == true
            ? """
            <p class="ok" role="status">✔ \(t["audit.intact"]) \
            (\(t.number(Int(request.int(verification["rows"]) ?? 0))))</p>
            """
            : """
            <p class="error" role="alert">✖ \(t["audit.broken"]) #\(request.string(verification["brokenAt"])): \
            \(request.string(verification["reason"]))</p>
            """
        let entries = (result.object["entries"] as? [[String: Any]]) ?? []
        var names: [String: String] = [:]
        func name(_ actor: String) -> String {
            if let known = names[actor] { return known }
            var found = Self.supportActor(request, actor)
            if actor.hasPrefix("user:"), let id = Int64(actor.dropFirst(5)) {
                let user = request.call(.get, "/api/v1/users/\(id)")
                if user.ok { found = request.fullName(user.object) }
            }
            names[actor] = found
            return found
        }
        let zone = request.ui.api.chainTimeZone()
        let action = request.query("action") ?? ""
        let page = max(1, Int(request.query("page") ?? "") ?? 1)
        let rows: [[HTML]] = entries.map { entry in
            let at = request.int(entry["at"]).map { t.dateTime(Timestamp(milliseconds: $0), zone: zone) } ?? ""
            let changes = request.string(entry["changes"])
            let object = (try? JSONSerialization.jsonObject(with: Data(changes.utf8))) as? [String: Any]
            return [
                "\(request.string(entry["id"]))", "<time>\(at)</time>",
                "\(name(request.string(entry["actor"])))", "\(t.auditAction(request.string(entry["action"])))",
                "\(Self.auditTarget(request.string(entry["target"]), name: name))",
                "\(request.string(object?["address"]))",
                "<code class=\"changes\">\(changes)</code>",
            ]
        }
        let known = WebText.auditActionWords.keys.filter { $0.hasPrefix("audit.do.") }.map { String($0.dropFirst(9)) }
        let actions = Set(known + (action.isEmpty ? [] : [action])).sorted().map { ($0, t.auditAction($0)) }
        let filters: HTML = """
            <form method="get" action="/audit" class="row" role="search" id="audit-filters">
            \(request.input("who", t["audit.actor"], value: request.query("who") ?? ""))
            \(request.select("action", t["audit.action"], options: [("", t["audit.anyAction"])] + actions,
                selected: action))
            \(request.select(
                "branch", t["field.branch"],
                options: [("", t["promotions.allBranches"])]
                    + request.branches().sorted { $0.key < $1.key }.map { (String($0.key), $0.value.name) },
                selected: branch.map { String($0) } ?? ""))
            \(request.input("from", t["member.from"], value: request.query("from") ?? "", type: "date"))
            \(request.input("to", t["member.to"], value: request.query("to") ?? "", type: "date"))
            <p><button type="submit">\(t["audit.filter"])</button></p></form>
            """
        // The next page starts below the last row shown; the first page is the newest.
        func link(_ before: Int64?, page number: Int, _ label: String, rel: String) -> HTML {
            var query = before.map { [("before", String($0)), ("page", String(number))] } ?? []
            for key in ["who", "action", "branch", "from", "to"] {
                if let value = request.query(key), !value.isEmpty { query.append((key, value)) }
            }
            let target = "/audit?" + query.map { "\($0.0)=\(WebRequest.percentEncode($0.1))" }.joined(separator: "&")
            return "<a href=\"\(target)\" rel=\"\(rel)\">\(label)</a>"
        }
        let last = entries.last.flatMap { request.int($0["id"]) }
        let pager: HTML = """
            <nav class="pager" aria-label="\(t["audit.pages"])">\
            \(HTML.when(page > 1, link(nil, page: 1, t["audit.newer"], rel: "prev"))) \
            \(t["audit.page"].replacingOccurrences(of: "%1", with: "\(page)")) \
            \(HTML.when(entries.count == auditPageSize && last != nil,
                link(last, page: page + 1, t["audit.older"], rel: "next")))</nav>
            """
        let error: HTML = result.ok ? "" : "<p class=\"error\" role=\"alert\">\(result.error ?? "")</p>"
        let table =
            rows.isEmpty
            ? "<p>\(t["audit.none"])</p>" as HTML
            : request.table(
                [
                    "#", t["attendance.time"], t["audit.actor"], t["audit.action"], t["audit.target"],
                    t["audit.address"], t["audit.changes"],
                ], rows)
        return request.page(
            title: t["audit.title"], active: "/audit", body: "\(state)\(filters)\(error)\(table)\(pager)",
            status: result.ok ? 200 : 400)
    }
}
