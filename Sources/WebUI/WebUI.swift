import CoreStorage
import BackOffice
import Crypto
import Foundation
import HTTP
import PorteroModel

/// The web UI for receptionists and administrators, rendered on the server. It is a client of
/// the JSON API inside the same process: every page and form calls the API's own routes, so
/// authentication, CSRF, the privilege and branch checks, validation and the audit trail are the
/// API's and cannot drift. Cookies only; every value is escaped by `HTML`; every form carries
/// the session's CSRF token.
package final class WebUI: Sendable {
    package let api: CoreAPI
    package let apiRouter: Router

    package init(api: CoreAPI, apiRouter: Router) {
        self.api = api
        self.apiRouter = apiRouter
    }

    package enum Gate { case anyone, signedIn }

    package typealias Handler = @Sendable (WebRequest) throws -> HTTPResponse

    package func declare(_ router: inout Router) {
        router.add(.get, "/") { _ in Self.redirect("/home") }
        router.add(.get, "/static/portero.css") { _ in
            Self.asset(WebAssets.css + WebAssets.passCSS, type: "text/css; charset=utf-8")
        }
        router.add(.get, "/static/icon.svg") { _ in Self.asset(WebAssets.icon, type: "image/svg+xml") }
        router.add(.get, "/favicon.ico") { _ in Self.asset(WebAssets.icon, type: "image/svg+xml") }
        router.add(.get, "/static/live.js") { _ in
            Self.asset(WebAssets.liveScript, type: "text/javascript; charset=utf-8")
        }
        declareSessionPages(&router)
        declareDeskPages(&router)
        declareAdminPages(&router)
        declareDoorSetupPages(&router)
        declarePosPages(&router)
        declarePromotionPages(&router)
        declareWebhookPages(&router)
        declareInvoicePages(&router)
        declarePaymentPages(&router)
        declarePasswordResetPages(&router)
        declareCatalogueEditPages(&router)
        declareNotificationPreferencePages(&router)
        declareSupportPages(&router)
        declareOIDCPages(&router)
        declareLogoPages(&router)
        declareHelpPages(&router)
        declareReportPages(&router)
        declarePhotoPages(&router)
        declareMemberPortalPages(&router)
        declarePassPages(&router)
        declareDayPassPages(&router)
        router.unmatched = { [self] context in Self.notFound(resolve: resolve, context) }
    }

    /// Adds a page: resolves the session and language, sends anyone signed out to the login (and
    /// back here afterwards), checks a form's CSRF token, and adds the security headers.
    package func add(
        _ router: inout Router, _ method: HTTPMethod, _ path: String, _ gate: Gate, _ handler: @escaping Handler
    ) {
        router.add(method, path, bodyLimit: 65_536) { [self] context in
            let request = resolve(context)
            if gate == .signedIn {
                guard let session = request.session else {
                    let expired = request.cookie != nil ? "&expired=1" : ""
                    let back = method == .get ? context.request.target : "/home"
                    return Self.redirect("/login?next=\(WebRequest.percentEncode(back))\(expired)")
                }
                if method == .post, !Self.constantTimeEqual(request.field("csrf"), session.csrfToken) {
                    return Self.secured(
                        request.page(
                            title: request.text["error.title"],
                            body: "<p class=\"error\">\(request.text["error.forbidden"]) (CSRF)</p>", status: 403))
                }
            }
            return Self.secured(try handler(request))
        }
    }

    package func resolve(_ context: RouteContext) -> WebRequest {
        let cookie = CoreAPI.cookie("portero_session", in: context.request.header("cookie")).flatMap {
            $0.isEmpty ? nil : $0
        }
        var session: Session?
        var chosen: String?
        if let cookie {
            (session, chosen) =
                (try? api.withDatabase { database -> (Session?, String?) in
                    let session = try database.auth.session(token: cookie, now: api.clock())
                    return (session, try database.members.chosenLanguage(session.account.id))
                }) ?? (nil, nil)
        }
        let language =
            chosen.flatMap(WebLanguage.init(rawValue:)) ?? WebLanguage.preferred(
                acceptLanguage: context.request.header("accept-language")) ?? chainLanguage()
        return WebRequest(
            ui: self, context: context, session: session, cookie: cookie, text: WebText(language),
            form: Self.form(context.request))
    }

    // MARK: Responses

    package static func redirect(_ location: String, cookies: [String] = []) -> HTTPResponse {
        HTTPResponse(
            status: 303,
            headers: [("Location", location), ("Cache-Control", "no-store")] + cookies.map { ("Set-Cookie", $0) })
    }

    package static func asset(_ text: String, type: String) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", type), ("Cache-Control", "public, max-age=300"), ("X-Content-Type-Options", "nosniff"),
            ], body: Array(text.utf8))
    }

    /// Pages never run inline scripts or load from elsewhere, are never framed, and are not cached.
    package static func secured(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        guard response.header("Content-Type")?.hasPrefix("text/html") == true else { return response }
        response.headers += [
            (
                "Content-Security-Policy",
                """
                default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; \
                frame-ancestors 'none'; base-uri 'none'
                """
            ),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
            ("Cache-Control", "no-store"),
        ]
        return response
    }

    /// A form's token against the expected one (an empty token never matches).
    package static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        !b.isEmpty && constantTimeEquals(Array(a.utf8), Array(b.utf8))
    }

    /// An `application/x-www-form-urlencoded` body (or nothing).
    package static func form(_ request: HTTPRequest) -> [String: [String]] {
        guard request.method == "POST",
            request.header("content-type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        else { return [:] }
        var fields: [String: [String]] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            fields[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return fields
    }
}

/// What an in-process API call answered.
package struct APIResult {
    package let status: Int
    package let value: Any?
    package let headers: [(name: String, value: String)]

    package var ok: Bool { (200..<300).contains(status) }
    package var object: [String: Any] { value as? [String: Any] ?? [:] }
    package var list: [[String: Any]] { value as? [[String: Any]] ?? [] }
    /// The API's error message, for a failed call.
    package var error: String? { ok ? nil : (object["error"] as? String ?? "HTTP \(status)") }

    /// The form field an API error names (`phone: digits…`, `field name …`), if it is one of `fields`.
    package func erroredField(among fields: [String]) -> String? {
        guard let error else { return nil }
        let head = error.split(separator: ":").first.map(String.init) ?? ""
        if fields.contains(head) { return head }
        return fields.first { error.contains("field \($0)") || error.contains("\"\($0)\"") }
    }
}

/// One web request: the signed-in session (if any), the language, the form.
package struct WebRequest: Sendable {
    package let ui: WebUI
    package let context: RouteContext
    package let session: Session?
    package let cookie: String?
    package let text: WebText
    package let form: [String: [String]]

    package var account: Account? { session?.account }
    package var csrf: String { session?.csrfToken ?? "" }

    package func query(_ name: String) -> String? { CoreAPI.queryValue(name, in: context.request.query) }
    package func field(_ name: String) -> String { form[name]?.first ?? "" }
    package func fields(_ name: String) -> [String] { form[name] ?? [] }
    package func parameter(_ name: String) -> String { (try? context.parameter(name)) ?? "" }

    /// The user may use `privilege` at some branch.
    package func may(_ privilege: Privilege) -> Bool { account?.may(privilege, at: nil) ?? false }

    /// Calls an API route as this user, through the API's own checks.
    package func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [String: Any]? = nil)
        -> APIResult
    {
        var headers: [(name: String, value: String)] = [("host", "portero.internal")]
        if let cookie { headers.append(("cookie", "portero_session=\(cookie)")) }
        if let session { headers.append(("x-csrf-token", session.csrfToken)) }
        // Every forwarded line, so the API judges them as it would the browser's own request.
        for field in context.request.headers where field.name == "x-forwarded-for" || field.name == "x-forwarded-proto"
        {
            headers.append((field.name, field.value))
        }
        var bytes: [UInt8] = []
        if let body {
            headers.append(("content-type", "application/json"))
            bytes = (try? JSONSerialization.data(withJSONObject: body)).map { Array($0) } ?? []
        }
        let queryText =
            query.isEmpty
            ? nil : query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        var request = HTTPRequest(
            method: method.rawValue, target: path + (queryText.map { "?" + $0 } ?? ""), path: path, query: queryText,
            headers: headers, body: bytes)
        request.peer = context.request.peer  // the API judges the forwarded headers by the real peer
        let response = ui.apiRouter.respond(to: request)
        let value =
            response.body.isEmpty
            ? nil : try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        return APIResult(status: response.status, value: value, headers: response.headers)
    }

    package static func percentEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension CoreAPI {
    /// The HTTP router: each API route wrapped in authentication, CSRF and the privilege check,
    /// the web UI's pages, which call those routes in-process, and `/metrics`; every answer it
    /// gives is counted in `metrics` (the pages' in-process calls are not).
    public func router() -> Router {
        var router = apiRouter()
        WebUI(api: self, apiRouter: router).declare(&router)
        declareMetricsRoute(&router)
        router.count(into: metrics.requests)
        return router
    }
}
