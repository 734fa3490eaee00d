@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The invoice pages: the desk's list and export links, a printable invoice cancelled by a
/// credit note with the reason beside its field, and a member's own invoices.
@Suite struct InvoiceWebTests {
    @Test func theDeskListsPrintsAndCancelsAnInvoiceAndTheMemberSeesTheirs() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "laura")
        let member = try fixture.signIn(.client, username: "socia")
        let desk = "portero_session=\(reception.cookie)"
        #expect(try fixture.put("/api/v1/settings", PaymentRouteTests.settings, as: root).status == 200)
        let plan = try fixture.plan("Mensual", as: root)
        #expect(try fixture.enrol(member.id.rawValue, plan, as: reception).status == 201)
        let folio = "\(fixture.own)-000001"

        let memberPage = html(try fixture.page("GET", "/members/\(member.id.rawValue)", cookies: [desk]))
        #expect(memberPage.contains(">Factura \(folio)</a>"), "the sale links to its invoice")
        let list = html(try fixture.page("GET", "/invoices", cookies: [desk]))
        #expect(list.contains(folio) && list.contains("href=\"/api/v1/invoices?format=xlsx&\""))
        #expect(list.contains("href=\"/invoices\"") && list.contains("Vigente"))
        let id = try #require(try InvoiceRouteTests.invoices(fixture, reception).first?["id"] as? Int64)
        let printed = html(try fixture.page("GET", "/invoices/\(id)", cookies: [desk]))
        #expect(printed.contains("Factura \(folio)") && printed.contains("Club Sur SA de CV"))
        #expect(
            printed.contains("CSU010101AB1") && printed.contains("Impuesto 16 %") && printed.contains("no es un CFDI"))
        #expect(printed.contains("action=\"/invoices/\(id)/cancel\""))

        let short = try fixture.page(
            "POST", "/invoices/\(id)/cancel", form: [("csrf", reception.csrf), ("reason", "x")], cookies: [desk])
        #expect(short.status == 400 && html(short).contains("id=\"f-reason-error\">say why"))
        let cancelled = try fixture.page(
            "POST", "/invoices/\(id)/cancel", form: [("csrf", reception.csrf), ("reason", "cobro doble")],
            cookies: [desk])
        let location = try #require(cancelled.header("Location"))
        #expect(cancelled.status == 303 && location.hasSuffix("?done=cancelled"))
        let note = html(try fixture.page("GET", location, cookies: [desk]))
        #expect(note.contains("Nota de crédito \(fixture.own)-000002") && note.contains("cobro doble"))
        #expect(!note.contains("/cancel\""), "a credit note is not cancelled")

        // The member: their own list and invoice, not the staff's pages.
        let mine = "portero_session=\(member.cookie)"
        let own = html(try fixture.page("GET", "/my/invoices", cookies: [mine]))
        #expect(own.contains(folio) && own.contains("href=\"/my/invoices\""))
        #expect(!own.contains("href=\"/invoices\""))
        #expect(html(try fixture.page("GET", "/my/invoices/\(id)", cookies: [mine])).contains("Cancelada por la nota"))
        #expect(try fixture.page("GET", "/invoices", cookies: [mine]).status == 403)
    }
}
