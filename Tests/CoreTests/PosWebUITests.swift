@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The point of sale's pages: the sale screen and its errors, the receipt, the cut and who may
/// close it, and the home page's flag for a shift left open past the branch's midnight.
@Suite struct PosWebUITests {
    @Test func aTicketIsRungUpOnTheSaleScreenAndItsErrorsShowBesideThePayments() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let cookie = "portero_session=\(reception.cookie)"
        let product = try fixture.posProduct("JABON", price: 4_500, stock: 4, as: admin)
        let shift = try fixture.openShift(try fixture.register("Caja Web", as: admin), as: reception)
        let screen = html(try fixture.page("GET", "/pos/shifts/\(shift)/sell", cookies: [cookie]))
        #expect(screen.contains("name=\"q-\(product)\"") && screen.contains("id=\"f-pay-cash\""))
        let short = try fixture.page(
            "POST", "/pos/shifts/\(shift)/sell",
            form: [("csrf", reception.csrf), ("q-\(product)", "2"), ("pay-cash", "50.00")], cookies: [cookie])
        #expect(short.status == 400)
        #expect(html(short).contains("id=\"payments-error\""), "the error beside the payments")
        #expect(html(short).contains("value=\"50.00\""), "what was typed stays")
        let sold = try fixture.page(
            "POST", "/pos/shifts/\(shift)/sell",
            form: [("csrf", reception.csrf), ("q-\(product)", "2"), ("pay-cash", "100"), ("pay-card", "")],
            cookies: [cookie])
        #expect(sold.status == 303)
        let receipt = try #require(sold.header("Location"))
        #expect(receipt.hasPrefix("/pos/sales/"))
        let page = html(try fixture.page("GET", receipt, cookies: [cookie]))
        #expect(page.contains("id=\"ticket-total\"") && page.contains("90.00") && page.contains("10.00"))
        #expect(page.contains("data-print") && page.contains("/static/pos.css"))
        #expect(!page.contains("/void\""), "Recepción neither voids nor refunds")
        let cut = html(try fixture.page("GET", "/pos/shifts/\(shift)", cookies: [cookie]))
        #expect(cut.contains("id=\"expected-cash\"") && !cut.contains("/close\""), "Recepción does not close")
        let managerCut = html(
            try fixture.page("GET", "/pos/shifts/\(shift)", cookies: ["portero_session=\(admin.cookie)"]))
        #expect(managerCut.contains("action=\"/pos/shifts/\(shift)/close\""))
        #expect(try fixture.stock(product, as: admin) == 2)
        let dashboard = html(try fixture.page("GET", "/dashboard", cookies: ["portero_session=\(admin.cookie)"]))
        #expect(dashboard.contains("Ventas de punto de venta") && dashboard.contains("90.00"), "beside subscriptions")
    }

    @Test func aShiftOpenPastMidnightIsFlaggedOnTheHomeOfTheBranchsManagers() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let shift = try fixture.openShift(try fixture.register("Caja Noche", as: admin), as: reception)
        let before = html(try fixture.page("GET", "/home", cookies: ["portero_session=\(admin.cookie)"]))
        #expect(!before.contains("overdue-shifts"), "opened today")
        fixture.advance(seconds: 86_400)
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let after = html(try fixture.page("GET", "/home", cookies: ["portero_session=\(manager.cookie)"]))
        #expect(after.contains("id=\"overdue-shifts\"") && after.contains("Caja Noche"))
        #expect(after.contains("href=\"/pos/shifts/\(shift)\""))
        let desk = try fixture.signIn(.reception, username: "recepcion2")
        let receptionHome = html(try fixture.page("GET", "/home", cookies: ["portero_session=\(desk.cookie)"]))
        #expect(!receptionHome.contains("overdue-shifts"), "only those who close cuts are told")
        let elsewhere = try fixture.signIn(.branchManager, username: "norte", branches: [fixture.other])
        let otherHome = html(try fixture.page("GET", "/home", cookies: ["portero_session=\(elsewhere.cookie)"]))
        #expect(!otherHome.contains("overdue-shifts"), "another branch's manager")
    }
}
