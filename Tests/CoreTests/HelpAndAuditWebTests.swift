@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Crypto
import Foundation
import HTTP
import PorteroModel
import TestSupport
import Testing

/// The user manual in both languages, the audit trail by name with filters and pages, the page
/// for a wrong address, times with their zone, and bar labels that never touch.
@Suite struct HelpAndAuditWebTests {
    @Test func theManualAnswersInBothLanguagesAndEveryLinkResolves() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let cookie = "portero_session=\(root.cookie)"
        for (language, title, chapter) in [
            ("es", "Manual de usuario", "Recepción"), ("en", "User manual", "Front desk"),
        ] {
            let headers = ["Accept-Language: \(language)"]
            let index = try f.page("GET", "/help", cookies: [cookie], headers: headers)
            #expect(index.status == 200 && html(index).contains("<h1>\(title)</h1>"))
            #expect(html(index).contains("<a href=\"/help/front-desk\">\(chapter)</a>"))
            let home = html(try f.page("GET", "/home", cookies: [cookie], headers: headers))
            #expect(home.contains("<a href=\"/help\">\(language == "es" ? "Ayuda" : "Help")</a>"), "linked from pages")
            for topic in HelpTopic.all {
                let page = try f.page("GET", "/help/\(topic.slug)", cookies: [cookie], headers: headers)
                #expect(page.status == 200, "\(topic.slug) in \(language)")
                let text = html(page)
                #expect(text.contains(language == "es" ? topic.title.es : topic.title.en))
                #expect(text.contains("lang=\"\(language)\""))
                for task in topic.tasks {
                    #expect(text.contains("<a href=\"\(task.page)\">"))
                    let target = try f.page("GET", task.page, cookies: [cookie], headers: headers)
                    #expect(target.status == 200, "\(task.page) from \(topic.slug) answers")
                }
            }
        }
        #expect(try f.page("GET", "/help/nothing", cookies: [cookie]).status == 404)
        // A member has no manual (the matrix gives it to staff).
        let member = try f.signIn(.client, username: "socia")
        let refused = try f.page("GET", "/help", cookies: ["portero_session=\(member.cookie)"])
        #expect(refused.status == 403)
        #expect(
            !html(try f.page("GET", "/settings", cookies: ["portero_session=\(member.cookie)"])).contains(
                "href=\"/help\""))
    }

    @Test func browsersGetAPageForAWrongAddressAndTheAPIKeepsJSON() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let browser = ["Accept: text/html,application/xhtml+xml", "Accept-Language: en"]
        let page = try f.page("GET", "/no/such/page", cookies: ["portero_session=\(root.cookie)"], headers: browser)
        #expect(page.status == 404 && page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(html(page).contains("<h1>There is no such page</h1>") && html(page).contains("/no/such/page"))
        #expect(html(page).contains("id=\"profile-link\""), "signed in: the navigation too")
        #expect(page.header("Content-Security-Policy") != nil)
        let signedOut = try f.page("GET", "/nothing-here", headers: ["Accept: text/html"])
        #expect(signedOut.status == 404 && html(signedOut).contains("No existe esa página"))
        let api = try f.page("GET", "/api/v1/nothing", headers: browser)
        #expect(api.status == 404 && api.header("Content-Type")?.hasPrefix("application/json") == true)
        let script = try f.page("GET", "/no/such/page")
        #expect(script.status == 404 && script.header("Content-Type")?.hasPrefix("application/json") == true)
    }

    @Test func theProfileLinkSaysItIsTheProfile() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let page = html(try f.page("GET", "/home", cookies: ["portero_session=\(root.cookie)"]))
        #expect(page.contains("title=\"Mi perfil: root\">"))
        #expect(page.contains("Mi perfil · root</a>"))
    }

    @Test func theAuditTrailShowsNamesWordsAddressesFiltersAndPages() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let cookie = "portero_session=\(root.cookie)"
        for index in 1...55 { _ = try f.member("socio\(index)", as: root) }
        _ = try f.plan("Mensual", as: root)
        let first = html(try f.page("GET", "/audit", cookies: [cookie]))
        #expect(first.contains("<td>root X</td>") && !first.contains("<td>user:\(root.id.rawValue)</td>"))
        #expect(first.contains("<td>Creó un plan</td>") && first.contains("<td>Dio de alta a una persona</td>"))
        #expect(first.contains("<td>Nombre socio55 Pérez</td>"), "the person a row is about, by name")
        #expect(first.contains("rel=\"next\"") && first.contains("Página 1"))
        let next = try #require(
            first.range(of: #"href="(/audit\?before=[0-9]+&amp;page=2)" rel="next""#, options: .regularExpression)
        ).lowerBound
        let href = String(first[next...].dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(
            of: "&amp;", with: "&")
        let second = html(try f.page("GET", href, cookies: [cookie]))
        #expect(second.contains("Página 2") && second.contains("rel=\"prev\""))
        #expect(!second.contains("<td>Nombre socio55 Pérez</td>"), "the newest rows were on the first page")
        let plans = html(try f.page("GET", "/audit?action=plan.create", cookies: [cookie]))
        #expect(plans.contains("<td>Creó un plan</td>") && !plans.contains("<td>Dio de alta a una persona</td>"))
        let nobody = html(try f.page("GET", "/audit?who=zz-nadie", cookies: [cookie]))
        #expect(nobody.contains("Ninguna anotación con esos filtros."))
        // A row about the other branch shows under its filter and not under another branch's
        // (rows about the whole chain, such as a plan, show under every branch).
        let branchRow = try f.post(
            "/api/v1/branches/\(f.other)/doors", #"{"name": "Puerta Norte"}"#, as: root)
        #expect(branchRow.status == 201)
        let north = html(try f.page("GET", "/audit?branch=\(f.other)", cookies: [cookie]))
        #expect(north.contains("<td>Agregó una puerta</td>"))
        #expect(north.contains("<option value=\"\(f.other)\" selected>Norte</option>"))
        let centre = html(try f.page("GET", "/audit?branch=\(f.own)", cookies: [cookie]))
        #expect(!centre.contains("<td>Agregó una puerta</td>"))
        let future = html(try f.page("GET", "/audit?from=2099-01-01", cookies: [cookie]))
        #expect(future.contains("Ninguna anotación con esos filtros."))
        let english = html(
            try f.page("GET", "/audit?action=plan.create", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("<td>Created a plan</td>") && english.contains("<th scope=\"col\">Address</th>"))
        #expect(WebText(.en).auditAction("thing.done_now") == "Thing done now", "a readable fallback")
        #expect(try f.page("GET", "/audit?before=abc", cookies: [cookie]).status == 400)
    }

    @Test func theAuditFiltersReachRowsOlderThanTheNewestThousand() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        _ = try f.plan("Antiguo", as: root)
        // 1,200 newer rows bury the plan's.
        try f.api.withDatabase { database in
            for index in 0..<1_200 {
                _ = try database.audit.append(
                    actor: "system", action: "device.code", target: "device:\(index)", changes: "{}",
                    at: Timestamp(seconds: 1_800_000_000))
            }
        }
        let cookie = "portero_session=\(root.cookie)"
        let plans = html(try f.page("GET", "/audit?action=plan.create", cookies: [cookie]))
        #expect(plans.contains("<td>Creó un plan</td>"))
        let byName = try object(try f.get("/api/v1/audit?who=root&limit=1000", as: root))
        let actions = (byName["entries"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
        #expect(actions.contains("plan.create") && !actions.contains("device.code"), "by the actor's name")
        #expect(try f.get("/api/v1/audit?from=2027-02-01&to=2027-01-01", as: root).status == 200, "an empty range")
    }

    @Test func theDemoSpreadsNewMembersOverThePastYear() throws {
        let directory = try TemporaryDirectory()
        let api = try CoreAPI(path: directory.file("core.sqlite"), hasher: PasswordHasher(logN: 8, r: 8, p: 1))
        defer { api.stopWaiting() }
        let months = try api.withDatabase { database in
            _ = try DemoChain.seed(database, members: 120, now: Timestamp(milliseconds: 1_796_320_800_000))
            return try database.dashboard.newCustomersPerMonth(nil, year: 2026)
        }
        #expect(months.count == 12 && months.allSatisfy { $0.count > 0 }, "\(months)")
        let december = months.last?.count ?? 0
        #expect(months.dropLast().allSatisfy { $0.count * 10 > december }, "no month a tenth of December: \(months)")
    }

    @Test func timesCarryTheirZone() {
        let instant = Timestamp(milliseconds: 1_800_000_000_000)
        #expect(WebText(.es).time(instant, zone: "America/Mexico_City").hasSuffix(" UTC-6"))
        #expect(WebText(.en).time(instant, zone: "UTC").hasSuffix(" UTC"))
        #expect(WebText.zoneLabel("Asia/Kolkata", at: instant) == "UTC+5:30")
        // The demo's console: each swipe at the branch's local time, to the second, with the offset.
        let noon = Timestamp(milliseconds: 1_796_320_807_000)
        #expect(ZoneCache.rules("America/Mexico_City").clockLabel(at: noon) == "12:00:07 UTC-6")
    }

    @Test func barLabelsNeverTouch() {
        let months = WebText(.es)
        let bars = (1...12).map { (label: months.month("2026-\($0 < 10 ? "0" : "")\($0)"), value: 12_345 * $0) }
        let step = WebCharts.barStep(bars)
        let widest =
            bars.map { bar in
                max(
                    Double(bar.label.split(separator: " ").map(\.count).max() ?? 0) * 9 * 0.62,
                    Double(String(bar.value).count) * 10 * 0.62)
            }.max() ?? 0
        #expect(Double(step) >= widest + 4)
        let svg = WebCharts.bars(title: "x", bars: bars, id: "m").text
        #expect(svg.contains("<tspan x=\"") && svg.contains(">2026</tspan>"), "the year on a line of its own")
    }
}
