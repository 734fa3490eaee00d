import CoreStorage
import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The front desk: home, live attendance, member look-up, the member page and its forms.
extension WebUI {
    package func declareDeskPages(_ router: inout Router) {
        add(&router, .get, "/home", .signedIn) { request in
            let t = request.text
            let home = request.call(.get, "/api/v1/home")
            guard home.ok else {
                // A member (Cliente) has no home privilege: their membership is their page.
                guard home.status == 403 else { return request.failure(home) }
                return Self.redirect(request.account?.roles.contains(.client) == true ? "/my" : "/settings")
            }
            let branches = request.branches()
            let followUp = (home.object["followUp"] as? [[String: Any]]) ?? []
            let today = (home.object["attendanceToday"] as? [[String: Any]]) ?? []
            let people: [HTML] = followUp.map { user in
                """
                <li><a href="/members/\(request.int(user["id"]) ?? 0)">\(request.fullName(user))\
                </a> <span class="muted">\(t["field.clave"]) \(request.string(user["clave"]))\
                </span> \(request.string(user["notes"]))</li>
                """
            }
            let body: HTML = """
                \(Self.overdueShifts(request))<section class="card"><h2>\(t["home.followUp"])</h2>\
                \(people.isEmpty ? "<p>\(t["home.noFollowUp"])</p>" as HTML : "<ul>\(people)</ul>")</section>
                <section class="card"><h2>\(t["home.today"])</h2>\
                \(today.isEmpty ? "<p>\(t["attendance.none"])</p>" as HTML : request.table(
                    [t["attendance.time"], t["attendance.member"], t["attendance.branch"], t["attendance.card"],
                     t["attendance.result"]],
                    today.map { request.attendanceCells($0, branches: branches) }))</section>
                """
            return request.page(title: t["home.title"], active: "/home", body: body)
        }

        add(&router, .get, "/live", .signedIn) { request in
            let t = request.text
            let rows = request.call(.get, "/api/v1/attendance", query: [("limit", "20")])
            guard rows.ok else { return request.failure(rows) }
            let branches = request.branches()
            let first = rows.list.first
            let after =
                first.map { "\(request.int($0["at"]) ?? 0)~\(request.string($0["id"]))" }
                ?? "\(request.ui.api.clock().milliseconds)~00000000-0000-0000-0000-000000000000"
            let items: [HTML] = rows.list.map { Self.liveItem(request, $0, branches: branches) }
            let body: HTML = """
                <p>\(t["live.hint"])</p>
                <p id="live-state" class="live-off" role="status" data-connected="\(t["live.connected"])" \
                data-reconnecting="\(t["live.reconnecting"])">\(t["live.reconnecting"])</p>
                <ol id="live" class="live" aria-live="polite" data-events="/live/events" data-after="\(after)">\(items)\
                </ol>
                <script src="/static/live.js"></script>
                """
            return request.page(title: t["live.title"], active: "/live", body: body)
        }

        // Server-sent events, one batch per response: the answer comes as soon as there are new
        // rows (or after 25 s with none), then the browser's EventSource asks again with
        // Last-Event-ID. A core restart is just one more reconnection.
        add(&router, .get, "/live/events", .anyone) { request in
            // A stream is not sent to the login page: it answers 401, and the page reloads itself.
            guard request.session != nil else {
                return HTTPResponse(
                    status: 401, headers: [("Content-Type", "text/plain; charset=utf-8")],
                    body: Array("sign in again\n".utf8))
            }
            let cursor = request.context.request.header("last-event-id") ?? request.query("after") ?? ""
            guard CoreAPI.cursor(cursor) != nil else {
                return .error(400, "after must be a cursor such as 1795398763143~<event id>")
            }
            let branches = request.branches()
            if let response = Self.liveEvents(request, after: cursor, branches: branches, final: false) {
                return response
            }
            let deferred = HTTPDeferred()
            request.ui.api.feed.wait(
                FeedNotifier.Waiter(deferred: deferred, deadline: .now() + .seconds(25)) { final in
                    Self.liveEvents(request, after: cursor, branches: branches, final: final)
                })
            return .later(deferred)
        }

        add(&router, .get, "/members", .signedIn) { request in
            let t = request.text
            let q = request.query("q") ?? ""
            let found = request.call(.get, "/api/v1/users", query: [("q", q), ("limit", "50")])
            guard found.ok else { return request.failure(found) }
            let rows: [[HTML]] = found.list.map { user in
                let id = request.int(user["id"]) ?? 0
                return [
                    "\(request.string(user["clave"]))", "<a href=\"/members/\(id)\">\(request.fullName(user))</a>",
                    "\(request.string(user["email"]))",
                    "\(request.string(user["phone"]))", "\((user["active"] as? Bool) == false ? t["no"] : t["yes"])",
                ]
            }
            let body: HTML = """
                <form method="get" action="/members" role="search" class="row">
                \(request.input(
                    "q", t["members.search"], value: q, type: "search", attributes: " autofocus"))\
                <p><button type="submit">\(t["members.go"])</button></p></form>
                \(rows.isEmpty ? "<p>\(t["members.none"])</p>" as HTML : request.table(
                    [t["field.clave"], t["field.name"], t["field.email"], t["field.phone"], t["field.active"]], rows))
                \(HTML.when(
                    request.may(.users), "<p><a class=\"button\" href=\"/members/new\">\(t["members.new"])</a></p>"))
                """
            return request.page(title: t["members.title"], active: "/members", body: body)
        }
        add(&router, .get, "/members/new", .signedIn) { request in try Self.newMember(request) }
        add(&router, .post, "/members/new", .signedIn) { request in
            var body: [String: Any] = [
                "username": request.field("username"), "email": request.field("email"), "name": request.field("name"),
                "paternalSurname": request.field("paternalSurname"),
                "roles": [request.field("role").isEmpty ? "cliente" : request.field("role")],
                "branches": request.fields("branches").compactMap { Int64($0) },
            ]
            for name in ["maternalSurname", "phone"] where !request.field(name).isEmpty {
                body[name] = request.field(name)
            }
            if !request.field("birthDate").isEmpty { body["birthDate"] = request.field("birthDate") }
            let result = request.call(.post, "/api/v1/users", body: body)
            guard result.ok, let id = request.int(result.object["id"]) else {
                let field =
                    result.erroredField(among: [
                        "username", "email", "name", "paternalSurname", "maternalSurname", "phone", "birthDate",
                        "roles", "branches",
                    ]) ?? "username"
                return try Self.newMember(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/members/\(id)")
        }

        add(&router, .get, "/members/:id", .signedIn) { request in Self.memberPage(request, id: request.parameter("id"))
        }
        memberForm(&router, "/members/:id/checkin", form: "checkin") { request, id in
            request.call(
                .post, "/api/v1/attendance",
                body: [
                    "user": Int64(id) ?? 0, "branch": Int64(request.field("branch")) ?? 0,
                    "reason": request.field("reason"),
                ])
        }
        memberForm(&router, "/members/:id/enroll", form: "enroll") { request, id in
            // The form's one choice is "PLAN@BRANCH" (only plans that cover the branch are offered).
            let offer = request.field("offer").split(separator: "@").map(String.init)
            var body: [String: Any] = [
                "user": Int64(id) ?? 0, "plan": Int64(offer.first ?? request.field("plan")) ?? 0,
                "branch": Int64(offer.count == 2 ? offer[1] : request.field("branch")) ?? 0,
            ]
            for name in ["startDate", "promotion", "paymentReference", "payment", "paymentDue"]
            where !request.field(name).isEmpty {
                body[name] = request.field(name)
            }
            // A sale paid at once says how; one owed is paid later, by whatever means then.
            if ["", "paid"].contains(request.field("payment")) && !request.field("paymentMethod").isEmpty {
                body["paymentMethod"] = request.field("paymentMethod")
            }
            return request.call(.post, "/api/v1/subscriptions", body: body)
        }
        memberForm(&router, "/members/:id/cards", form: "card") { request, id in
            request.call(.post, "/api/v1/users/\(id)/cards", body: ["number": request.field("number")])
        }
        memberForm(&router, "/members/:id/duress-pin", form: "duress-pin") { request, id in
            request.call(.put, "/api/v1/users/\(id)/duress-pin", body: ["pin": request.field("duressPin")])
        }
        memberForm(&router, "/members/:id/pin", form: "pin") { request, id in
            request.call(.put, "/api/v1/users/\(id)/pin", body: ["pin": request.field("pin")])
        }
        memberForm(&router, "/members/:id/card-status", form: "cardStatus") { request, _ in
            request.call(
                .patch, "/api/v1/cards/\(Int64(request.field("card")) ?? 0)", body: ["status": request.field("status")])
        }
        memberForm(&router, "/members/:id/profile", form: "profile") { request, id in
            var body: [String: Any] = ["followUp": request.field("followUp") == "on"]
            for name in [
                "name", "paternalSurname", "maternalSurname", "email", "alternateEmail", "phone", "notes", "gender",
            ] { body[name] = request.field(name) }
            for name in ["birthDate", "joinDate"] where !request.field(name).isEmpty {
                body[name] = request.field(name)
            }
            if let clave = Int64(request.field("clave")) {
                body["clave"] = clave
            } else if !request.field("clave").isEmpty {
                body["clave"] = request.field("clave")
            }
            body["agreement"] = Int64(request.field("agreement")) ?? 0
            return request.call(.patch, "/api/v1/users/\(id)", body: body)
        }
        memberForm(&router, "/members/:id/access", form: "access") { request, id in
            let roles = request.call(.put, "/api/v1/users/\(id)/roles", body: ["roles": request.fields("roles")])
            guard roles.ok else { return roles }
            return request.call(
                .put, "/api/v1/users/\(id)/branches",
                body: ["branches": request.fields("branches").compactMap { Int64($0) }])
        }
        memberForm(&router, "/members/:id/active", form: "active") { request, id in
            Self.setActive(request, id: id)
        }
        memberForm(&router, "/members/:id/renew", form: "subscription") { request, _ in
            request.call(
                .post, "/api/v1/subscriptions/\(Int64(request.field("subscription")) ?? 0)/renew",
                body: request.field("promotion").isEmpty ? [:] : ["promotion": request.field("promotion")])
        }
        memberForm(&router, "/members/:id/freeze", form: "freeze") { request, _ in
            var body: [String: Any] = [:]
            for name in ["startDate", "endDate", "reason"] where !request.field(name).isEmpty {
                body[name] = request.field(name)
            }
            return request.call(
                .post, "/api/v1/subscriptions/\(Int64(request.field("subscription")) ?? 0)/freeze", body: body)
        }
        memberForm(&router, "/members/:id/unfreeze", form: "subscription") { request, _ in
            request.call(
                .post, "/api/v1/subscriptions/\(Int64(request.field("subscription")) ?? 0)/unfreeze", body: [:])
        }
    }

    /// A form on the member page: on success back to the page with a notice; on failure the page
    /// again with the message beside the field and what was typed kept.
    package func memberForm(
        _ router: inout Router, _ path: String, form: String,
        _ call: @escaping @Sendable (WebRequest, String) -> APIResult
    ) {
        add(&router, .post, path, .signedIn) { request in
            let id = request.parameter("id")
            let result = call(request, id)
            guard result.ok else { return Self.memberPage(request, id: id, failed: (form, result)) }
            return Self.redirect("/members/\(id)?done=\(form)")
        }
    }

    package static func liveEvents(
        _ request: WebRequest, after cursor: String, branches: [Int64: (name: String, zone: String)], final: Bool
    ) -> HTTPResponse? {
        let rows = request.call(.get, "/api/v1/attendance", query: [("after", cursor), ("limit", "50")])
        guard rows.ok else {
            return HTTPResponse(
                status: rows.status == 401 ? 401 : 503, headers: [("Content-Type", "text/plain")],
                body: Array("\(rows.error ?? "")\n".utf8))
        }
        if rows.list.isEmpty && !final { return nil }
        var stream = "retry: 1000\n"
        if rows.list.isEmpty { stream += ": nothing new\n\n" }
        for row in rows.list.reversed() {
            let id = "\(request.int(row["at"]) ?? 0)~\(request.string(row["id"]))"
            stream +=
                """
                id: \(id)\nevent: attendance\ndata: \
                \(liveItem(request, row, branches: branches).text.replacingOccurrences(of: "\n", with: " "))\n\n
                """
        }
        return HTTPResponse(
            status: 200,
            headers: [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store")],
            body: Array(stream.utf8))
    }

    /// One live entry: time, a photo placeholder with initials, the member, the result in words,
    /// and for a member their plan and its end.
    package static func liveItem(
        _ request: WebRequest, _ row: [String: Any], branches: [Int64: (name: String, zone: String)]
    )
        -> HTML
    {
        let t = request.text
        let branch = request.int(row["branch"]).flatMap { branches[$0] }
        let granted = (row["granted"] as? Bool) == true
        let name = request.string(row["userName"])
        let at = request.int(row["at"]).map { t.time(Timestamp(milliseconds: $0), zone: branch?.zone ?? "UTC") } ?? ""
        var plan: HTML = ""
        if let user = request.int(row["userID"]) {
            let subscriptions = request.call(.get, "/api/v1/users/\(user)/subscriptions").list
            let subscription =
                subscriptions.first { request.int($0["id"]) == request.int(row["subscriptionID"]) }
                ?? subscriptions.first
            if let subscription {
                plan =
                    """
                    <span class="plan">\
                    \(t["live.plan"]): \(request.string(subscription["planName"])) · \
                    \(t["standing." + request.string(subscription["standing"])]) · \(t["live.until"]) \
                    \(request.day(subscription["effectiveEndDate"]))</span>
                    """
            }
        }
        let who: HTML =
            request.int(row["userID"]).map { "<a href=\"/members/\($0)\">\(name)</a>" }
            ?? "\(t["attendance.card"]) \(request.string(row["cardNumber"]))"
        return """
            <li class="\(granted ? "granted" : "denied")">\
            \(Self.avatar(request, user: request.int(row["userID"]), name: name, entrant: true))\
            <span class="what"><strong>\(granted ? "✔" : "✖") \(t.reason(request.string(row["reason"])))\
            </strong> \(who) \(plan)</span>\
            <span class="where"><time>\(at)</time> \(branch?.name ?? "")</span></li>
            """
    }

    package static func newMember(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let branches = request.branches().sorted { $0.key < $1.key }.map { (String($0.key), $0.value.name) }
        let roles = Role.allCases  // the API refuses a role above the caller's own
        let error = errors.values.first
        let body: HTML = """
            <form method="post" action="/members/new" class="card">\(request.csrfField)
            \(HTML.when(error != nil, "<p class=\"error\" role=\"alert\">\(t["error.fix"])</p>"))
            \(request.input(
                "name", t["field.name"], value: request.field("name"), required: true, error: errors["name"]))
            \(request.input(
                "paternalSurname", t["field.paternalSurname"], value: request.field("paternalSurname"), required: true,
                error: errors["paternalSurname"]))
            \(request.input(
                "maternalSurname", t["field.maternalSurname"], value: request.field("maternalSurname"),
                error: errors["maternalSurname"]))
            \(request.input(
                "username", t["field.username"], value: request.field("username"), required: true,
                error: errors["username"]))
            \(request.input(
                "email", t["field.email"], value: request.field("email"), type: "email", required: true,
                error: errors["email"]))
            \(request.input(
                "phone", t["field.phone"], value: request.field("phone"), type: "tel", error: errors["phone"]))
            \(request.input(
                "birthDate", t["field.birthDate"], value: request.field("birthDate"), type: "date",
                error: errors["birthDate"]))
            \(request.select(
                "role", t["field.roles"], options: roles.map { ($0.rawValue, t.role($0)) },
                selected: request.field("role").isEmpty ? "cliente" : request.field("role"), error: errors["roles"]))
            \(request.select(
                "branches", t["field.branches"], options: branches, selected: request.field("branches"),
                error: errors["branches"], multiple: true))
            <p><button type="submit">\(t["action.create"])</button></p></form>
            """
        return request.page(title: t["members.new"], active: "/members", body: body, status: errors.isEmpty ? 200 : 400)
    }
}
