import BackOffice
import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel

/// Signing in through the OpenID provider: the button, the trip there and back, the second
/// factor when the account has one, and the link on the settings page.
extension WebUI {
    /// Binds a sign-in at the provider to this browser. Lax: the provider's answer arrives as
    /// a navigation from its site.
    package static let oidcCookie = "portero_oidc"
    /// Holds a sign-in waiting for its second factor (Strict: only this site's pages send it).
    package static let oidcCodeCookie = "portero_oidc_code"

    package func declareOIDCPages(_ router: inout Router) {
        add(&router, .get, "/oidc/start", .anyone) { [api] request in
            let next = Self.safeNext(request.query("next"))
            do {
                let started = try api.oidcStart(
                    next: next, address: api.clientAddress(of: request.context.request), now: api.clock())
                return Self.redirect(
                    started.location,
                    cookies: [Self.oidcCookie(Self.oidcCookie, started.browser, lax: true, request)])
            } catch {
                return Self.oidcRefused(request, error)
            }
        }
        add(&router, .get, "/oidc/callback", .anyone) { [api] request in
            let headers = request.context.request.header("cookie")
            let outcome = api.oidcCallback(
                state: request.query("state"), code: request.query("code"), error: request.query("error"),
                browser: CoreAPI.cookie(Self.oidcCookie, in: headers),
                address: api.clientAddress(of: request.context.request), now: api.clock())
            var response = Self.oidcAnswer(request, outcome)
            response.headers.append(("Set-Cookie", Self.oidcCookie(Self.oidcCookie, "", lax: true, request)))
            return response
        }
        add(&router, .get, "/oidc/code", .anyone) { request in
            try Self.oidcCodeForm(request)
        }
        add(&router, .post, "/oidc/code", .anyone) { [api] request in
            let key = CoreAPI.cookie(Self.oidcCodeCookie, in: request.context.request.header("cookie"))
            guard let key, Self.constantTimeEqual(request.field("csrf"), Self.oidcFormToken(key)) else {
                return try Self.oidcCodeForm(request, error: "\(request.text["error.forbidden"]) (CSRF)", status: 403)
            }
            let outcome = api.oidcSecondFactor(
                key: key, code: request.field("totp").trimmingCharacters(in: .whitespaces),
                address: api.clientAddress(of: request.context.request), now: api.clock())
            if case let .refused(refusal) = outcome, refusal.reason == "second_factor" {
                return try Self.oidcCodeForm(request, error: request.text["oidc.codeWrong"], status: 401)
            }
            var response = Self.oidcAnswer(request, outcome)
            if case .signedIn = outcome {
                response.headers.append(("Set-Cookie", Self.oidcCookie(Self.oidcCodeCookie, "", lax: false, request)))
            }
            return response
        }
        add(&router, .post, "/settings/oidc/unlink", .signedIn) { request in
            let result = request.call(.delete, "/api/v1/me/oidc")
            guard result.ok else { return request.failure(result) }
            return Self.redirect("/settings?unlinked=1")
        }
    }

    /// A cookie of the flow, on `/oidc` only; an empty value removes it.
    static func oidcCookie(_ name: String, _ value: String, lax: Bool, _ request: WebRequest) -> String {
        let secure = request.ui.api.secureCookies || request.ui.api.forwardedOverHTTPS(request.context.request)
        return "\(name)=\(value); Path=/oidc; HttpOnly; SameSite=\(lax ? "Lax" : "Strict"); "
            + "Max-Age=\(value.isEmpty ? 0 : CoreAPI.oidcPendingSeconds)\(secure ? "; Secure" : "")"
    }

    /// The second-factor form's token: derived from the sign-in's own secret, which only this browser holds.
    static func oidcFormToken(_ key: String) -> String {
        Base32.encode(Digest.hmacSHA256(key: Array(key.utf8), message: Array("oidc-code-form".utf8)))
    }

    /// What the browser sees of an outcome. A session (or the way to the second factor) is set
    /// on a page that moves on by itself: the cookies are SameSite=Strict, and a browser sends
    /// them only on a navigation this site starts, not on redirects of the provider's.
    static func oidcAnswer(_ request: WebRequest, _ outcome: CoreAPI.OIDCOutcome) -> HTTPResponse {
        let t = request.text
        let (target, cookie): (String, String)
        switch outcome {
        case let .refused(refusal): return oidcRefused(request, refusal)
        case let .signedIn(token, next):
            let secure = request.ui.api.secureCookies || request.ui.api.forwardedOverHTTPS(request.context.request)
            target = safeNext(next)
            cookie =
                (try? request.ui.api.withDatabase { try $0.auth.cookie(token: token, secure: secure) })
                ?? "portero_session=\(token); Path=/; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
        case let .secondFactor(key, _):
            target = "/oidc/code"
            cookie = oidcCookie(oidcCodeCookie, key, lax: false, request)
        }
        var response = request.page(
            title: t["oidc.signedIn"],
            body: "<p class=\"card narrow\"><a href=\"\(target)\" id=\"oidc-continue\">\(t["oidc.continue"])</a></p>")
        response.headers += [("Refresh", "0; url=\(target)"), ("Cache-Control", "no-store"), ("Set-Cookie", cookie)]
        return response
    }

    static func oidcRefused(_ request: WebRequest, _ error: any Error) -> HTTPResponse {
        let t = request.text
        let refusal = error as? OIDCRefusal ?? OIDCRefusal("internal", "\(error)", status: 503)
        // In the page's language, and never the provider's or libcurl's own text (that goes to
        // the audit trail and the log): a refusal without words of its own reads as the generic one.
        let key = "oidc.reason.\(refusal.reason)"
        let words =
            WebText.tokenReasons.contains(refusal.reason)
            ? t["oidc.reason.token"].replacingOccurrences(of: "%@", with: refusal.reason)
            : t[key] == key ? t["oidc.reason.internal"] : t[key]
        return request.page(
            title: t["oidc.refused"],
            body: """
                <section class="card narrow"><p class="error" role="alert" id="oidc-refused">\(words)</p>\
                <p><a href="/login">\(t["oidc.back"])</a></p></section>
                """, status: refusal.status)
    }

    static func oidcCodeForm(_ request: WebRequest, error: String? = nil, status: Int = 200) throws -> HTTPResponse {
        let t = request.text
        let key = CoreAPI.cookie(oidcCodeCookie, in: request.context.request.header("cookie")) ?? ""
        let form: HTML = """
            <form method="post" action="/oidc/code" class="card narrow">
            <input type="hidden" name="csrf" value="\(oidcFormToken(key))">
            <p>\(t["oidc.codeHint"])</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(request.input(
                "totp", t["login.totp"], required: true,
                attributes: " autocomplete=\"one-time-code\" inputmode=\"numeric\" autofocus"))
            <p><button type="submit">\(t["login.submit"])</button></p>
            </form>
            """
        return request.page(title: t["oidc.codeTitle"], body: form, status: status)
    }

    /// The login page's button, when a provider is configured.
    static func oidcButton(_ request: WebRequest, next: String) -> HTML {
        guard let provider = request.ui.api.oidc else { return "" }
        let words = fill(request.text["oidc.signInWith"], [provider.settings.displayName])
        let href = "/oidc/start?next=\(WebRequest.percentEncode(next))"
        return """
            <p class="oidc">\(request.text["oidc.or"])</p>\
            <p><a class="button" id="oidc-start" href="\(href)">\(words)</a></p>
            """
    }

    /// The settings page's section: the link, and a way to undo it.
    static func oidcSettingsSection(_ request: WebRequest) -> HTML {
        let t = request.text
        let result = request.call(.get, "/api/v1/me/oidc")
        guard result.ok, result.object["configured"] as? Bool == true else { return "" }
        let provider = request.string(result.object["provider"])
        guard result.object["linked"] as? Bool == true else {
            let words = fill(t["oidc.notLinked"], [provider])
            return "<section class=\"card\"><h2>\(t["oidc.section"])</h2><p>\(words)</p></section>"
        }
        let since = (result.object["linkedAt"] as? NSNumber).map {
            t.dateTime(Timestamp(milliseconds: $0.int64Value), zone: request.ui.api.chainTimeZone())
        }
        let words = fill(t["oidc.linked"], [provider, request.string(result.object["email"]), since ?? ""])
        return """
            <section class="card"><h2>\(t["oidc.section"])</h2><p id="oidc-link">\(words)</p>
            <form method="post" action="/settings/oidc/unlink">\(request.csrfField)\
            <button type="submit">\(t["oidc.unlink"])</button></form></section>
            """
    }

    /// `template` with each `%@` replaced by the next of `values`.
    static func fill(_ template: String, _ values: [String]) -> String {
        var parts = template.components(separatedBy: "%@")
        var result = parts.removeFirst()
        for (index, part) in parts.enumerated() { result += (index < values.count ? values[index] : "") + part }
        return result
    }
}
