import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// Day and guest passes at the desk: the form that sells or gives one (`/day-passes/new`), to a
/// member or a new guest, and the pass itself (`/subscriptions/:id/pass`), a QR code on an 80 mm
/// ticket with the holder, dates, entries left and branches, printed or sent by email.
extension WebUI {
    package func declareDayPassPages(_ router: inout Router) {
        router.add(.get, "/static/day-pass.css") { _ in Self.asset(Self.dayPassStyle, type: "text/css; charset=utf-8") }
        add(&router, .get, "/day-passes/new", .signedIn) { request in Self.dayPassForm(request) }
        add(&router, .post, "/day-passes", .signedIn) { request in
            let result = request.call(.post, "/api/v1/day-passes", body: Self.dayPassSale(request))
            if result.ok, let id = request.int(result.object["id"]) {
                return Self.redirect("/subscriptions/\(id)/pass")
            }
            guard [400, 404, 409].contains(result.status) else { return request.failure(result) }
            let fields = ["plan", "branch", "startDate", "user", "guestName", "guestEmail", "guestPhone", "give"]
            let field = result.erroredField(among: fields) ?? "plan"
            let formField = ["user": "member", "give": "reason"][field] ?? field
            return Self.dayPassForm(request, errors: [formField: result.error ?? ""])
        }
        add(&router, .get, "/subscriptions/:id/pass", .signedIn) { request in Self.dayPassPage(request) }
        add(&router, .post, "/subscriptions/:id/pass/send", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(.post, "/api/v1/subscriptions/\(id)/pass/send")
            if result.ok {
                return Self.dayPassPage(
                    request, notice: "\(request.text["daypass.sent"]) \(request.string(result.object["to"]))")
            }
            guard result.status == 409 else { return request.failure(result) }
            return Self.dayPassPage(request, error: request.text["daypass.noEmail"])
        }
    }

    /// The API body of the form's sale.
    static func dayPassSale(_ request: WebRequest) -> [String: Any] {
        var body: [String: Any] = [
            "plan": request.int(request.field("plan")) ?? 0, "branch": request.int(request.field("branch")) ?? 0,
        ]
        if !request.field("startDate").isEmpty { body["startDate"] = request.field("startDate") }
        if request.field("holder") == "guest" {
            body["guestName"] = request.field("guestName")
            for name in ["guestEmail", "guestPhone"] where !request.field(name).isEmpty {
                body[name] = request.field(name)
            }
        } else {
            body["user"] = request.int(request.field("member")) ?? 0
        }
        if request.field("how") == "give" { body["give"] = request.field("reason") }
        return body
    }

    /// Pass plans (those with a visits total) on sale, as select options.
    static func passPlanOptions(_ request: WebRequest) -> [(String, String)] {
        request.call(.get, "/api/v1/plans", query: [("active", "true")]).list.compactMap { plan in
            guard let entries = (plan["visitLimit"] as? [String: Any])?["perSubscription"] else { return nil }
            return (
                request.string(plan["id"]),
                "\(request.string(plan["name"])) · \(request.string(entries)) \(request.text["daypass.entries"]) · "
                    + request.money(plan["price"])
            )
        }
    }

    /// The sale form; `errors` beside the field at fault.
    static func dayPassForm(_ request: WebRequest, errors: [String: String] = [:]) -> HTTPResponse {
        let t = request.text
        let posted = request.context.request.method == "POST"
        func value(_ name: String, _ fallback: String = "") -> String {
            posted ? request.field(name) : request.query(name) ?? fallback
        }
        let plans = passPlanOptions(request)
        let selling = request.branches().filter { request.account?.may(.subscriptions, at: BranchID($0.key)) == true }
        let branchOptions = selling.sorted { $0.key < $1.key }.map { (String($0.key), $0.value.name) }
        let holder = value("holder", request.query("member") == nil ? "guest" : "member")
        let how = value("how", "sell")
        let member = value("member")
        let memberName = request.int(member).flatMap { id -> HTML? in
            let user = request.call(.get, "/api/v1/users/\(id)")
            guard user.ok else { return nil }
            return "\(request.string(user.object["name"])) \(request.string(user.object["paternalSurname"]))"
        }
        func radio(_ name: String, _ option: String, _ label: String, checked: Bool) -> HTML {
            """
            <label><input type="radio" name="\(name)" value="\(option)" id="\(name)-\(option)"\
            \(HTML.when(checked, " checked"))> \(label)</label>
            """
        }
        let body: HTML = """
            <section class="card"><p>\(t["daypass.hint"])</p>
            \(HTML.when(plans.isEmpty, "<p class=\"error\" role=\"alert\">\(t["daypass.noPlans"])</p>"))
            <form method="post" action="/day-passes">\(request.csrfField)
            <div class="row">\(request.select(
                "plan", t["daypass.plan"], options: plans, selected: value("plan"), error: errors["plan"]))\
            \(request.select(
                "branch", t["daypass.branch"], options: branchOptions, selected: value("branch"),
                error: errors["branch"]))\
            \(request.input(
                "startDate", t["daypass.start"], value: value("startDate"), type: "date", error: errors["startDate"]))\
            </div>
            <fieldset><legend>\(t["daypass.holder"])</legend>\
            \(radio("holder", "member", t["daypass.forMember"], checked: holder == "member"))\
            \(radio("holder", "guest", t["daypass.forGuest"], checked: holder != "member"))
            <div class="row for-member">\(request.input(
                "member", t["daypass.member"], value: member, type: "number", error: errors["member"],
                attributes: " min=\"1\""))\
            \(memberName.map { "<p>\(t["daypass.memberIs"]): <strong id=\"member-name\">\($0)</strong></p>" } ?? "")\
            </div><div class="row for-guest">\(request.input(
                "guestName", t["daypass.guestName"], value: value("guestName"), error: errors["guestName"],
                attributes: " maxlength=\"100\""))\
            \(request.input(
                "guestEmail", t["daypass.guestEmail"], value: value("guestEmail"), type: "email",
                error: errors["guestEmail"]))\
            \(request.input(
                "guestPhone", t["daypass.guestPhone"], value: value("guestPhone"), type: "tel",
                error: errors["guestPhone"]))</div></fieldset>
            <fieldset><legend>\(t["daypass.how"])</legend>\
            \(radio("how", "sell", t["daypass.sell"], checked: how != "give"))\
            \(radio("how", "give", t["daypass.give"], checked: how == "give"))\
            <div class="for-give">\(request.input(
                "reason", t["daypass.reason"], value: value("reason"), error: errors["reason"],
                attributes: " maxlength=\"200\""))</div></fieldset>
            <p><button type="submit">\(t["daypass.submit"])</button></p></form></section>
            """
        return request.page(
            title: t["daypass.new"], active: "/day-passes/new", body: body, status: errors.isEmpty ? 200 : 400)
    }
}
