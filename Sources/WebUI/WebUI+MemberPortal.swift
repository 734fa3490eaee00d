import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The member's own pages (role Cliente): their membership and where it stands, their visits
/// with the reason of any refusal, and the way to their photo and invoices. Laid out for a phone.
extension WebUI {
    package func declareMemberPortalPages(_ router: inout Router) {
        add(&router, .get, "/my", .signedIn) { request in
            let t = request.text
            let subscriptions = request.call(.get, "/api/v1/me/subscriptions")
            guard subscriptions.ok else { return request.failure(subscriptions) }
            let visits = request.call(.get, "/api/v1/me/attendance", query: [("limit", "30")])
            guard visits.ok else { return request.failure(visits) }
            let branches = request.branches()
            let chainZone = request.ui.api.chainTimeZone()
            let cards: [HTML] = subscriptions.list.map { sale in
                let standing = request.string(sale["standing"])
                let branch = request.int(sale["branch"]).flatMap { branches[$0]?.name } ?? ""
                return """
                    <li class="membership \(standing)"><strong>\(request.string(sale["planName"]))</strong> · \
                    <span class="standing">\(t["standing." + standing])</span> · \
                    <span>\(branch)</span> · \
                    <span>\(t["portal.from"]) \(request.day(sale["startDate"])) \(t["portal.until"]) \
                    \(request.day(sale["effectiveEndDate"]))</span></li>
                    """
            }
            let rows: [HTML] = visits.list.map { visit in
                let branch = request.int(visit["branch"]).flatMap { branches[$0] }
                let at =
                    request.int(visit["at"]).map {
                        t.dateTime(Timestamp(milliseconds: $0), zone: branch?.zone ?? chainZone)
                    } ?? ""
                let granted = (visit["granted"] as? Bool) == true
                return """
                    <li class="\(granted ? "granted" : "denied")"><time>\(at)</time> \(branch?.name ?? "") \
                    <strong>\(granted ? "✔" : "✖") \(t.reason(request.string(visit["reason"])))</strong></li>
                    """
            }
            let planList: HTML =
                cards.isEmpty ? "<p>\(t["portal.noMembership"])</p>" : "<ul class=\"memberships\">\(cards)</ul>"
            let visitList: HTML = rows.isEmpty ? "<p>\(t["portal.noVisits"])</p>" : "<ol class=\"visits\">\(rows)</ol>"
            let body: HTML = """
                <section class="card"><h2>\(t["portal.membership"])</h2>\
                \(planList)\
                </section>
                <section class="card"><h2>\(t["portal.visits"])</h2>\
                \(visitList)</section>
                <p><a class="button" href="/my/pass">\(t["pass.open"])</a></p>
                <p><a class="button" href="/settings#photo">\(t["photo.mine"])</a> \
                <a class="button" href="/my/invoices">\(t["nav.myInvoices"])</a></p>
                """
            return request.page(title: t["portal.title"], active: "/my", body: body)
        }
    }
}
