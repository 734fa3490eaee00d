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

    /// The member's photo when the desk has one, else their initials. `entrant`: shown beside an
    /// entry of the live view, read through the attendance route (a desk that sees the entry may
    /// not open the member's page).
    static func avatar(_ request: WebRequest, user: Int64?, name: String, big: Bool = false, entrant: Bool = false)
        -> HTML
    {
        let style = big ? "avatar big" : "avatar"
        if let user, hasPhoto(request, user, .approved) {
            let source = entrant ? "/api/v1/attendance/photos/\(user)" : "/api/v1/users/\(user)/photo"
            return "<img class=\"\(style) photo\" src=\"\(source)\" alt=\"\(name)\">"
        }
        let initials = String(name.split(separator: " ").prefix(2).compactMap(\.first))
        return "<span class=\"\(style)\" aria-hidden=\"true\">\(initials.isEmpty ? "?" : initials)</span>"
    }

    /// The photo part of a member's page: upload or take one, remove it, approve or turn down the
    /// one the member sent.
    static func photoSection(_ request: WebRequest, id: String, error: String?) -> HTML {
        let t = request.text
        guard request.may(.users) else { return "" }
        // The waiting photo by its SHA-256 (the page was shown: the member is visible): the image and
        // the approval both name it, so staff approve the picture they saw and no other.
        let pending = Int64(id).flatMap { user in
            try? request.ui.api.withDatabase { try $0.photos.photo(of: UserID(user), .pending)?.sha256Hex }
        }
        let current = Self.hasPhoto(request, Int64(id), .approved)
        let waiting: HTML =
            pending.map { sha256 in
                """
                <p>\(t["photo.waiting"])</p><p><img class="avatar big photo" \
                src="/api/v1/users/\(id)/photo?state=pending&amp;sha256=\(sha256)" alt="\(t["photo.waiting"])"></p>
                \(request.button("/members/\(id)/photo/approve", t["photo.approve"], hidden: [("sha256", sha256)]))\
                \(request.button("/members/\(id)/photo/reject", t["photo.reject"], style: "danger"))
                """
            } ?? ""
        let remove: HTML = current ? request.button("/members/\(id)/photo/remove", t["photo.remove"]) : ""
        return """
            <section class="card" id="photo"><h2>\(t["photo.title"])</h2>\(waiting)
            <form method="post" action="/members/\(id)/photo" enctype="multipart/form-data">\(request.csrfField)
            <p class="field\(HTML.when(error != nil, " invalid"))"><label for="f-photo">\(t["photo.file"])</label>\
            <input type="file" id="f-photo" name="photo" accept="image/jpeg,image/png" capture="user" data-shrink \
            required>\
            \(error.map { "<span class=\"error\" role=\"alert\">\($0)</span>" as HTML } ?? "")</p>
            <p><button type="submit">\(t["photo.upload"])</button></p></form>\(remove)</section>
            <script src="/static/photo.js" defer></script>
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
            <input type="file" id="f-photo" name="photo" accept="image/jpeg,image/png" capture="user" data-shrink \
            required>\
            \(error.map { "<span class=\"error\" role=\"alert\">\($0)</span>" as HTML } ?? "")</p>
            <p><button type="submit">\(t["photo.send"])</button></p></form></section>
            <script src="/static/photo.js" defer></script>
            """
    }

    package func declarePhotoPages(_ router: inout Router) {
        router.add(.get, "/static/photo.js") { _ in
            Self.asset(WebAssets.photoScript, type: "text/javascript; charset=utf-8")
        }
        for (path, own) in [("/members/:id/photo", false), ("/settings/photo", true)] {
            addUpload(&router, path, field: "photo") { request in
                own ? "/api/v1/me/photo" : "/api/v1/users/\(Int64(request.parameter("id")) ?? 0)/photo"
            } answer: { request, result in
                Self.photoAnswer(request, result, own: own, id: Int64(request.parameter("id")) ?? 0, action: "save")
            }
        }
        for (action, method, query) in [
            ("remove", HTTPMethod.delete, [(String, String)]()), ("reject", .delete, [("state", "pending")]),
            ("approve", .post, []),
        ] {
            add(&router, .post, "/members/:id/photo/\(action)", .signedIn) { request in
                let id = Int64(request.parameter("id")) ?? 0
                let path = "/api/v1/users/\(id)/photo" + (action == "approve" ? "/approve" : "")
                let body: [String: Any]? = action == "approve" ? ["sha256": request.field("sha256")] : nil
                return Self.photoAnswer(
                    request, request.call(method, path, query: query, body: body), own: false, id: id, action: action)
            }
        }
    }

    /// Back to the page with the photo, or the page again with the refusal beside the file field.
    static func photoAnswer(_ request: WebRequest, _ result: APIResult, own: Bool, id: Int64, action: String)
        -> HTTPResponse
    {
        if result.ok {
            return redirect(own ? "/settings?saved=photo#photo" : "/members/\(id)?done=photo-\(action)#photo")
        }
        // Refused (400) or changed since the page was shown (409): the page again, saying why.
        if result.status != 400 && result.status != 409 { return request.failure(result) }
        let message = "\(request.text["photo.title"]): \(result.error ?? "")"
        if own {
            return (try? Self.settings(request, errors: ["photo": message])) ?? request.failure(result)
        }
        return memberPage(
            request, id: String(id),
            failed: ("photo", APIResult(status: result.status, value: ["error": message], headers: result.headers)))
    }
}
