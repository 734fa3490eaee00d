import BackOffice
import Foundation
import HTTP
import PorteroModel

/// Members' photos at the desk: taken with the tablet's camera or uploaded on the member's page,
/// shown beside every entry of the live view; a member sends their own from Settings and staff
/// approve or turn it down.
extension WebUI {
    /// The member's photo when the desk has one, else their initials.
    static func avatar(_ request: WebRequest, user: Int64?, name: String, big: Bool = false) -> HTML {
        let style = big ? "avatar big" : "avatar"
        if let user, (try? request.ui.api.withDatabase { try $0.photos.hasPhoto(of: UserID(user)) }) == true {
            return "<img class=\"\(style) photo\" src=\"/api/v1/users/\(user)/photo\" alt=\"\(name)\">"
        }
        let initials = String(name.split(separator: " ").prefix(2).compactMap(\.first))
        return "<span class=\"\(style)\" aria-hidden=\"true\">\(initials.isEmpty ? "?" : initials)</span>"
    }

    /// The photo part of a member's page: upload or take one, remove it, approve or turn down the
    /// one the member sent.
    static func photoSection(_ request: WebRequest, id: String, error: String?) -> HTML {
        let t = request.text
        guard request.may(.users) else { return "" }
        let pending = request.call(.get, "/api/v1/users/\(id)/photo", query: [("state", "pending")]).ok
        let current = request.call(.get, "/api/v1/users/\(id)/photo").ok
        let waiting: HTML =
            pending
            ? """
            <p>\(t["photo.waiting"])</p><p><img class="avatar big photo" src="/api/v1/users/\(id)/photo?state=pending" \
            alt="\(t["photo.waiting"])"></p>
            \(request.button("/members/\(id)/photo/approve", t["photo.approve"]))\
            \(request.button("/members/\(id)/photo/reject", t["photo.reject"], style: "danger"))
            """ : ""
        let remove: HTML = current ? request.button("/members/\(id)/photo/remove", t["photo.remove"]) : ""
        return """
            <section class="card" id="photo"><h2>\(t["photo.title"])</h2>\(waiting)
            <form method="post" action="/members/\(id)/photo" enctype="multipart/form-data">\(request.csrfField)
            <p class="field\(HTML.when(error != nil, " invalid"))"><label for="f-photo">\(t["photo.file"])</label>\
            <input type="file" id="f-photo" name="photo" accept="image/jpeg,image/png" capture="user" required>\
            \(error.map { "<span class=\"error\" role=\"alert\">\($0)</span>" as HTML } ?? "")</p>
            <p><button type="submit">\(t["photo.upload"])</button></p></form>\(remove)</section>
            """
    }

    /// The member's own photo on Settings: the one shown, the one waiting, and a form to send one.
    static func ownPhotoSection(_ request: WebRequest, error: String?) -> HTML {
        let t = request.text
        let current = request.call(.get, "/api/v1/me/photo").ok
        let pending = request.call(.get, "/api/v1/me/photo", query: [("state", "pending")]).ok
        let shown: HTML = "<p><img class=\"avatar big photo\" src=\"/api/v1/me/photo\" alt=\"\(t["photo.mine"])\"></p>"
        return """
            <section class="card" id="photo"><h2>\(t["photo.mine"])</h2>\
            \(HTML.when(current, shown))\
            \(HTML.when(pending, "<p>\(t["photo.mineWaiting"])</p>"))
            <form method="post" action="/settings/photo" enctype="multipart/form-data">\(request.csrfField)
            <p class="field\(HTML.when(error != nil, " invalid"))"><label for="f-photo">\(t["photo.file"])</label>\
            <input type="file" id="f-photo" name="photo" accept="image/jpeg,image/png" capture="user" required>\
            \(error.map { "<span class=\"error\" role=\"alert\">\($0)</span>" as HTML } ?? "")</p>
            <p><button type="submit">\(t["photo.send"])</button></p></form></section>
            """
    }

    package func declarePhotoPages(_ router: inout Router) {
        // Uploads: multipart with room for the image (the other forms keep their 64 KiB).
        for (path, own) in [("/members/:id/photo", false), ("/settings/photo", true)] {
            router.add(.post, path, bodyLimit: 1 << 20) { [self] context in
                let request = resolve(context)
                guard let session = request.session else { return Self.redirect("/login") }
                let parts = Self.multipart(context.request)
                guard
                    Self.constantTimeEqual(
                        String(decoding: parts["csrf"]?.bytes ?? [], as: UTF8.self), session.csrfToken)
                else {
                    return Self.secured(
                        request.page(
                            title: request.text["error.title"],
                            body: "<p class=\"error\">\(request.text["error.forbidden"]) (CSRF)</p>", status: 403))
                }
                let file = parts["photo"]
                let id = Int64(request.parameter("id")) ?? 0
                let result = request.call(
                    .put, own ? "/api/v1/me/photo" : "/api/v1/users/\(id)/photo",
                    body: ["type": file?.type ?? "", "data": Data(file?.bytes ?? []).base64EncodedString()])
                return Self.secured(Self.photoAnswer(request, result, own: own, id: id))
            }
        }
        for (action, method, query) in [
            ("remove", HTTPMethod.delete, [(String, String)]()), ("reject", .delete, [("state", "pending")]),
            ("approve", .post, []),
        ] {
            add(&router, .post, "/members/:id/photo/\(action)", .signedIn) { request in
                let id = Int64(request.parameter("id")) ?? 0
                let path = "/api/v1/users/\(id)/photo" + (action == "approve" ? "/approve" : "")
                return Self.photoAnswer(request, request.call(method, path, query: query), own: false, id: id)
            }
        }
    }

    /// Back to the page with the photo, or the page again with the refusal beside the file field.
    static func photoAnswer(_ request: WebRequest, _ result: APIResult, own: Bool, id: Int64) -> HTTPResponse {
        if result.ok { return redirect(own ? "/settings?saved=1#photo" : "/members/\(id)?done=photo#photo") }
        if result.status != 400 { return request.failure(result) }
        let message = "\(request.text["photo.title"]): \(result.error ?? "")"
        if own {
            return (try? Self.settings(request, errors: ["photo": message])) ?? request.failure(result)
        }
        return memberPage(
            request, id: String(id),
            failed: ("photo", APIResult(status: 400, value: ["error": message], headers: result.headers)))
    }
}
