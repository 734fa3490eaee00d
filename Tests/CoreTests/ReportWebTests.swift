@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// The report pages in both languages: filters, charts and rows in words, the download links,
/// the call lists' pages, and no reports for the front desk.
@Suite struct ReportWebTests {
    @Test func everyReportPageReadsInBothLanguagesWithItsRowsAndDownloads() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let reception = try f.signIn(.reception, username: "recepcion")
        let plan = try f.plan("Mensual", as: root)
        let ana = try f.member("ana", as: reception, extra: #", "phone": "55 1234 5678""#)
        let sale = try ReportRouteTests.sell(
            f, #"{"user": \#(ana), "plan": \#(plan), "branch": \#(f.own), "paymentMethod": "card"}"#, as: reception)
        let (token, _) = try f.enrolDevice(as: root, at: f.other)
        let entry = ReportRouteTests.entry(
            f, user: ana, subscription: sale, branch: f.other, at: Timestamp(seconds: 1_800_000_000), seed: 9)
        #expect(try f.upload([entry], token: token).status == 200)
        let cookie = "portero_session=\(root.cookie)"
        let words: [(String, [String: [String]])] = [
            (
                "es",
                [
                    "/reports": ["Ventas de planes", "Socios que no vienen", "href=\"/reports/interbranch\""],
                    "/reports/sales?by=method&from=2027-01-01&to=2027-01-31": [
                        "Tarjeta", "Forma de pago", "<svg", "format=csv&amp;from=2027-01-01",
                    ],
                    "/reports/sales?by=month&from=2027-01-01&to=2027-01-31": ["ene 2027"],
                    "/reports/pos": ["Ventas de mostrador", "Nada que mostrar"],
                    "/reports/attendance?from=2027-01-01&to=2027-01-31": [
                        "Viernes 2:00 — 1", "La hora con más entradas: Viernes a las 2:00 (1).",
                    ],
                    "/reports/expiring?days=40": ["Renovaciones por llamar", "href=\"tel:5512345678\"", "Mensual"],
                    "/reports/absent?days=30": ["Socios que no vienen"],
                    "/reports/interbranch?from=2027-01-01&to=2027-01-31": ["Norte", "Centro", "Sucursal que vendió"],
                ]
            ),
            (
                "en",
                [
                    "/reports": ["Plan sales", "Members who stopped coming"],
                    "/reports/sales?by=method&from=2027-01-01&to=2027-01-31": ["Card", "Payment method"],
                    "/reports/attendance?from=2027-01-01&to=2027-01-31": ["The busiest hour: Friday at 2:00 (1)."],
                    "/reports/expiring?days=40": ["Renewals to call", "Days left"],
                    "/reports/interbranch?from=2027-01-01&to=2027-01-31": ["Branch that sold"],
                ]
            ),
        ]
        for (language, pages) in words {
            for (path, expected) in pages {
                let page = try f.page("GET", path, cookies: [cookie], headers: ["Accept-Language: \(language)"])
                #expect(page.status == 200, "\(path) in \(language)")
                let text = html(page)
                for word in expected { #expect(text.contains(word), "\(path) in \(language) shows \(word)") }
            }
        }
        let bad = try f.page("GET", "/reports/sales?from=2027-02-01&to=2027-01-01", cookies: [cookie])
        #expect(bad.status == 400 && html(bad).contains("role=\"alert\""))
        let desk = "portero_session=\(reception.cookie)"
        #expect(try f.page("GET", "/reports", cookies: [desk]).status == 403)
        #expect(try f.page("GET", "/reports/sales", cookies: [desk]).status == 403)
        #expect(!html(try f.page("GET", "/home", cookies: [desk])).contains("href=\"/reports\""))
        #expect(html(try f.page("GET", "/home", cookies: [cookie])).contains("href=\"/reports\""))
    }
}
