import BackOffice
import Foundation
import HTTP

/// The settings page's notification choices: each kind in the web UI and by email.
extension WebUI {
    package func declareNotificationPreferencePages(_ router: inout Router) {
        add(&router, .post, "/settings/notifications", .signedIn) { request in
            let preferences: [[String: Any]] = ["door", "device", "desk", "announcement", "other"].map { kind in
                [
                    "kind": kind, "inApp": request.field("app-\(kind)") == "on",
                    "email": request.field("email-\(kind)") == "on",
                ]
            }
            let result = request.call(.put, "/api/v1/me/notification-preferences", body: ["preferences": preferences])
            guard result.ok else { return request.failure(result) }
            return Self.redirect("/settings?saved=1")
        }
    }

    static func notificationPreferences(_ request: WebRequest) -> HTML {
        let t = request.text
        let current = request.call(.get, "/api/v1/me/notification-preferences")
        guard current.ok else { return "" }
        let rows: [[HTML]] = current.list.map { preference in
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
