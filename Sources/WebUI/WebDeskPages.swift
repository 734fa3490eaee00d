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
                // A member (Cliente) has no home privilege: their profile is their page.
                return home.status == 403 ? Self.redirect("/settings") : request.failure(home)
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
                <section class="card"><h2>\(t["home.followUp"])</h2>\
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
                FeedNotifier.Waiter(deferred: deferred, deadline: Date().addingTimeInterval(25)) { final in
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
            var body: [String: Any] = [
                "user": Int64(id) ?? 0, "plan": Int64(request.field("plan")) ?? 0,
                "branch": Int64(request.field("branch")) ?? 0,
            ]
            for name in ["startDate", "promotion", "paymentReference"] where !request.field(name).isEmpty {
                body[name] = request.field(name)
            }
            return request.call(.post, "/api/v1/subscriptions", body: body)
        }
        memberForm(&router, "/members/:id/cards", form: "card") { request, id in
            request.call(.post, "/api/v1/users/\(id)/cards", body: ["number": request.field("number")])
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
            request.call(.patch, "/api/v1/users/\(id)", body: ["active": request.field("active") == "true"])
        }
        memberForm(&router, "/members/:id/renew", form: "subscription") { request, _ in
            request.call(.post, "/api/v1/subscriptions/\(Int64(request.field("subscription")) ?? 0)/renew", body: [:])
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
        let initials = String(name.split(separator: " ").prefix(2).compactMap(\.first))
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
            <li class="\(granted ? "granted" : "denied")"><span class="avatar" aria-hidden="true">\
            \(initials.isEmpty ? "?" : initials)</span>\
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
                "role", t["field.roles"], options: roles.map { ($0.rawValue, $0.rawValue) },
                selected: request.field("role").isEmpty ? "cliente" : request.field("role"), error: errors["roles"]))
            \(request.select(
                "branches", t["field.branches"], options: branches, selected: request.field("branches"),
                error: errors["branches"], multiple: true))
            <p><button type="submit">\(t["action.create"])</button></p></form>
            """
        return request.page(title: t["members.new"], active: "/members", body: body, status: errors.isEmpty ? 200 : 400)
    }

    /// The member page: profile, cards, PIN, subscriptions, history, and the desk's forms.
    package static func memberPage(_ request: WebRequest, id: String, failed: (form: String, result: APIResult)? = nil)
        -> HTTPResponse
    {
        let t = request.text
        let user = request.call(.get, "/api/v1/users/\(Int64(id) ?? 0)")
        guard user.ok else { return request.failure(user) }
        let profile = user.object
        let branches = request.branches()
        let branchOptions = branches.sorted { $0.key < $1.key }.map { (String($0.key), $0.value.name) }
        let subscriptions = request.call(.get, "/api/v1/users/\(id)/subscriptions")
        let history = request.call(.get, "/api/v1/users/\(id)/attendance", query: [("limit", "20")])
        let plans = request.call(.get, "/api/v1/plans", query: [("active", "true")]).list
        func error(_ form: String, _ fields: [String]) -> (field: String, message: String)? {
            guard let failed, failed.form == form else { return nil }
            return (failed.result.erroredField(among: fields) ?? fields[0], failed.result.error ?? "")
        }
        func errorText(_ form: String, _ field: String, _ fields: [String]) -> String? {
            guard let found = error(form, fields), found.field == field else { return nil }
            return found.message
        }
        let value = { (name: String) in request.field(name) }

        let facts: [(String, String)] = [
            (t["field.clave"], request.string(profile["clave"])),
            (t["field.username"], request.string(profile["username"])),
            (t["field.email"], request.string(profile["email"])), (t["field.phone"], request.string(profile["phone"])),
            (t["field.birthDate"], request.day(profile["birthDate"])),
            (t["field.joinDate"], request.day(profile["joinDate"])),
            (t["field.roles"], ((profile["roles"] as? [String]) ?? []).joined(separator: ", ")),
            (
                t["field.branches"],
                ((profile["branches"] as? [NSNumber]) ?? []).compactMap { branches[$0.int64Value]?.name }.joined(
                    separator: ", ")
            ),
            (t["field.notes"], request.string(profile["notes"])),
        ]
        let factList: [HTML] = facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }

        let cards: [[HTML]] = ((profile["cards"] as? [[String: Any]]) ?? []).map { card in
            let status = request.string(card["status"])
            let actions: [HTML] = ["active", "lost", "revoked"].filter { $0 != status }.map { next in
                request.button(
                    "/members/\(id)/card-status",
                    t[next == "active" ? "action.reactivate" : next == "lost" ? "action.lost" : "action.revoke"],
                    hidden: [("card", request.string(card["id"])), ("status", next)], style: "small")
            }
            return [
                "<code>\(request.string(card["printed"]))</code>", "\(t["status." + status])",
                HTML.join(actions, separator: " "),
            ]
        }
        let subscriptionRows: [[HTML]] = subscriptions.list.map { subscription in
            let sid = request.string(subscription["id"])
            let standing = request.string(subscription["standing"])
            var actions: [HTML] = []
            if request.string(subscription["status"]) == "active" {
                actions.append(
                    request.button(
                        "/members/\(id)/renew", t["member.renew"], hidden: [("subscription", sid)], style: "small"))
                actions.append(
                    standing == "frozen"
                        ? request.button(
                            "/members/\(id)/unfreeze", t["member.unfreeze"], hidden: [("subscription", sid)],
                            style: "small")
                        : """
                        <details><summary>\(t["member.freeze"])</summary>\
                        <form method="post" action="/members/\(id)/freeze">\(request.csrfField)\
                        <input type="hidden" name="subscription" value="\(sid)">\
                        \(request.input(
                            "startDate", t["member.from"],
                            value: value("subscription") == sid ? value("startDate") : "", type: "date",
                            error: value("subscription") == sid
                                ? errorText("freeze", "startDate", ["startDate", "endDate", "reason"]) : nil))\
                        \(request.input(
                            "endDate", t["member.to"], value: value("subscription") == sid ? value("endDate") : "",
                            type: "date",
                            error: value("subscription") == sid
                                ? errorText("freeze", "endDate", ["startDate", "endDate", "reason"]) : nil))\
                        \(request.input(
                            "reason", t["field.reason"], value: value("subscription") == sid ? value("reason") : ""))\
                        <p><button type="submit">\(t["member.freeze"])</button></p></form></details>
                        """)
            }
            return [
                "\(request.string(subscription["planName"]))",
                "\(request.day(subscription["startDate"])) – \(request.day(subscription["effectiveEndDate"]))",
                "<span class=\"standing \(standing)\">\(t["standing." + standing])</span>",
                "\(request.money(subscription["pricePaid"]))", HTML.join(actions, separator: " "),
            ]
        }
        let historyRows = history.list.map { request.attendanceCells($0, branches: branches) }
        let planOptions = plans.map {
            (request.string($0["id"]), "\(request.string($0["name"])) · \(request.money($0["price"]))")
        }
        let failure: HTML =
            failed.map { "<p class=\"error\" role=\"alert\">\(t["error.fix"]) \($0.result.error ?? "")</p>" } ?? ""
        let notice = request.query("done").map { $0 == "checkin" ? t["member.checkinDone"] : t["settings.saved"] }

        let body: HTML = """
            \(failure)
            <div class="grid">
            <section class="card"><h2>\(t["member.profile"])</h2><span class="avatar big" aria-hidden="true">\
            \(String(request.fullName(profile).split(separator: " ").prefix(2).compactMap(\.first)))</span><dl>\
            \(factList)</dl></section>
            <section class="card"><h2>\(t["member.checkin"])</h2><form method="post" action="/members/\(id)/checkin">\
            \(request.csrfField)
            \(request.select(
                "branch", t["field.branch"], options: branchOptions, selected: value("branch"),
                error: errorText("checkin", "branch", ["branch", "reason", "user"])))
            \(request.input(
                "reason", t["member.checkinReason"], value: error("checkin", ["reason"]) != nil ? value("reason") : "",
                required: true, error: errorText("checkin", "reason", ["branch", "reason", "user"])))
            <p><button type="submit">\(t["member.checkin"])</button></p></form></section>
            </div>
            <section class="card"><h2>\(t["member.subscriptions"])</h2>\
            \(subscriptionRows.isEmpty ? "<p>\(t["member.noSubscriptions"])</p>" as HTML : request.table(
                [t["field.plan"], t["member.from"], t["field.status"], t["field.price"], ""], subscriptionRows))
            <details\(HTML.when(failed?.form == "enroll", " open"))><summary>\(t["member.enroll"])</summary>\
            <form method="post" action="/members/\(id)/enroll">\(request.csrfField)
            \(request.select(
                "plan", t["field.plan"], options: planOptions, selected: value("plan"),
                error: errorText("enroll", "plan", ["plan", "branch", "startDate", "promotion", "paymentReference"])))
            \(request.select(
                "branch", t["field.branch"], options: branchOptions, selected: value("branch"),
                error: errorText("enroll", "branch", ["plan", "branch", "startDate", "promotion", "paymentReference"])))
            \(request.input(
                "startDate", t["field.start"], value: value("startDate"), type: "date",
                error: errorText(
                    "enroll", "startDate", ["plan", "branch", "startDate", "promotion", "paymentReference"])))
            \(request.input("promotion", t["field.promotion"], value: value("promotion")))
            \(request.input("paymentReference", t["field.reference"], value: value("paymentReference")))
            <p><button type="submit">\(t["member.enroll"])</button></p></form></details></section>
            <section class="card"><h2>\(t["member.cards"])</h2>\
            \(cards.isEmpty ? "" : request.table([t["attendance.card"], t["field.status"], ""], cards))
            <form method="post" action="/members/\(id)/cards" class="row">\(request.csrfField)
            \(request.input(
                "number", t["member.cardNumber"], value: error("card", ["number"]) != nil ? value("number") : "",
                required: true, error: errorText("card", "number", ["number"])))
            <p><button type="submit">\(t["member.addCard"])</button></p></form>
            <p>\(t["member.pin"]): \((profile["pinSet"] as? Bool) == true ? t["member.pinSet"] : t["member.pinNone"])\
            </p>
            <form method="post" action="/members/\(id)/pin" class="row">\(request.csrfField)
            \(request.input(
                "pin", t["member.pinReset"], type: "password", required: true, error: errorText("pin", "pin", ["pin"]),
                attributes: " inputmode=\"numeric\" autocomplete=\"off\""))
            <p><button type="submit">\(t["action.save"])</button></p></form></section>
            \(HTML.when(
                request.may(.users),
                Self.profileEditor(request, id: id, profile: profile, branches: branchOptions, failed: failed)))
            <section class="card"><h2>\(t["member.history"])</h2>\
            \(historyRows.isEmpty ? "<p>\(t["attendance.none"])</p>" as HTML : request.table(
                [t["attendance.time"], t["attendance.member"], t["attendance.branch"], t["attendance.card"],
                 t["attendance.result"]], historyRows))</section>
            """
        return request.page(
            title: request.fullName(profile), active: "/members", body: body, status: failed == nil ? 200 : 400,
            notice: notice)
    }
}

extension WebUI {
    /// Every seed-003 field of a user, their roles and branches, and activation, for staff with
    /// the users privilege (the API decides what each may change).
    package static func profileEditor(
        _ request: WebRequest, id: String, profile: [String: Any], branches: [(String, String)],
        failed: (form: String, result: APIResult)?
    ) -> HTML {
        let t = request.text
        let retry = failed?.form == "profile"
        let fields = [
            "clave", "name", "paternalSurname", "maternalSurname", "email", "alternateEmail", "phone", "gender",
            "birthDate", "joinDate", "agreement", "notes",
        ]
        let wrong = retry ? failed?.result.erroredField(among: fields) : nil
        func value(_ name: String) -> String { retry ? request.field(name) : request.string(profile[name]) }
        func error(_ name: String) -> String? { wrong == name ? failed?.result.error : nil }
        let agreements =
            [("0", "—")]
            + request.call(.get, "/api/v1/agreements").list.map {
                (request.string($0["id"]), request.string($0["name"]))
            }
        let roles = Set((profile["roles"] as? [String]) ?? [])
        let granted = Set(((profile["branches"] as? [NSNumber]) ?? []).map { $0.stringValue })
        let roleBoxes: [HTML] = Role.allCases.map { role -> HTML in
            let checked = HTML.when(roles.contains(role.rawValue), " checked")
            let box: HTML = "<label><input type=\"checkbox\" name=\"roles\" value=\"\(role.rawValue)\"\(checked)>"
            return "\(box) \(role.rawValue)</label> "
        }
        let branchBoxes: [HTML] = branches.map { branch -> HTML in
            let checked = HTML.when(granted.contains(branch.0), " checked")
            let box: HTML = "<label><input type=\"checkbox\" name=\"branches\" value=\"\(branch.0)\"\(checked)>"
            return "\(box) \(branch.1)</label> "
        }
        let active = (profile["active"] as? Bool) != false
        let followUp = retry ? request.field("followUp") == "on" : (profile["followUp"] as? Bool) == true
        return """
            <section class="card"><h2>\(t["member.profile"])</h2>
            <details\(HTML.when(retry, " open"))><summary>\(t["action.save"])…</summary>\
            <form method="post" action="/members/\(id)/profile">\(request.csrfField)
            \(request.input("clave", t["field.clave"], value: value("clave"), type: "number", error: error("clave")))
            \(request.input("name", t["field.name"], value: value("name"), required: true, error: error("name")))
            \(request.input(
                "paternalSurname", t["field.paternalSurname"], value: value("paternalSurname"),
                error: error("paternalSurname")))
            \(request.input(
                "maternalSurname", t["field.maternalSurname"], value: value("maternalSurname"),
                error: error("maternalSurname")))
            \(request.input("email", t["field.email"], value: value("email"), type: "email", error: error("email")))
            \(request.input(
                "alternateEmail", t["field.email"] + " 2", value: value("alternateEmail"), type: "email",
                error: error("alternateEmail")))
            \(request.input("phone", t["field.phone"], value: value("phone"), type: "tel", error: error("phone")))
            \(request.select(
                "gender", t["field.gender"], options: Gender.allCases.map { ($0.rawValue, $0.rawValue) },
                selected: value("gender"), error: error("gender")))
            \(request.input(
                "birthDate", t["field.birthDate"], value: value("birthDate"), type: "date", error: error("birthDate")))
            \(request.input(
                "joinDate", t["field.joinDate"], value: value("joinDate"), type: "date", error: error("joinDate")))
            \(request.select(
                "agreement", t["nav.agreements"], options: agreements,
                selected: retry ? request.field("agreement") : request.string(profile["agreement"]),
                error: error("agreement")))
            \(request.input("notes", t["field.notes"], value: value("notes"), error: error("notes")))
            <p><label><input type="checkbox" name="followUp"\(HTML.when(followUp, " checked"))> \(t["field.followUp"])\
            </label></p>
            <p><button type="submit">\(t["action.save"])</button></p></form></details>
            <form method="post" action="/members/\(id)/access">\(request.csrfField)
            <fieldset><legend>\(t["field.roles"])</legend>\(roleBoxes)</fieldset>\
            <fieldset><legend>\(t["field.branches"])</legend>\(branchBoxes)</fieldset>
            <p><button type="submit">\(t["action.save"])</button></p></form>
            <p>\(request.button(
                "/members/\(id)/active", active ? t["action.deactivate"] : t["action.activate"],
                hidden: [("active", active ? "false" : "true")], style: active ? "danger" : ""))</p>
            </section>
            """
    }
}
