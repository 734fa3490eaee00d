import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// A pass on an 80 mm ticket: each showing issues (and audits) its code anew.
extension WebUI {
    /// The ticket's own rules, besides the POS receipt's (`/static/day-pass.css`).
    static let dayPassStyle = """
        .receipt .qr { text-align: center; } .receipt .qr svg { width: 62mm; height: auto; }
        .receipt .digits { font-size: 9px; word-break: break-all; }
        @media print { main > h1 { display: none; } }
        """

    /// The pass of subscription `:id`, with print and send; `notice` after a send, `error` when it failed.
    static func dayPassPage(_ request: WebRequest, notice: String? = nil, error: String? = nil) -> HTTPResponse {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let issued = request.call(.post, "/api/v1/subscriptions/\(id)/pass")
        guard issued.ok else { return request.failure(issued) }
        let pass = issued.object
        let code = request.string(pass["code"])
        let known = request.branches()
        let branchIDs = (pass["branches"] as? [Any] ?? []).compactMap { request.int($0) }
        let places =
            branchIDs.isEmpty
            ? t["daypass.everyBranch"] : branchIDs.map { known[$0]?.name ?? "#\($0)" }.joined(separator: ", ")
        let left: String =
            request.int(pass["entries"]).map { String(max(0, $0 - (request.int(pass["used"]) ?? 0))) + " / \($0)" }
            ?? t["daypass.unlimited"]
        let picture: HTML = (try? QRCode(text: code).svg(label: t["daypass.qr"], moduleSize: 4)) ?? ""
        let failure: HTML = error.map { "<p class=\"error noprint\" role=\"alert\">\($0)</p>" } ?? ""
        // A holder without an email (a guest may have none) is given the printed ticket only.
        let send: HTML =
            request.string(pass["email"]).isEmpty
            ? "<p class=\"noprint\">\(t["daypass.noEmail"])</p>"
            : """
            <section class="card noprint"><form method="post" action="/subscriptions/\(id)/pass/send">\
            \(request.csrfField)<p><button type="submit" id="send-pass">\(t["daypass.send"])</button></p>\
            </form></section>
            """
        let body: HTML = """
            \(posHead)<link rel="stylesheet" href="/static/day-pass.css">
            <p class="noprint"><a href="/members/\(request.string(pass["user"]))">\
            \(request.string(pass["name"]))</a> · \
            <button type="button" data-print id="print-pass">\(t["daypass.print"])</button></p>
            \(failure)
            <section class="card receipt" id="day-pass"><h1>\(known[request.int(pass["branch"]) ?? 0]?.name ?? "")</h1>
            <h2>\(t["daypass.title"]): \(request.string(pass["plan"]))</h2>
            <div class="qr" id="pass-qr">\(picture)</div>
            <p>\(t["daypass.scan"])</p>
            <table><tbody>
            <tr><th scope="row">\(t["daypass.holderIs"])</th>\
            <td id="pass-holder">\(request.string(pass["name"]))</td></tr>
            <tr><th scope="row">\(t["daypass.valid"])</th><td id="pass-dates">\(request.day(pass["startDate"])) – \
            \(request.day(pass["endDate"]))</td></tr>
            <tr><th scope="row">\(t["daypass.entriesLeft"])</th><td id="pass-left">\(left)</td></tr>
            <tr><th scope="row">\(t["daypass.branches"])</th><td id="pass-branches">\(places)</td></tr>
            </tbody></table>
            <p class="digits">\(t["daypass.code"]): <span id="pass-code">\(code)</span></p>
            <p>\(t["daypass.bearer"])</p></section>
            \(send)
            """
        return request.page(
            title: "\(t["daypass.title"]) \(id)", active: "/day-passes/new", body: body,
            status: error == nil ? 200 : 409,
            notice: notice)
    }

    /// The plans that are passes (a visits total), by id, for the member page's links.
    static func passPlanIDs(_ request: WebRequest) -> Set<Int64> {
        Set(
            request.call(.get, "/api/v1/plans").list.compactMap { plan in
                (plan["visitLimit"] as? [String: Any])?["perSubscription"] == nil ? nil : request.int(plan["id"])
            })
    }

    /// A link to a pack subscription's pass.
    static func passLink(_ request: WebRequest, _ subscription: [String: Any], passPlans: Set<Int64>) -> HTML {
        guard let plan = request.int(subscription["planID"]), passPlans.contains(plan) else { return "" }
        return
            "<a href=\"/subscriptions/\(request.string(subscription["id"]))/pass\">\(request.text["daypass.link"])</a>"
    }
}
