import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The member's phone pass (`/my/pass`): a QR code the phone signs every few seconds with a key
/// made in the browser, the member's phones with a revoke button each, and the form that adds
/// this phone. On a member's page, staff see the member's phones and revoke a lost one.
extension WebUI {
    package func declarePassPages(_ router: inout Router) {
        router.add(.get, "/static/pass.js") { _ in
            Self.asset(WebAssets.qrScript + "\n" + WebAssets.passScript, type: "text/javascript; charset=utf-8")
        }
        router.add(.get, "/my/pass-sw.js") { _ in
            Self.asset(WebAssets.passWorker, type: "text/javascript; charset=utf-8")
        }
        add(&router, .get, "/my/pass", .signedIn) { request in Self.passPage(request) }
        add(&router, .post, "/my/pass/phones", .signedIn) { request in
            let body = ["name": request.field("name"), "x": request.field("x"), "y": request.field("y")]
            let result = request.call(.post, "/api/v1/me/phones", body: body)
            if result.ok { return Self.redirect("/my/pass?done=added") }
            guard result.status == 400 || result.status == 409 else { return request.failure(result) }
            // The name's own refusal beside it (five phones already: in words); a key's beside the button.
            let field = result.erroredField(among: ["name", "x", "y"]) ?? "name"
            let words =
                field != "name"
                ? "\(request.text["pass.error.key"]) (\(result.error ?? ""))"
                : result.status == 409 ? request.text["pass.error.tooMany"] : result.error ?? ""
            return Self.passPage(request, errors: [field == "name" ? "name" : "key": words])
        }
        add(&router, .post, "/my/pass/phones/:phone/revoke", .signedIn) { request in
            let result = request.call(.delete, "/api/v1/me/phones/\(Int64(request.parameter("phone")) ?? 0)")
            return result.ok ? Self.redirect("/my/pass?done=revoked#phones") : request.failure(result)
        }
        add(&router, .post, "/members/:id/phones/:phone/revoke", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let phone = Int64(request.parameter("phone")) ?? 0
            let result = request.call(.delete, "/api/v1/users/\(id)/phones/\(phone)")
            return result.ok ? Self.redirect("/members/\(id)?done=phone#phones") : request.failure(result)
        }
    }

    /// The pass, the phones and the add form; `errors` beside the name field or the key.
    static func passPage(_ request: WebRequest, errors: [String: String] = [:]) -> HTTPResponse {
        let t = request.text
        let pass = request.call(.get, "/api/v1/me/pass")
        guard pass.ok else { return request.failure(pass) }
        let phones = request.call(.get, "/api/v1/me/phones")
        guard phones.ok else { return request.failure(phones) }
        let name = request.account.map { [$0.name, $0.paternalSurname, $0.maternalSurname] } ?? []
        let words: HTML = HTML.join(
            ["ready", "noKey", "revoked", "unsupported"].map { " data-\($0.lowercased())=\"\(t["pass." + $0])\"" },
            separator: "")
        let list = phoneList(request, phones.list) { "/my/pass/phones/\($0)/revoke" }
        let keyError = errors["key"].map { "<p class=\"error\" role=\"alert\">\($0)</p>" as HTML } ?? ""
        let body: HTML = """
            <section class="card pass" id="pass" data-member="\(request.string(pass.object["member"]))" \
            data-now="\(request.string(pass.object["now"]))" \
            data-renew="\(request.string(pass.object["renewSeconds"]))" \
            data-label="\(t["pass.label"])"\(words)>\
            <h2>\(name.filter { !$0.isEmpty }.joined(separator: " "))</h2>\
            <div id="pass-code" class="pass-code"></div>\
            <p class="pass-live">\(t["pass.countdown"]) <strong id="pass-countdown"></strong> s</p>\
            <p id="pass-state" role="status">\(t["pass.loading"])</p>\
            <noscript><p class="error">\(t["pass.noScript"])</p></noscript>\
            <p class="hint">\(t["pass.hint"])</p></section>
            <section class="card" id="phones"><h2>\(t["pass.phones"])</h2>\(list)
            <form id="pass-add" method="post" action="/my/pass/phones">\(request.csrfField)\
            <input type="hidden" name="x" value=""><input type="hidden" name="y" value="">
            \(request.input(
                "name", t["pass.name"], value: errors.isEmpty ? "" : request.field("name"), required: true,
                error: errors["name"], attributes: " maxlength=\"60\" placeholder=\"\(t["pass.namePlaceholder"])\""))\
            \(keyError)
            <p class="hint">\(t["pass.addHint"])</p>
            <p><button type="submit">\(t["pass.add"])</button></p></form></section>
            <script src="/static/pass.js"></script>
            """
        let notice = request.query("done").flatMap { ["added", "revoked"].contains($0) ? t["pass.done." + $0] : nil }
        return request.page(
            title: t["pass.title"], active: "/my/pass", body: body, status: errors.isEmpty ? 200 : 400, notice: notice)
    }

    /// Phones as a list: name, when added (or revoked), and a revoke button for each active one.
    /// Each item names the phone and its key's x for the pass script; a revoked one says so.
    static func phoneList(_ request: WebRequest, _ phones: [[String: Any]], revoke: (Int64) -> String) -> HTML {
        let t = request.text
        guard !phones.isEmpty else { return "<p>\(t["pass.noPhones"])</p>" }
        let zone = request.ui.api.chainTimeZone()
        func when(_ value: Any?) -> String {
            request.int(value).map { t.dateTime(Timestamp(milliseconds: $0), zone: zone) } ?? ""
        }
        let items: [HTML] = phones.map { phone in
            let id = request.int(phone["id"]) ?? 0
            let revoked = request.int(phone["revokedAt"]) != nil
            let state: HTML =
                revoked
                ? "<span>· \(t["pass.revokedOn"]) \(when(phone["revokedAt"]))</span>"
                : request.button(revoke(id), t["pass.revoke"], style: "danger small")
            return """
                <li data-phone="\(String(id))" data-x="\(request.string(phone["x"]))"\
                \(HTML.when(revoked, " data-revoked class=\"revoked\""))>\
                <strong>\(request.string(phone["name"]))</strong> \
                <span>\(t["pass.added"]) \(when(phone["addedAt"]))</span> \(state)</li>
                """
        }
        return "<ul class=\"phones\">\(items)</ul>"
    }

    /// The member's phones on their page, for staff with the users privilege (a lost phone is
    /// revoked at the desk); nothing when the core does not show them.
    static func phoneSection(_ request: WebRequest, id: String) -> HTML {
        guard request.may(.users) else { return "" }
        let phones = request.call(.get, "/api/v1/users/\(id)/phones")
        guard phones.ok else { return "" }
        let list =
            phones.list.isEmpty
            ? "<p>\(request.text["phones.none"])</p>"
            : phoneList(request, phones.list) { "/members/\(id)/phones/\($0)/revoke" }
        return """
            <section class="card" id="phones"><h2>\(request.text["phones.title"])</h2>\(list)\
            <p class="hint">\(request.text["phones.hint"])</p></section>
            """
    }
}
