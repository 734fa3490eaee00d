import CoreStorage
import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The page frame (navigation by privilege, the notifications bell, sign-out) and the pieces
/// forms and tables are built from.
extension WebRequest {
    package func page(title: String, active: String = "", body: HTML, status: Int = 200, notice: String? = nil)
        -> HTTPResponse
    {
        let t = text
        var nav: [HTML] = []
        if let account {
            let links: [(String, String, Bool)] = [
                ("/home", "nav.home", account.may(.home, at: nil)),
                ("/live", "nav.live", account.may(.attendance, at: nil)),
                ("/members", "nav.members", account.may(.users, at: nil)),
                ("/dashboard", "nav.dashboard", account.may(.dashboard, at: nil)),
                ("/reports", "nav.reports", account.may(.reports, at: nil)),
                ("/customers", "nav.customers", account.may(.users, at: nil)),
                ("/plans", "nav.plans", account.may(.configuration, at: nil)),
                ("/promotions", "nav.promotions", account.may(.promotions, at: nil)),
                ("/branches", "nav.branches", account.may(.branches, at: nil)),
                ("/devices", "nav.devices", account.may(.branches, at: nil)),
                ("/doors", "nav.doors", account.may(.attendance, at: nil)),
                ("/pos", "nav.pos", account.may(.posSales, at: nil)),
                ("/pos/catalogue", "nav.catalogue", account.may(.posProducts, at: nil)),
                ("/payments", "nav.payments", account.may(.subscriptions, at: nil)),
                ("/day-passes/new", "daypass.nav", account.may(.subscriptions, at: nil)),
                ("/invoices", "nav.invoices", account.may(.subscriptionInvoices, at: nil)),
                ("/my", "nav.my", account.roles.contains(.client)),
                ("/my/pass", "pass.title", account.roles.contains(.client)),
                ("/my/invoices", "nav.myInvoices", account.roles.contains(.client)),
                ("/agreements", "nav.agreements", account.may(.configuration, at: nil)),
                ("/chain-settings", "nav.chainSettings", account.may(.configuration, at: nil)),
                ("/audit", "nav.audit", account.may(.configuration, at: nil)),
                ("/webhooks", "nav.webhooks", account.may(.configuration, at: nil)),
                ("/support", "nav.support", account.may(.support, at: nil) && session?.assistance == nil),
                ("/my/support", "nav.support", !account.may(.support, at: nil) || session?.assistance != nil),
                ("/help", "nav.help", account.may(.userManual, at: nil)),
            ]
            nav = links.filter(\.2).map { link in
                """
                <li><a href="\(link.0)"\(HTML.when(active == link.0, " aria-current=\"page\""))>\(t[link.1])</a></li>
                """
            }
            let unread = call(.get, "/api/v1/notifications/unread").object["unread"] as? Int ?? 0
            let bellLabel = "\(t["nav.notifications"]): \(unread) \(t["notifications.unread"].lowercased())"
            nav.append(
                """
                <li><a class="bell" href="/notifications" aria-label="\(bellLabel)" title="\(bellLabel)">\
                <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path fill="#fff" \
                d="M8 1a4 4 0 0 0-4 4v3L2.5 11h11L12 8V5a4 4 0 0 0-4-4zM6.5 12.5a1.5 1.5 0 0 0 3 0z"/></svg>\
                <span class="count" id="unread">\(unread)</span></a></li>
                """
            )
            nav.append(
                """
                <li><a href="/settings" id="profile-link"\(HTML.when(active == "/settings", " aria-current=\"page\""))\
                 title="\(t["nav.profileOf"].replacingOccurrences(of: "%1", with: account.name))">\
                \(WebUI.personIcon) \(t["nav.settings"]) · \(account.name)</a></li>
                """
            )
            nav.append(
                """
                <li><form method="post" action="/logout" class="inline">\(csrfField)<button type="submit" class="link">\
                \(t["nav.logout"])</button></form></li>
                """
            )
        }
        let html: HTML = """
            <!doctype html>
            <html lang="\(t.language.rawValue)"><head><meta charset="utf-8">\
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Portero</title><link rel="stylesheet" href="/static/portero.css">\
            <link rel="icon" href="/static/icon.svg" type="image/svg+xml"></head>
            <body><a class="skip" href="#main">\(t["nav.skip"])</a>
            <header><nav aria-label="Portero"><a class="brand" href="/home">\(ui.brand())</a>\
            <ul>\(nav)</ul></nav></header>
            \(supportBanner)<main id="main"><h1>\(title)</h1>\
            \(notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" as HTML } ?? "")\(body)</main>
            </body></html>
            """
        return HTTPResponse(
            status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.text.utf8))
    }

    /// A page that says an API call failed (403, 404, …) in words.
    package func failure(_ result: APIResult, title: String? = nil) -> HTTPResponse {
        let message =
            result.status == 403
            ? text["error.forbidden"]
            : result.status == 404 ? text["error.notFound"] : (result.error ?? text["error.title"])
        return page(
            title: title ?? text["error.title"], body: "<p class=\"error\" role=\"alert\">\(message)</p>",
            status: result.status == 403 || result.status == 404 ? result.status : 400)
    }

    package var csrfField: HTML { "<input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">" }

    /// A labelled input; with `error`, the message beside it and the field marked invalid. Its id is
    /// `f-NAME` unless given (a page with one form per branch gives each its own).
    package func input(
        _ name: String, _ label: String, value: String = "", type: String = "text", required: Bool = false,
        error: String? = nil, attributes: HTML = "", id: String? = nil
    ) -> HTML {
        let id = id ?? "f-\(name)"
        return """
            <p class="field\(HTML.when(error != nil, " invalid"))"><label for="\(id)">\(label)</label>\
            <input id="\(id)" name="\(name)" type="\(type)" value="\(value)"\(HTML.when(required, " required"))\
            \(HTML.when(error != nil, " aria-invalid=\"true\" aria-describedby=\"\(id)-error\""))\(attributes)>\
            \(error.map { "<span class=\"error\" id=\"\(id)-error\">\($0)</span>" as HTML } ?? "")</p>
            """
    }

    /// A labelled select of (value, label) options.
    package func select(
        _ name: String, _ label: String, options: [(String, String)], selected: String = "", error: String? = nil,
        multiple: Bool = false, id: String? = nil
    ) -> HTML {
        let id = id ?? "f-\(name)"
        let items: [HTML] = options.map {
            "<option value=\"\($0.0)\"\(HTML.when($0.0 == selected, " selected"))>\($0.1)</option>"
        }
        return """
            <p class="field\(HTML.when(error != nil, " invalid"))"><label for="\(id)">\(label)</label>\
            <select id="\(id)" name="\(name)"\(HTML.when(multiple, " multiple"))\
            \(HTML.when(error != nil, " aria-invalid=\"true\""))>\(items)</select>\
            \(error.map { "<span class=\"error\">\($0)</span>" as HTML } ?? "")</p>
            """
    }

    /// A table with a header row; cells are already HTML.
    package func table(_ headers: [String], _ rows: [[HTML]], caption: String? = nil) -> HTML {
        let head: [HTML] = headers.map { "<th scope=\"col\">\($0)</th>" }
        let body: [HTML] = rows.map { row in "<tr>\(row.map { "<td>\($0)</td>" as HTML })</tr>" }
        return
            """
            <div class="scroll"><table>\(caption.map { "<caption>\($0)</caption>" as HTML } ?? "")\
            <thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>
            """
    }

    /// A one-button form posting to `action` (with the CSRF token and hidden fields).
    package func button(_ action: String, _ label: String, hidden: [(String, String)] = [], style: String = "") -> HTML
    {
        let fields: [HTML] = hidden.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" }
        return
            """
            <form method="post" action="\(action)" class="inline">\(csrfField)\(fields)\
            <button type="submit"\(HTML.when(!style.isEmpty, " class=\"\(style)\""))>\(label)</button></form>
            """
    }

    // MARK: Values from API JSON

    package func string(_ value: Any?) -> String {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: ""
        }
    }

    package func int(_ value: Any?) -> Int64? {
        (value as? NSNumber)?.int64Value ?? (value as? String).flatMap { Int64($0) }
    }

    package func day(_ value: Any?) -> String {
        (value as? String).flatMap { LocalDay(iso: $0) }.map { text.day($0) } ?? ""
    }

    package func money(_ value: Any?) -> String {
        guard let object = value as? [String: Any], let minor = int(object["minorUnits"]),
            let currency = object["currency"] as? String
        else { return "" }
        return text.money(minor: minor, currency: currency)
    }

    /// A user's full name from an API user object.
    package func fullName(_ user: [String: Any]) -> String {
        [string(user["name"]), string(user["paternalSurname"]), string(user["maternalSurname"])].filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// The branches as id → (name, zone), for labels and times.
    package func branches() -> [Int64: (name: String, zone: String)] {
        var map: [Int64: (String, String)] = [:]
        for branch in call(.get, "/api/v1/branches").list {
            if let id = int(branch["id"]) { map[id] = (string(branch["name"]), string(branch["timeZone"])) }
        }
        return map
    }

    /// One attendance row as table cells: time, member, branch, door, result in words.
    package func attendanceCells(_ row: [String: Any], branches: [Int64: (name: String, zone: String)]) -> [HTML] {
        let branch = int(row["branch"]).flatMap { branches[$0] }
        let at = int(row["at"]).map { text.time(Timestamp(milliseconds: $0), zone: branch?.zone ?? "UTC") } ?? ""
        let granted = (row["granted"] as? Bool) == true
        let who: HTML =
            int(row["userID"]).map { "<a href=\"/members/\($0)\">\(string(row["userName"]))</a>" }
            ?? HTML(stringLiteral: "—")
        let reason = string(row["reason"])
        return [
            "<time>\(at)</time>", who, "\(branch?.name ?? "")", "\(string(row["cardNumber"]))",
            "<span class=\"\(granted ? "granted" : "denied")\">\(granted ? "✔" : "✖") \(text.reason(reason))</span>",
        ]
    }
}
