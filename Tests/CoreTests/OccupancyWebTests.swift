@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The occupancy pages: the live report with a bar per branch in both languages, a branch's
/// capacity form with its errors beside the field, and the chain's occupancy settings.
@Suite struct OccupancyWebTests {
    @Test func theReportShowsABarPerBranchWithTheTimeAndItsZone() throws {
        let f = try APIFixture()
        let admin = try f.signIn(.administrator, username: "admin")
        let root = try f.signIn(.superAdministrator, username: "root")
        let (token, _) = try f.enrolDevice(as: admin)
        let now = f.clock.now
        let events = [101, 102, 103].map {
            OccupancyRouteTests.passage($0, .entry, minutesAgo: 20, at: f.own, now: now)
        }
        #expect(try f.upload(events, token: token).status == 200)
        #expect(try f.put("/api/v1/branches/\(f.own)/occupancy", #"{"warn": 2, "limit": 3}"#, as: admin).status == 200)
        let cookie = "portero_session=\(root.cookie)"
        let spanish = html(try f.page("GET", "/reports/occupancy", cookies: [cookie]))
        #expect(spanish.contains("<h1>Ocupación en vivo</h1>") || spanish.contains("Ocupación en vivo"))
        #expect(spanish.contains("<svg") && spanish.contains("3 / 3") && spanish.contains("Lleno"))
        #expect(spanish.contains("Entradas y salidas") == false, "no exits at Centro: estimated")
        #expect(spanish.contains("Estimado por visita habitual"))
        #expect(spanish.contains("UTC-6"), "the time carries its zone")
        let english = html(try f.page("GET", "/reports/occupancy", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("Live occupancy") && english.contains("Full") && english.contains("no limit"))
        let reception = try f.signIn(.reception, username: "recepcion")
        let refused = try f.page("GET", "/reports/occupancy", cookies: ["portero_session=\(reception.cookie)"])
        #expect(refused.status == 403)
    }

    @Test func aBranchsCapacityIsSetWithErrorsBesideTheField() throws {
        let f = try APIFixture()
        let admin = try f.signIn(.administrator, username: "admin")
        let cookie = "portero_session=\(admin.cookie)"
        let path = "/branches/\(f.own)/occupancy"
        let branches = html(try f.page("GET", "/branches", cookies: [cookie]))
        #expect(branches.contains("href=\"/branches/\(f.own)/occupancy\""), "linked where the branch is edited")
        let form = html(try f.page("GET", path, cookies: [cookie]))
        #expect(form.contains("name=\"warn\"") && form.contains("name=\"limit\""))
        let wrong = try f.page(
            "POST", path, form: [("csrf", admin.csrf), ("warn", "80"), ("limit", "50")], cookies: [cookie])
        #expect(wrong.status == 400 && html(wrong).contains("id=\"f-warn-error\""))
        let saved = try f.page(
            "POST", path, form: [("csrf", admin.csrf), ("warn", "40"), ("limit", "50")], cookies: [cookie])
        #expect(saved.status == 303)
        let limits = try object(try f.get("/api/v1/branches/\(f.own)/occupancy", as: admin))
        #expect(limits["warn"] as? Int64 == 40 && limits["limit"] as? Int64 == 50)
        let reception = try f.signIn(.reception, username: "recepcion")
        let read = html(try f.page("GET", path, cookies: ["portero_session=\(reception.cookie)"]))
        #expect(!read.contains("name=\"limit\"") && read.contains("50"), "the desk reads, without a form")
    }

    @Test func theChainSettingsPageSetsWhetherCapacityRefuses() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let cookie = "portero_session=\(root.cookie)"
        let page = html(try f.page("GET", "/chain-settings", cookies: [cookie]))
        #expect(page.contains("name=\"occupancyRefuses\"") && page.contains("placeholder=\"90\""))
        var form: [(String, String)] = [
            ("csrf", root.csrf), ("currency", "MXN"), ("paymentGraceDays", "3"), ("taxRateBasisPoints", "1600"),
            ("legalName", ""), ("taxID", ""), ("fiscalAddress", ""), ("occupancyRefuses", "true"),
            ("usualVisitMinutes", "5"), ("journalRetentionDays", "400"),
        ]
        let refused = try f.page("POST", "/chain-settings", form: form, cookies: [cookie])
        #expect(refused.status == 400)
        #expect(html(refused).contains("class=\"field invalid\"><label for=\"f-usualVisitMinutes\""))
        form[8] = ("usualVisitMinutes", "75")
        #expect(try f.page("POST", "/chain-settings", form: form, cookies: [cookie]).status == 303)
        let settings = try object(try f.get("/api/v1/settings", as: root))
        #expect(settings["occupancyRefuses"] as? Bool == true && settings["usualVisitMinutes"] as? Int == 75)
        #expect(settings["journalRetentionDays"] as? Int == 400)
        let english = html(try f.page("GET", "/chain-settings", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("<option value=\"true\" selected>Refuse entries (branch.full)</option>"))
    }
}
