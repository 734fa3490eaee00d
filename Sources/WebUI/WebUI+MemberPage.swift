import CoreStorage
import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The member page and its profile editor.
extension WebUI {
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
        let invoices = Self.invoicesBySale(request, member: id)
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
        let enrollFields = [
            "plan", "branch", "startDate", "promotion", "paymentReference", "payment", "paymentMethod", "paymentDue",
        ]

        let facts: [(String, String)] = [
            (t["field.clave"], request.string(profile["clave"])),
            (t["field.username"], request.string(profile["username"])),
            (t["field.email"], request.string(profile["email"])), (t["field.phone"], request.string(profile["phone"])),
            (t["field.birthDate"], request.day(profile["birthDate"])),
            (t["field.joinDate"], request.day(profile["joinDate"])),
            (t["field.roles"], ((profile["roles"] as? [String]) ?? []).map { t.role(id: $0) }.joined(separator: ", ")),
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
        let passPlans = Self.passPlanIDs(request)
        let subscriptionRows: [[HTML]] = subscriptions.list.map { subscription in
            let sid = request.string(subscription["id"])
            let standing = request.string(subscription["standing"])
            var actions: [HTML] = [Self.passLink(request, subscription, passPlans: passPlans)]
            if request.string(subscription["status"]) == "active" {
                actions.append(Self.renewForm(request, member: id, subscription: sid))
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
                HTML.join([
                    "\(request.money(subscription["pricePaid"]))\(Self.discountNote(request, subscription))",
                    Self.invoiceLink(request, subscription, invoices),
                ]),
                Self.paymentCell(request, member: id, subscription: subscription), HTML.join(actions, separator: " "),
            ]
        }
        let historyRows = history.list.map { request.attendanceCells($0, branches: branches) }
        let failure: HTML =
            failed.map { "<p class=\"error\" role=\"alert\">\(t["error.fix"]) \($0.result.error ?? "")</p>" } ?? ""
        let notice = request.query("done").map { done in
            switch done {
            case "checkin": t["member.checkinDone"]
            case "photo-approve", "photo-reject", "photo-remove", "photo-save":
                t["photo.done." + done.dropFirst("photo-".count)]
            default: t["settings.saved"]
            }
        }

        let body: HTML = """
            \(failure)
            <div class="grid">
            <section class="card"><h2>\(t["member.profile"])</h2>\
            \(Self.avatar(request, user: Int64(id), name: request.fullName(profile), big: true))<dl>\
            \(factList)</dl>\(HTML.when(
                request.may(.users), Self.profileEditor(request, id: id, profile: profile, failed: failed)))</section>
            \(Self.photoSection(request, id: id, error: failed?.form == "photo" ? failed?.result.error : nil))
            \(Self.phoneSection(request, id: id))
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
                [t["field.plan"], t["member.from"], t["field.status"], t["field.price"], t["payments.payment"], ""],
                subscriptionRows))
            <details\(HTML.when(failed?.form == "enroll", " open"))><summary>\(t["member.enroll"])</summary>\
            <form method="post" action="/members/\(id)/enroll">\(request.csrfField)
            \(Self.offerSelect(
                request, plans: plans, branches: branches, selected: value("offer"),
                error: errorText("enroll", "plan", enrollFields) ?? errorText("enroll", "branch", enrollFields)))
            \(request.input(
                "startDate", t["field.start"], value: value("startDate"), type: "date",
                error: errorText(
                    "enroll", "startDate", enrollFields)))
            \(request.input(
                "promotion", t["field.promotion"], value: value("promotion"),
                error: errorText("enroll", "promotion", enrollFields),
                attributes: " maxlength=\"40\" placeholder=\"\(t["member.promotionHint"])\""))
            \(request.input("paymentReference", t["field.reference"], value: value("paymentReference")))
            \(request.select(
                "payment", t["payments.payment"],
                options: ["paid", "pending", "credit"].map { ($0, t["payment." + $0]) }, selected: value("payment"),
                error: errorText("enroll", "payment", enrollFields)))
            \(request.select(
                "paymentMethod", t["payments.method"],
                options: ["cash", "card", "transfer"].map { ($0, t["method." + $0]) }, selected: value("paymentMethod"),
                error: errorText("enroll", "paymentMethod", enrollFields)))
            \(request.input(
                "paymentDue", t["payments.due"], value: value("paymentDue"), type: "date",
                error: errorText("enroll", "paymentDue", enrollFields)))
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
                attributes: " inputmode=\"numeric\" autocomplete=\"off\" pattern=\"[0-9]{4,12}\""))
            <p><button type="submit">\(t["action.save"])</button></p></form>
            <p>\(t["member.duressPin"]): \((profile["duressPinSet"] as? Bool) == true
                ? t["member.pinSet"] : t["member.pinNone"])</p>
            <form method="post" action="/members/\(id)/duress-pin" class="row">\(request.csrfField)
            \(request.input(
                "duressPin", t["member.duressPinReset"], type: "password", required: true,
                error: errorText("duress-pin", "pin", ["pin"]),
                attributes: " inputmode=\"numeric\" autocomplete=\"off\" pattern=\"[0-9]{4,12}\""))
            <p><button type="submit">\(t["action.save"])</button></p></form>
            <p class="hint">\(t["member.duressHint"])</p></section>
            \(HTML.when(
                request.may(.users),
                Self.accessEditor(request, id: id, profile: profile, branches: branchOptions, failed: failed)))
            <section class="card"><h2>\(t["member.history"])</h2>\
            \(historyRows.isEmpty ? "<p>\(t["attendance.none"])</p>" as HTML : request.table(
                [t["attendance.time"], t["attendance.member"], t["attendance.branch"], t["attendance.card"],
                 t["attendance.result"]], historyRows))</section>
            """
        // A refused form is a 400, or a 409 when the record changed since the page was shown.
        let status = failed.map { $0.result.status == 409 ? 409 : 400 } ?? 200
        return request.page(
            title: request.fullName(profile), active: "/members", body: body, status: status,
            notice: notice)
    }

    /// Every seed-003 field of a user, inside the profile's card, for staff with the users
    /// privilege (the API decides what each may change).
    package static func profileEditor(
        _ request: WebRequest, id: String, profile: [String: Any], failed: (form: String, result: APIResult)?
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
        let followUp = retry ? request.field("followUp") == "on" : (profile["followUp"] as? Bool) == true
        return """
            <details id="edit-profile"\(HTML.when(retry, " open"))><summary>\(t["member.editProfile"])</summary>\
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
                "gender", t["field.gender"], options: Gender.allCases.map { ($0.rawValue, t["gender." + $0.rawValue]) },
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
            """
    }
}
