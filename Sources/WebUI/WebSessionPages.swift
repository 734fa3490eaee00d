import CoreStorage
import BackOffice
import Crypto
import Foundation
import HTTP
import PorteroModel

/// Sign-in (with the second factor when it is on), sign-out and the user's own settings.
extension WebUI {
    /// The login form's CSRF token lives in a cookie of its own until there is a session (double submit).
    package static let loginCookie = "portero_login"

    package func declareSessionPages(_ router: inout Router) {
        add(&router, .get, "/login", .anyone) { request in
            if request.session != nil { return Self.redirect(Self.safeNext(request.query("next"))) }
            let notice =
                request.query("expired") == "1"
                ? request.text["login.expired"] : request.query("reset") == "1" ? request.text["reset.done"] : nil
            return try Self.loginForm(request, login: "", notice: notice)
        }
        add(&router, .post, "/login", .anyone) { request in
            let t = request.text
            let expected = CoreAPI.cookie(Self.loginCookie, in: request.context.request.header("cookie")) ?? ""
            let login = request.field("login")
            guard Self.constantTimeEqual(request.field("csrf"), expected) else {
                return try Self.loginForm(request, login: login, error: "\(t["error.forbidden"]) (CSRF)", status: 403)
            }
            var body: [String: Any] = ["login": login, "password": request.field("password")]
            let code = request.field("totp").trimmingCharacters(in: .whitespaces)
            if !code.isEmpty { body["totp"] = code }
            let result = request.call(.post, "/api/v1/session", body: body)
            guard result.ok, let cookie = result.headers.first(where: { $0.name == "Set-Cookie" })?.value else {
                let message = result.error ?? ""
                let needsCode = message.contains("one-time code")
                let error =
                    needsCode ? t["login.totpNeeded"] : result.status == 429 ? t["login.locked"] : t["login.failed"]
                return try Self.loginForm(
                    request, login: login, error: error, askCode: needsCode || !code.isEmpty,
                    status: result.status == 429 ? 429 : 401)
            }
            return Self.redirect(
                Self.safeNext(request.field("next")),
                cookies: [cookie, "\(Self.loginCookie)=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0"])
        }
        add(&router, .post, "/logout", .signedIn) { request in
            _ = request.call(.delete, "/api/v1/session")
            return Self.redirect("/login", cookies: ["portero_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"])
        }
        add(&router, .get, "/settings", .signedIn) { request in try Self.settings(request) }
        add(&router, .post, "/settings/language", .signedIn) { request in
            let result = request.call(.patch, "/api/v1/me", body: ["language": request.field("language")])
            guard result.ok else { return try Self.settings(request, errors: ["language": result.error ?? ""]) }
            return Self.redirect("/settings?saved=1")
        }
        add(&router, .post, "/settings/password", .signedIn) { request in
            let result = request.call(
                .post, "/api/v1/me/password",
                body: ["current": request.field("current"), "password": request.field("password")])
            guard result.ok else {
                let field =
                    result.erroredField(among: ["current", "password"])
                    ?? (result.error?.contains("current") == true ? "current" : "password")
                return try Self.settings(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/settings?password=1")
        }
        add(&router, .post, "/settings/totp/start", .signedIn) { request in
            let result = request.call(.post, "/api/v1/me/totp/secret")
            guard result.ok else { return request.failure(result) }
            return try Self.settings(
                request, totp: (request.string(result.object["secret"]), request.string(result.object["uri"])))
        }
        add(&router, .post, "/settings/totp", .signedIn) { request in
            let secret = request.field("secret")
            let result = request.call(
                .post, "/api/v1/me/totp", body: ["secret": secret, "code": request.field("code")])
            guard result.ok else {
                let uri = request.field("uri")
                return try Self.settings(request, errors: ["code": result.error ?? ""], totp: (secret, uri))
            }
            let codes = (result.object["recovery_codes"] as? [String]) ?? []
            let list: [HTML] = codes.map { "<li><code>\($0)</code></li>" }
            return request.page(
                title: request.text["settings.totp"], active: "/settings",
                body:
                    """
                    <p>\(request.text["settings.totpOn"])</p><ul class="codes">\(list)</ul><p><a href="/settings">\
                    \(request.text["settings.title"])</a></p>
                    """
            )
        }
    }

    /// Where to go after signing in: `next` when it is a path on this site, else home (`/`).
    /// Checked as written and after each round of percent-decoding (a proxy or a browser may
    /// decode once more): it must begin with one slash, and hold no backslash (browsers read
    /// `/\host` as `//host`) and no control character (they drop tabs and line breaks from a URL,
    /// so `/<TAB>/host` would be `//host`; CR and LF would split the header). Text that does not
    /// decode is refused.
    package static func safeNext(_ next: String?) -> String {
        guard let next else { return "/" }
        var text = next
        // Five rounds are more than any link needs; text still encoded after them is refused.
        for _ in 0..<5 {
            guard isSameSitePath(text) else { return "/" }
            guard text.contains("%") else { return next }
            guard let decoded = text.removingPercentEncoding, decoded != text else { return "/" }
            text = decoded
        }
        return "/"
    }

    /// One slash, then no backslash and no control character (C0, DEL or C1).
    private static func isSameSitePath(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.hasPrefix("//")
            && !path.unicodeScalars.contains { $0 == "\\" || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    package static func loginForm(
        _ request: WebRequest, login: String, error: String? = nil, askCode: Bool = false, notice: String? = nil,
        status: Int = 200
    ) throws -> HTTPResponse {
        let t = request.text
        let token = Base32.encode(try SecureRandom.bytes(20))
        let next = Self.safeNext(request.query("next") ?? (request.field("next").isEmpty ? nil : request.field("next")))
        let form: HTML = """
            <form method="post" action="/login" class="card narrow">
            <input type="hidden" name="csrf" value="\(token)"><input type="hidden" name="next" value="\(next)">
            \(error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(request.input(
                "login", t["login.login"], value: login, required: true,
                attributes: " autocomplete=\"username\" autofocus"))
            \(request.input(
                "password", t["login.password"], type: "password", required: true,
                attributes: " autocomplete=\"current-password\""))
            \(HTML.when(
                askCode,
                request.input(
                    "totp", t["login.totp"], attributes: " autocomplete=\"one-time-code\" inputmode=\"numeric\"")))
            <p><button type="submit">\(t["login.submit"])</button></p>
            <p><a href="/forgot">\(t["login.forgot"])</a></p>
            \(Self.oidcButton(request, next: next))
            </form>
            """
        var response = request.page(title: t["login.title"], body: form, status: status, notice: notice)
        response.headers.append(
            ("Set-Cookie", "\(loginCookie)=\(token); Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600"))
        return response
    }

    package static func settings(
        _ request: WebRequest, errors: [String: String] = [:], totp: (secret: String, uri: String)? = nil
    ) throws -> HTTPResponse {
        let t = request.text
        let me = request.call(.get, "/api/v1/me")
        guard me.ok else { return request.failure(me) }
        let notice =
            request.query("saved") == "photo"
            ? t["photo.sent"]
            : request.query("saved") == "1"
                ? t["settings.saved"]
                : request.query("password") == "1"
                    ? t["settings.passwordChanged"]
                    : request.query("unlinked") == "1" ? t["oidc.unlinked"] : nil
        let totpPart: HTML
        if let totp {
            let qr = (try? QRCode(text: totp.uri).svg(label: t["settings.totpScan"])) ?? ""
            totpPart = """
                <p>\(t["settings.totpScan"])</p><div class="qr">\(qr)</div><p><code>\(totp.secret)</code></p>
                <form method="post" action="/settings/totp">\(request.csrfField)\
                <input type="hidden" name="secret" value="\(totp.secret)">\
                <input type="hidden" name="uri" value="\(totp.uri)">
                \(request.input(
                    "code", t["login.totp"], required: true, error: errors["code"],
                    attributes: " inputmode=\"numeric\" autocomplete=\"one-time-code\""))
                <p><button type="submit">\(t["settings.totpConfirm"])</button></p></form>
                """
        } else {
            totpPart =
                """
                <form method="post" action="/settings/totp/start">\(request.csrfField)<button type="submit">\
                \(t["settings.totpStart"])</button></form>
                """
        }
        let language = request.text.language.rawValue
        let body: HTML = """
            <section class="card"><h2>\(t["field.language"])</h2>
            <form method="post" action="/settings/language">\(request.csrfField)
            \(request.select(
                "language", t["field.language"], options: [("es", "Español"), ("en", "English")], selected: language,
                error: errors["language"]))
            <p><button type="submit">\(t["action.save"])</button></p></form></section>
            <section class="card"><h2>\(t["settings.password"])</h2>
            <form method="post" action="/settings/password">\(request.csrfField)
            \(request.input(
                "current", t["field.currentPassword"], type: "password", required: true, error: errors["current"],
                attributes: " autocomplete=\"current-password\""))
            \(request.input(
                "password", t["field.newPassword"], type: "password", required: true, error: errors["password"],
                attributes: " autocomplete=\"new-password\""))
            <p><button type="submit">\(t["action.save"])</button></p></form></section>
            <section class="card"><h2>\(t["settings.totp"])</h2>\(totpPart)</section>
            \(Self.oidcSettingsSection(request))
            \(Self.notificationPreferences(request))
            \(Self.ownPhotoSection(request, error: errors["photo"]))
            """
        return request.page(
            title: "\(t["settings.title"]): \(request.fullName(me.object))", active: "/settings", body: body,
            status: errors.isEmpty ? 200 : 400, notice: notice)
    }
}
