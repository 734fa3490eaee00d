@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import Testing

/// The desk's day-pass pages: the sale form lists only pass plans, a guest's pass is sold
/// through it and shown as an 80 mm ticket with its QR code, a gift without a reason is refused
/// beside the reason, a member's pack subscription links to its pass, and sending without an
/// email says to print it.
@Suite struct DayPassWebTests {
    @Test func theDeskSellsAGuestPassAndPrintsIt() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let desk = try f.signIn(.reception, username: "recepcion")
        let cookies = ["portero_session=\(desk.cookie)"]
        let pass = try f.plan("Pase doble", as: root, extra: #", "visitsTotal": 2, "branches": [\#(f.own)]"#)
        _ = try f.plan("Mensual", as: root)
        let form = html(try f.page("GET", "/day-passes/new", cookies: cookies))
        #expect(form.contains("href=\"/day-passes/new\" aria-current=\"page\""))
        #expect(form.contains("<option value=\"\(pass)\">Pase doble · 2 entradas") && !form.contains("Mensual ·"))
        #expect(form.contains("<form method=\"post\" action=\"/day-passes\">"))

        func sell(_ extra: [(String, String)]) throws -> HTTPResponse {
            try f.page(
                "POST", "/day-passes",
                form: [
                    ("csrf", desk.csrf), ("plan", "\(pass)"), ("branch", "\(f.own)"), ("startDate", "2027-01-15"),
                    ("holder", "guest"), ("guestName", "Invitada"),
                ] + extra, cookies: cookies)
        }
        let noReason = try sell([("how", "give"), ("reason", "")])
        #expect(noReason.status == 400 && html(noReason).contains("class=\"field invalid\"><label for=\"f-reason\""))
        #expect(html(noReason).contains("value=\"Invitada\""), "what was typed is kept")

        let sold = try sell([("how", "sell"), ("guestPhone", "5512345678")])
        #expect(sold.status == 303, "\(html(sold))")
        let location = try #require(sold.header("Location"))
        #expect(location.hasPrefix("/subscriptions/") && location.hasSuffix("/pass"))
        let ticket = html(try f.page("GET", location, cookies: cookies))
        #expect(ticket.contains("<section class=\"card receipt\" id=\"day-pass\"><h1>Centro</h1>"))
        #expect(ticket.contains("<div class=\"qr\" id=\"pass-qr\"><svg") && ticket.contains("data-print"))
        #expect(ticket.contains("<td id=\"pass-holder\">Invitada</td>") && ticket.contains(">2 / 2</td>"))
        #expect(ticket.contains("<td id=\"pass-branches\">Centro</td>"))
        let digits = try #require(
            ticket.range(of: "<span id=\"pass-code\">").map { ticket[$0.upperBound...].prefix(174) })
        #expect(DayPassCode(scanned: digits) != nil)

        let unsent = try f.page("POST", location + "/send", form: [("csrf", desk.csrf)], cookies: cookies)
        #expect(unsent.status == 409 && html(unsent).contains("El titular no tiene correo"))
    }

    @Test func aMembersPackLinksToItsPass() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let desk = try f.signIn(.reception, username: "recepcion")
        let pass = try f.plan("Pase", as: root, extra: #", "visitsTotal": 3"#)
        let monthly = try f.plan("Mensual", as: root)
        let member = try f.member("ana", as: desk)
        let given = try object(
            try f.post(
                "/api/v1/day-passes",
                #"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "give": "Cortesía"}"#, as: desk))
        let id = try #require(given["id"] as? Int64)
        let plain = try object(
            try f.post(
                "/api/v1/subscriptions", #"{"user": \#(member), "plan": \#(monthly), "branch": \#(f.own)}"#, as: desk))
        let page = html(try f.page("GET", "/members/\(member)", cookies: ["portero_session=\(desk.cookie)"]))
        #expect(page.contains("<a href=\"/subscriptions/\(id)/pass\">Pase</a>"))
        #expect(!page.contains("/subscriptions/\(try #require(plain["id"] as? Int64))/pass"))
        let sent = try f.page(
            "POST", "/subscriptions/\(id)/pass/send", form: [("csrf", desk.csrf)],
            cookies: ["portero_session=\(desk.cookie)"], headers: ["Accept-Language: en"])
        #expect(sent.status == 200 && html(sent).contains("Pass sent to ana@correo.mx"))
        #expect(html(sent).contains("id=\"send-pass\""))
        // A guest without an email is offered the printed ticket only.
        let guest = try object(
            try f.post(
                "/api/v1/day-passes", #"{"plan": \#(pass), "branch": \#(f.own), "guestName": "Sin Correo"}"#, as: desk))
        let ticket = html(
            try f.page(
                "GET", "/subscriptions/\(try #require(guest["id"] as? Int64))/pass",
                cookies: ["portero_session=\(desk.cookie)"], headers: ["Accept-Language: en"]))
        #expect(!ticket.contains("id=\"send-pass\"") && ticket.contains("The holder has no email address"))
    }
}
