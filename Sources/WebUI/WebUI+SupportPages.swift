import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// Assisted sessions in the browser: the support side (`/support`: ask, enter the code, cancel)
/// and the user's side (`/my/support`: consent with the code, decline, end), and the banner
/// every page shows while a session runs or a request waits.
extension WebUI {
    func declareSupportPages(_ router: inout Router) {
        add(&router, .get, "/support", .signedIn) { request in try Self.supportPage(request) }
        add(&router, .post, "/support", .signedIn) { request in
            let result = request.call(
                .post, "/api/v1/support/requests",
                body: [
                    "email": request.field("email"), "totp": request.field("totp").trimmingCharacters(in: .whitespaces),
                ])
            guard result.ok else {
                guard [400, 403, 404, 409, 429].contains(result.status), request.may(.support) else {
                    return request.failure(result)
                }
                let field = result.erroredField(among: ["email", "totp"]) ?? "totp"
                return try Self.supportPage(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/support/\(request.string(result.object["id"]))")
        }
        add(&router, .get, "/support/:id", .signedIn) { request in try Self.supportRequestPage(request) }
        add(&router, .post, "/support/:id/confirm", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(
                .post, "/api/v1/support/requests/\(id)/confirm",
                body: ["code": request.field("code").trimmingCharacters(in: .whitespaces)])
            guard result.ok, let cookie = result.headers.first(where: { $0.name == "Set-Cookie" })?.value else {
                guard [400, 409, 403, 410].contains(result.status) else { return request.failure(result) }
                return try Self.supportRequestPage(request, errors: ["code": result.error ?? ""])
            }
            // The browser now holds the assisted session; the support user's own one is signed out.
            _ = request.call(.delete, "/api/v1/session")
            return Self.redirect("/home", cookies: [cookie])
        }
        add(&router, .post, "/support/:id/end", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(
                .post, "/api/v1/support/requests/\(id)/end", body: ["reason": request.field("reason")])
            guard result.ok else {
                guard [400, 409].contains(result.status) else { return request.failure(result) }
                return try Self.supportRequestPage(request, errors: ["reason": result.error ?? ""])
            }
            return Self.redirect("/support/\(id)")
        }
        add(&router, .get, "/my/support", .signedIn) { request in try Self.mySupportPage(request) }
        for action in ["consent", "decline", "end"] {
            add(&router, .post, "/my/support/:id/\(action)", .signedIn) { request in
                let id = Int64(request.parameter("id")) ?? 0
                let body =
                    action == "consent"
                    ? ["code": request.field("code").trimmingCharacters(in: .whitespaces)]
                    : ["reason": request.field("reason")]
                let result = request.call(.post, "/api/v1/me/support/\(id)/\(action)", body: body)
                guard result.ok else {
                    guard [400, 403, 409, 410].contains(result.status) else { return request.failure(result) }
                    let field = action == "consent" ? "code" : "reason"
                    return try Self.mySupportPage(request, errors: ["\(id).\(action).\(field)": result.error ?? ""])
                }
                if action == "end", request.session?.assistance != nil {
                    // The support side ended its own assisted session: back to the sign-in.
                    return Self.redirect(
                        "/login?expired=1", cookies: ["portero_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"])
                }
                return Self.redirect("/my/support?done=\(action)")
            }
        }
    }

    /// The support side: the form to ask, and the requests so far.
    static func supportPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let result = request.call(.get, "/api/v1/support/requests")
        guard result.ok else { return request.failure(result) }
        let rows: [[HTML]] = result.list.map { row in
            let id = request.string(row["id"])
            return [
                "<a href=\"/support/\(id)\">#\(id)</a>", "\(request.string(row["userName"]))",
                "\(request.string(row["userEmail"]))", "\(t["support.status.\(request.string(row["status"]))"])",
                "\(stamp(request, row["createdAt"]))", "\(stamp(request, row["endsAt"]))",
            ]
        }
        let body: HTML = """
            <p class="muted">\(t["support.hint"])</p>
            <section class="card"><h2>\(t["support.start"])</h2>\
            <form method="post" action="/support">\(request.csrfField)
            \(request.input("email", t["support.email"], value: request.field("email"), type: "email", required: true,
                error: errors["email"]))
            \(request.input("totp", t["support.totp"], required: true, error: errors["totp"],
                attributes: " inputmode=\"numeric\" autocomplete=\"one-time-code\""))
            <p><button type="submit">\(t["support.start"])</button></p></form></section>
            \(rows.isEmpty ? "<p>\(t["support.none"])</p>" as HTML : request.table(
                ["#", t["support.user"], t["field.email"], t["support.status"], t["support.created"],
                 t["support.endsAt"]], rows))
            """
        return request.page(
            title: t["support.title"], active: "/support", body: body, status: errors.isEmpty ? 200 : 400)
    }

    /// One request, from the support side: enter the code, or cancel with a reason.
    static func supportRequestPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let result = request.call(.get, "/api/v1/support/requests/\(id)")
        guard result.ok else { return request.failure(result) }
        let row = result.object
        let status = request.string(row["status"])
        let open = ["pending", "consented", "active"].contains(status)
        let codeForm: HTML =
            status == "pending" || status == "consented"
            ? """
            <section class="card"><p>\(t["support.waiting"])</p>\
            <form method="post" action="/support/\(id)/confirm">\(request.csrfField)
            \(request.input("code", t["support.code"], required: true, error: errors["code"],
                attributes: " inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"8\""))
            <p><button type="submit">\(t["support.confirm"])</button></p></form></section>
            """ : ""
        let body: HTML = """
            <p><a href="/support">\(t["support.back"])</a></p>
            <dl class="facts"><dt>\(t["support.user"])</dt><dd>\(request.string(row["userName"])) \
            (\(request.string(row["userEmail"])))</dd>\
            <dt>\(t["support.status"])</dt><dd id="support-status">\(t["support.status.\(status)"])</dd>\
            <dt>\(t["support.created"])</dt><dd>\(stamp(request, row["createdAt"]))</dd>\
            <dt>\(t["support.endsAt"])</dt><dd>\(stamp(request, row["endsAt"]))</dd>\
            <dt>\(t["support.reason"])</dt><dd>\(request.string(row["reason"]))</dd></dl>
            \(codeForm)
            \(open ? endForm(request, action: "/support/\(id)/end", label: t["support.cancel"],
                error: errors["reason"]) : "")
            """
        return request.page(
            title: "\(t["support.title"]) · #\(id)", active: "/support", body: body, status: errors.isEmpty ? 200 : 400)
    }

    /// The user's side: each open request with the code to consent, declining, or ending.
    static func mySupportPage(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let result = request.call(.get, "/api/v1/me/support")
        guard result.ok else { return request.failure(result) }
        var requests = result.object["requests"] as? [[String: Any]] ?? []
        if let assisted = result.object["assisted"] as? [String: Any] { requests = [assisted] }
        let inside = request.session?.assistance != nil
        let sections: [HTML] = requests.map { row in
            let id = request.string(row["id"])
            let status = request.string(row["status"])
            let asks = t["support.asks"].replacingOccurrences(of: "%1", with: request.string(row["supportName"]))
                .replacingOccurrences(of: "%2", with: stamp(request, row["createdAt"]))
            let forms: HTML
            switch status {
            case "pending" where !inside:
                forms = """
                    <p>\(t["support.asksHint"])</p>\
                    <form method="post" action="/my/support/\(id)/consent">\(request.csrfField)
                    \(request.input("code", t["support.myCode"], required: true, error: errors["\(id).consent.code"],
                        attributes: " inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"8\""))
                    <p><button type="submit">\(t["support.consent"])</button></p></form>
                    \(endForm(request, action: "/my/support/\(id)/decline", label: t["support.decline"],
                        error: errors["\(id).decline.reason"]))
                    """
            case "consented" where !inside:
                forms = """
                    <p>\(t["support.consented"])</p>
                    \(endForm(request, action: "/my/support/\(id)/decline", label: t["support.decline"],
                        error: errors["\(id).decline.reason"]))
                    """
            case "active":
                forms = endForm(
                    request, action: "/my/support/\(id)/end", label: t["support.end"], error: errors["\(id).end.reason"]
                )
            default: forms = ""
            }
            return """
                <section class="card" id="support-request-\(id)"><h2>\(asks)</h2>\
                <p>\(t["support.status"]): \(t["support.status.\(status)"])</p>\(forms)</section>
                """
        }
        let notice = request.query("done").map {
            $0 == "end" ? t["support.ended"] : t["support.status.\($0 == "decline" ? "declined" : "consented")"]
        }
        let body: HTML = sections.isEmpty ? "<p>\(t["support.noneMine"])</p>" : HTML.join(sections)
        return request.page(
            title: t["support.mine"], active: "/my/support", body: body, status: errors.isEmpty ? 200 : 400,
            notice: notice)
    }

    /// A form that closes something and asks why.
    static func endForm(_ request: WebRequest, action: String, label: String, error: String?) -> HTML {
        """
        <form method="post" action="\(action)">\(request.csrfField)
        \(request.input("reason", request.text["support.reasonHint"], required: true, error: error,
            attributes: " minlength=\"3\" maxlength=\"200\"",
            id: "f-reason-\(action.split(separator: "/").joined(separator: "-"))"))
        <p><button type="submit" class="danger">\(label)</button></p></form>
        """
    }

    /// An audit row's actor in words: `support:3 for user:7` reads "support 3 for user 7" (in the
    /// page's language); any other actor as it is.
    static func supportActor(_ request: WebRequest, _ actor: String) -> String {
        let parts = actor.split(separator: " ")
        guard parts.count == 3, parts[0].hasPrefix("support:"), parts[1] == "for", parts[2].hasPrefix("user:") else {
            return actor
        }
        return request.text["support.actor"].replacingOccurrences(of: "%1", with: String(parts[0].dropFirst(8)))
            .replacingOccurrences(of: "%2", with: String(parts[2].dropFirst(5)))
    }

    /// An API timestamp as the core's local date and time (empty when absent).
    static func stamp(_ request: WebRequest, _ value: Any?) -> String {
        request.int(value).map {
            request.text.dateTime(Timestamp(milliseconds: $0), zone: request.ui.api.chainTimeZone())
        }
            ?? ""
    }
}

extension WebRequest {
    /// The banner every page shows: who acts for whom and until when while an assisted session
    /// runs (on both sides), or that a support user asks, with where to answer.
    package var supportBanner: HTML {
        guard let account else { return "" }
        let t = text
        let result = call(.get, "/api/v1/me/support")
        guard result.ok else { return "" }
        let requests = result.object["requests"] as? [[String: Any]] ?? []
        let running =
            (result.object["assisted"] as? [String: Any]) ?? requests.first { string($0["status"]) == "active" }
        if let running, let ends = int(running["endsAt"]) {
            let words = t["support.banner"].replacingOccurrences(of: "%1", with: string(running["supportName"]))
                .replacingOccurrences(of: "%2", with: "\(account.name) \(account.paternalSurname)")
                .replacingOccurrences(
                    of: "%3", with: t.time(Timestamp(milliseconds: ends), zone: ui.api.chainTimeZone()))
            return """
                <p class="notice" role="status" id="support-banner">\(words) · \
                <a href="/my/support">\(t["support.manage"])</a></p>
                """
        }
        guard let asking = requests.first(where: { ["pending", "consented"].contains(string($0["status"])) }) else {
            return ""
        }
        let words = t["support.bannerAsk"].replacingOccurrences(of: "%1", with: string(asking["supportName"]))
        return """
            <p class="notice" role="status" id="support-banner">\(words) \
            <a href="/my/support">\(t["support.answer"])</a></p>
            """
    }
}
