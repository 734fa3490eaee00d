import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The chain's logo: served at `/chain-logo`, shown in every page's header, uploaded and removed
/// on the chain settings page.
extension WebUI {
    func declareLogoPages(_ router: inout Router) {
        router.add(.get, "/chain-logo") { [self] _ in
            guard let logo = try api.withDatabase({ try $0.settings.logo() }) else {
                return Self.secured(.text("no logo", status: 404))
            }
            return HTTPResponse(
                status: 200,
                headers: [
                    ("Content-Type", logo.type), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
                ], body: logo.bytes)
        }
        // A file upload: multipart, with room for the image (the other forms keep their 64 KiB).
        addUpload(&router, "/chain-settings/logo", field: "logo", signIn: "/login?next=%2Fchain-settings") {
            _ in
            "/api/v1/settings/logo"
        } answer: { request, result in
            Self.logoAnswer(request, result)
        }
        add(&router, .post, "/chain-settings/logo/remove", .signedIn) { request in
            Self.logoAnswer(request, request.call(.delete, "/api/v1/settings/logo"))
        }
    }

    /// Back to the settings page, or the page again with the API's refusal beside the logo.
    static func logoAnswer(_ request: WebRequest, _ result: APIResult) -> HTTPResponse {
        guard result.ok else {
            let failed = APIResult(
                status: result.status, value: ["error": "logo: " + (result.error ?? "")], headers: result.headers)
            return chainSettings(request, failed: failed)
        }
        return redirect("/chain-settings?done=1")
    }

    /// The logo's part of the settings page: the current logo, an upload and a remove button.
    static func logoSection(_ request: WebRequest, failed: APIResult?, wrong: String?) -> HTML {
        let t = request.text
        let has = (try? request.ui.api.withDatabase { try $0.settings.hasLogo() }) ?? false
        let error: HTML =
            wrong == "logo" ? "<span class=\"error\" role=\"alert\">\(failed?.error ?? "")</span>" : ""
        let current: HTML = has ? "<p><img src=\"/chain-logo\" alt=\"\(t["config.logo"])\" height=\"48\"></p>" : ""
        let remove: HTML =
            has
            ? """
            <form method="post" action="/chain-settings/logo/remove">\(request.csrfField)\
            <button type="submit">\(t["config.logoRemove"])</button></form>
            """ : ""
        guard request.may(.configuration) else { return "" }
        return """
            <section class="card"><h2>\(t["config.logo"])</h2>\(current)
            <form method="post" action="/chain-settings/logo" enctype="multipart/form-data">\(request.csrfField)
            <p class="field\(HTML.when(wrong == "logo", " invalid"))">\
            <label for="f-logo">\(t["config.logoFile"])</label>\
            <input type="file" id="f-logo" name="logo" accept="image/png,image/jpeg" required>\(error)</p>
            <p><button type="submit">\(t["config.logoUpload"])</button></p></form>\(remove)</section>
            """
    }

    /// The page header's brand: the logo when there is one, and the chain's name (else Portero).
    func brand() -> HTML {
        let (name, logo) =
            (try? api.withDatabase { database in
                (try database.settings.chain().chainName, try database.settings.hasLogo())
            }) ?? ("", false)
        let shown = name.isEmpty ? "Portero" : name
        return logo ? "<img src=\"/chain-logo\" alt=\"\" height=\"24\"> \(shown)" : "\(shown)"
    }

    /// A page taking one file from a multipart form (with room for an image; the other forms keep
    /// their 64 KiB): signed in, the session's CSRF token checked, the file PUT to the API route
    /// `api` names as its type and base64 bytes, and `answer` made from the API's result.
    func addUpload(
        _ router: inout Router, _ path: String, field: String, signIn: String = "/login",
        api: @escaping @Sendable (WebRequest) -> String,
        answer: @escaping @Sendable (WebRequest, APIResult) -> HTTPResponse
    ) {
        router.add(.post, path, bodyLimit: 1 << 20) { [self] context in
            let request = resolve(context)
            guard let session = request.session else { return Self.redirect(signIn) }
            let parts = Self.multipart(context.request)
            guard Self.constantTimeEqual(String(decoding: parts["csrf"]?.bytes ?? [], as: UTF8.self), session.csrfToken)
            else {
                return Self.secured(
                    request.page(
                        title: request.text["error.title"],
                        body: "<p class=\"error\">\(request.text["error.forbidden"]) (CSRF)</p>", status: 403))
            }
            let file = parts[field]
            // A browser names the type from the file's extension: the first bytes say what it is.
            let bytes = file?.bytes ?? []
            let type = ImageBytes.type(of: bytes) ?? file?.type ?? ""
            let result = request.call(
                .put, api(request), body: ["type": type, "data": Data(bytes).base64EncodedString()])
            return Self.secured(answer(request, result))
        }
    }

    /// One part of a multipart/form-data body.
    struct Part {
        var type: String
        var bytes: [UInt8]
    }

    /// The parts of a multipart/form-data body by field name (the last of a name wins).
    static func multipart(_ request: HTTPRequest) -> [String: Part] {
        guard let contentType = request.header("content-type"),
            contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundaryRange = contentType.range(of: "boundary=")
        else { return [:] }
        let boundary =
            contentType[boundaryRange.upperBound...].split(separator: ";").first
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) } ?? ""
        guard !boundary.isEmpty else { return [:] }
        let body = Data(request.body)
        let delimiter = Data(("--" + boundary).utf8)
        var parts: [String: Part] = [:]
        var cursor = body.startIndex
        while let start = body.range(of: delimiter, in: cursor..<body.endIndex) {
            let next = body.range(of: Data(("\r\n--" + boundary).utf8), in: start.upperBound..<body.endIndex)
            guard let next, let blank = body.range(of: Data("\r\n\r\n".utf8), in: start.upperBound..<next.lowerBound)
            else { break }
            let head = String(decoding: body[start.upperBound..<blank.lowerBound], as: UTF8.self)
            let content = Array(body[blank.upperBound..<next.lowerBound])
            cursor = next.lowerBound + 2
            guard let nameRange = head.range(of: "name=\"") else { continue }
            let name = String(head[nameRange.upperBound...].prefix { $0 != "\"" })
            let type =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }
                .map { $0.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces) } ?? ""
            parts[name] = Part(type: type, bytes: content)
        }
        return parts
    }
}
