import BackOffice
import Foundation
import HTTP

/// The settings page's notification choices: each kind in the web UI and by email.
extension WebUI {
    package func declareNotificationPreferencePages(_ router: inout Router) {
        add(&router, .post, "/settings/notifications", .signedIn) { request in
            // The kinds the page did not show keep their current choices.
            let shown = Self.notificationKinds(request)
            let current = request.call(.get, "/api/v1/me/notification-preferences").list
            let preferences: [[String: Any]] = ["door", "device", "desk", "announcement", "other"].map { kind in
                guard shown.contains(kind) else {
                    let kept = current.first { request.string($0["kind"]) == kind }
                    return [
                        "kind": kind, "inApp": (kept?["inApp"] as? Bool) ?? true,
                        "email": (kept?["email"] as? Bool) ?? false,
                    ]
                }
                return [
                    "kind": kind, "inApp": request.field("app-\(kind)") == "on",
                    "email": request.field("email-\(kind)") == "on",
                ]
            }
            let result = request.call(.put, "/api/v1/me/notification-preferences", body: ["preferences": preferences])
            guard result.ok else { return request.failure(result) }
            return Self.redirect("/settings?saved=1")
        }
    }

    /// The kinds a user is offered: a member (no staff role) only ever gets staff's messages and
    /// the rest, never door alarms, controllers or the desk's refused changes.
    static func notificationKinds(_ request: WebRequest) -> Set<String> {
        let member = request.account.map { $0.roles.roles.allSatisfy { $0 == .client } } ?? false
        return member ? ["announcement", "other"] : ["door", "device", "desk", "announcement", "other"]
    }

    static func notificationPreferences(_ request: WebRequest) -> HTML {
        let t = request.text
        let current = request.call(.get, "/api/v1/me/notification-preferences")
        guard current.ok else { return "" }
        let shown = Self.notificationKinds(request)
        let rows: [[HTML]] = current.list.filter { shown.contains(request.string($0["kind"])) }.map { preference in
            let kind = request.string(preference["kind"])
            func box(_ name: String, _ key: String) -> HTML {
                let checked = HTML.when((preference[key] as? Bool) == true, " checked")
                let label = "\(t[key == "inApp" ? "notify.inApp" : "notify.email"]): \(t["notify.kind." + kind])"
                return "<input type=\"checkbox\" name=\"\(name)-\(kind)\" aria-label=\"\(label)\"\(checked)>"
            }
            return ["\(t["notify.kind." + kind])", box("app", "inApp"), box("email", "email")]
        }
        return """
            <section class="card"><h2>\(t["notify.title"])</h2><p class="hint">\(t["notify.hint"])</p>
            <form method="post" action="/settings/notifications">\(request.csrfField)\
            \(request.table([t["notify.kind"], t["notify.inApp"], t["notify.email"]], rows))
            <p><button type="submit">\(t["action.save"])</button></p></form></section>
            """
    }
}
