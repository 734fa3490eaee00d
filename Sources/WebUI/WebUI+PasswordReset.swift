import BackOffice
import Crypto
import Foundation
import HTTP

/// "Forgot your password?": ask for a link by email, then choose a new password with it. Both
/// forms are for people signed out, so each carries a token matched by a cookie of its own
/// (double submit), as the login form does.
extension WebUI {
    package static let resetCookie = "portero_reset"

    package func declarePasswordResetPages(_ router: inout Router) {
        add(&router, .get, "/forgot", .anyone) { request in try Self.forgotForm(request) }
        add(&router, .post, "/forgot", .anyone) { request in
            guard Self.resetTokenMatches(request) else {
                return try Self.forgotForm(request, error: "\(request.text["error.forbidden"]) (CSRF)", status: 403)
            }
            let result = request.call(.post, "/api/v1/password-reset", body: ["email": request.field("email")])
            guard result.ok else {
                let t = request.text
                return try Self.forgotForm(
                    request, error: result.status == 429 ? t["reset.tooMany"] : t["reset.badEmail"],
                    status: result.status == 429 ? 429 : 400)
            }
            return try Self.forgotForm(request, notice: request.text["reset.sent"])
        }
        add(&router, .get, "/reset", .anyone) { request in try Self.resetForm(request) }
        add(&router, .post, "/reset", .anyone) { request in
            let t = request.text
            guard Self.resetTokenMatches(request) else {
                return try Self.resetForm(request, errors: ["token": "\(t["error.forbidden"]) (CSRF)"], status: 403)
            }
            guard request.field("password") == request.field("again") else {
                return try Self.resetForm(request, errors: ["again": t["reset.mismatch"]], status: 400)
            }
            let result = request.call(
                .post, "/api/v1/password-reset/confirm",
                body: ["token": request.field("token"), "password": request.field("password")])
            guard result.ok else {
                let field = result.erroredField(among: ["token", "password"]) ?? "password"
                let message = field == "token" ? t["reset.badLink"] : result.error ?? ""
                return try Self.resetForm(request, errors: [field: message], status: result.status == 429 ? 429 : 400)
            }
            return Self.redirect("/login?reset=1")
        }
    }

    static func resetTokenMatches(_ request: WebRequest) -> Bool {
        let expected = CoreAPI.cookie(resetCookie, in: request.context.request.header("cookie")) ?? ""
        return !expected.isEmpty && constantTimeEqual(request.field("csrf"), expected)
    }

    /// A page with a fresh form token, and the cookie that matches it.
    static func resetPage(_ request: WebRequest, title: String, status: Int, notice: String?, form: (String) -> HTML)
        throws -> HTTPResponse
    {
        let token = Base32.encode(try SecureRandom.bytes(20))
        var response = request.page(title: title, body: form(token), status: status, notice: notice)
        response.headers.append(
            ("Set-Cookie", "\(resetCookie)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=3600"))
        return response
    }

    package static func forgotForm(
        _ request: WebRequest, error: String? = nil, notice: String? = nil, status: Int = 200
    ) throws -> HTTPResponse {
        let t = request.text
        return try resetPage(request, title: t["reset.title"], status: status, notice: notice) { token in
            """
            <form method="post" action="/forgot" class="card narrow">
            <input type="hidden" name="csrf" value="\(token)">
            <p>\(t["reset.explain"])</p>
            \(request.input(
                "email", t["field.email"], value: request.field("email"), type: "email", required: true,
                error: error, attributes: " autocomplete=\"email\" autofocus"))
            <p><button type="submit">\(t["reset.send"])</button></p>
            <p><a href="/login">\(t["reset.back"])</a></p>
            </form>
            """
        }
    }

    package static func resetForm(_ request: WebRequest, errors: [String: String] = [:], status: Int = 200) throws
        -> HTTPResponse
    {
        let t = request.text
        let link = request.query("token") ?? request.field("token")
        return try resetPage(request, title: t["reset.choose"], status: status, notice: nil) { token in
            """
            <form method="post" action="/reset" class="card narrow">
            <input type="hidden" name="csrf" value="\(token)"><input type="hidden" name="token" value="\(link)">
            \(errors["token"].map {
                "<p class=\"error\" role=\"alert\">\($0) <a href=\"/forgot\">\(t["reset.again"])</a></p>" as HTML
            } ?? "")
            \(request.input(
                "password", t["reset.new"], type: "password", required: true, error: errors["password"],
                attributes: " autocomplete=\"new-password\" autofocus"))
            \(request.input(
                "again", t["reset.repeat"], type: "password", required: true, error: errors["again"],
                attributes: " autocomplete=\"new-password\""))
            <p><button type="submit">\(t["action.save"])</button></p>
            </form>
            """
        }
    }
}
