import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// Members' photos at the desk: taken with the tablet's camera or uploaded on the member's page,
/// shown beside every entry of the live view; a member sends their own from Settings and staff
/// approve or turn it down.
extension WebUI {
    /// True when `user` has a photo in `state`; a store that cannot answer reads as none.
    static func hasPhoto(_ request: WebRequest, _ user: Int64?, _ state: PhotoState) -> Bool {
        guard let user else { return false }
        return (try? request.ui.api.withDatabase { try $0.photos.hasPhoto(of: UserID(user), state) }) == true
    }

    /// The member's photo when the desk has one, else their initials.
    static func avatar(_ request: WebRequest, user: Int64?, name: String, big: Bool = false) -> HTML {
        let style = big ? "avatar big" : "avatar"
        if let user, hasPhoto(request, user, .approved) {
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
        // Whether there are photos, without loading them (the page was shown: the member is visible).
        let pending = Self.hasPhoto(request, Int64(id), .pending)
        let current = Self.hasPhoto(request, Int64(id), .approved)
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
        let me = request.account.map(\.id.rawValue)
        let current = Self.hasPhoto(request, me, .approved)
        let pending = Self.hasPhoto(request, me, .pending)
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
        for (path, own) in [("/members/:id/photo", false), ("/settings/photo", true)] {
            addUpload(&router, path, field: "photo") { request in
                own ? "/api/v1/me/photo" : "/api/v1/users/\(Int64(request.parameter("id")) ?? 0)/photo"
            } answer: { request, result in
                Self.photoAnswer(request, result, own: own, id: Int64(request.parameter("id")) ?? 0)
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
