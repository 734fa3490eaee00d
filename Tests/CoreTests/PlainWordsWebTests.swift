@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The pages speak in words a new user reads: role names, one profile, a confirmation before a
/// deactivation, plans in words and as the reader may see them, devices and door commands,
/// the audit trail by name, a page for a wrong address, times with their zone.
@Suite struct PlainWordsWebTests {
    let english = ["Accept-Language: en"]

    @Test func rolesByNameOneProfileAndADeactivationIsConfirmedFirst() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let member = try f.member("ana", as: root)
        let cookie = "portero_session=\(root.cookie)"
        let page = html(try f.page("GET", "/members/\(member)", cookies: [cookie]))
        #expect(page.contains("<dt>Roles</dt><dd>Cliente</dd>"))
        #expect(page.contains("value=\"gerente_sucursal\"> Gerente de sucursal</label>"))
        #expect(!page.contains("> gerente_sucursal</label>") && !page.contains("<dd>cliente</dd>"))
        #expect(page.components(separatedBy: "<h2>Perfil</h2>").count == 2, "one Profile section")
        #expect(page.contains("<summary>Editar datos</summary>") && page.contains("<h2>Roles y sucursales</h2>"))
        let english = html(try f.page("GET", "/members/\(member)", cookies: [cookie], headers: english))
        #expect(english.contains("<dt>Roles</dt><dd>Member</dd>") && english.contains("> Front desk</label>"))
        #expect(english.contains("name=\"confirm\"") && english.contains("Yes, deactivate"))

        // Without the box ticked nothing changes and the page says why beside the box.
        let unticked = try f.page(
            "POST", "/members/\(member)/active", form: [("csrf", root.csrf), ("active", "false")], cookies: [cookie])
        #expect(unticked.status == 400 && html(unticked).contains("id=\"f-confirm-error\""))
        #expect(try Self.user(f, member, as: root)["active"] as? Bool == true)
        let ticked = try f.page(
            "POST", "/members/\(member)/active", form: [("csrf", root.csrf), ("active", "false"), ("confirm", "on")],
            cookies: [cookie])
        #expect(ticked.status == 303)
        #expect(try Self.user(f, member, as: root)["active"] as? Bool == false)
        let after = html(try f.page("GET", "/members/\(member)", cookies: [cookie]))
        #expect(after.contains("Desactivado: no puede entrar") && !after.contains("name=\"confirm\""))
        // Activating again needs no confirmation.
        let back = try f.page(
            "POST", "/members/\(member)/active", form: [("csrf", root.csrf), ("active", "true")], cookies: [cookie])
        #expect(back.status == 303)
        #expect(try Self.user(f, member, as: root)["active"] as? Bool == true)
    }

    @Test func plansReadInWordsAsTheReaderMaySeeThemAndTheEnrolFormOffersOnlyCoveringPlans() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let everywhere = try f.plan("Libre", as: root, extra: #", "visitsPerWeek": 3"#)
        let north = try f.plan("Solo Norte", as: root, extra: #", "branches": [\#(f.other)]"#)
        let centre = try f.plan(
            "Solo Centro", as: root, extra: #", "branches": [\#(f.own)], "windows": "mon-fri 06:00-12:00""#)
        let admin = try f.signIn(.administrator, username: "admin")
        let plans = html(try f.page("GET", "/plans", cookies: ["portero_session=\(admin.cookie)"]))
        #expect(plans.contains("<td>Todas las sucursales</td>"), "a plan without branches covers all")
        #expect(plans.contains("<td>y 1 más que no ves</td>"), "Norte is not this administrator's")
        #expect(!plans.contains("<td>Todas</td>"))
        #expect(plans.contains("<td>1 mes</td>") && plans.contains("<td>3 por semana</td>"))
        #expect(plans.contains("<td>lun-vie 06:00-12:00</td>") && !plans.contains("mon-fri"))
        #expect(plans.contains("<th scope=\"row\">Miércoles</th>") && plans.contains("name=\"windows-mon-from\""))
        #expect(plans.contains("Moneda (p. ej. MXN, USD)") && !plans.contains("ISO 4217"))
        let inEnglish = html(
            try f.page("GET", "/plans", cookies: ["portero_session=\(admin.cookie)"], headers: english))
        #expect(inEnglish.contains("<td>Mon-Fri 06:00-12:00</td>") && inEnglish.contains("<td>3 a week</td>"))

        let desk = try f.signIn(.reception, username: "laura")
        let member = try f.member("ana", as: root)
        let page = html(try f.page("GET", "/members/\(member)", cookies: ["portero_session=\(desk.cookie)"]))
        #expect(page.contains("value=\"\(everywhere)@\(f.own)\"") && page.contains("value=\"\(centre)@\(f.own)\""))
        #expect(!page.contains("value=\"\(north)@"), "no plan that does not cover the branch")
        #expect(!page.contains("@\(f.other)\""), "no branch the receptionist cannot sell at")
        let sold = try f.page(
            "POST", "/members/\(member)/enroll",
            form: [
                ("csrf", desk.csrf), ("offer", "\(centre)@\(f.own)"), ("payment", "paid"), ("paymentMethod", "cash"),
            ],
            cookies: ["portero_session=\(desk.cookie)"])
        #expect(sold.status == 303)
        let bought = try f.get("/api/v1/users/\(member)/subscriptions", as: root)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(bought.body)) as? [[String: Any]])
        #expect(list.count == 1 && list.first?["planName"] as? String == "Solo Centro")
    }

    @Test func thePlanGridSavesTheWeekAndTheTextAcceptsSpanishDayNames() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let plan = try f.plan("Mensual", as: root)
        let cookie = "portero_session=\(root.cookie)"
        var form: [(String, String)] = [
            ("csrf", root.csrf), ("plan", "\(plan)"), ("price-\(plan)", "599"), ("active", "on"),
            ("windows-\(plan)-grid", "1"),
        ]
        for day in ["mon", "tue", "wed", "thu", "fri"] {
            form += [("windows-\(plan)-\(day)-from", "06:00"), ("windows-\(plan)-\(day)-to", "16:00")]
        }
        form += [("windows-\(plan)-sat-from", "08:00"), ("windows-\(plan)-sat-to", "14:00")]
        #expect(try f.page("POST", "/plans/\(plan)", form: form, cookies: [cookie]).status == 303)
        let saved = try #require(
            try JSONSerialization.jsonObject(with: Data(try f.get("/api/v1/plans/\(plan)", as: root).body))
                as? [String: Any])
        let windows = try WeeklySchedule(parsing: try #require(saved["windows"] as? String))
        #expect(windows == (try WeeklySchedule(parsing: "mon-fri 06:00-16:00; sat 08:00-14:00")))
        let page = html(try f.page("GET", "/plans", cookies: [cookie]))
        #expect(page.contains("name=\"windows-\(plan)-sat-from\" value=\"08:00\""))
        #expect(page.contains("name=\"windows-\(plan)-sun-from\" value=\"\""))
        // Half a day is refused beside the grid, and what was typed stays.
        let half = form.filter { $0.0 != "windows-\(plan)-sat-to" }
        let refused = try f.page("POST", "/plans/\(plan)", form: half, cookies: [cookie])
        #expect(refused.status == 400 && html(refused).contains("id=\"windows-\(plan)-error\""))
        #expect(html(refused).contains("name=\"windows-\(plan)-sat-from\" value=\"08:00\""))
        #expect(
            WebRequest.apiDayNames("lun-vie 06:00-16:00; sáb 08:00-14:00") == "mon-fri 06:00-16:00; sat 08:00-14:00")
    }

    @Test func aDoorsScheduleIsEditedAsAWeekAndListedWithTheLanguagesDayNames() throws {
        let f = try APIFixture()
        let admin = try f.signIn(.administrator, username: "patricia")
        let cookie = "portero_session=\(admin.cookie)"
        let week: [(String, String)] =
            [("schedule-grid", "1"), ("schedule-sat-from", "08:00"), ("schedule-sat-to", "14:00")]
            + ["mon", "tue", "wed", "thu", "fri"].flatMap {
                [("schedule-\($0)-from", "06:00"), ("schedule-\($0)-to", "22:00")]
            }
        let added = try f.page(
            "POST", "/branches/\(f.own)/doors", form: WebUITests.doorForm(admin.csrf, [("id", "1")] + week),
            cookies: [cookie])
        #expect(added.status == 303)
        let doors = try #require(
            try JSONSerialization.jsonObject(with: Data(try f.get("/api/v1/branches/\(f.own)/doors", as: admin).body))
                as? [[String: Any]])
        let stored = try #require(doors.first?["schedule"] as? String)
        #expect(try WeeklySchedule(parsing: stored) == WeeklySchedule(parsing: "mon-fri 06:00-22:00; sat 08:00-14:00"))
        let listed = html(try f.page("GET", "/doors", cookies: [cookie], headers: english))
        #expect(listed.contains("<code>Mon-Fri 06:00-22:00; Sat 08:00-14:00</code>"))
        // A schedule to midnight does not fit a time field: it is edited as text, in the page's day names.
        let text = try f.page(
            "POST", "/branches/\(f.own)/doors/1",
            form: WebUITests.doorForm(admin.csrf, [("schedule", "lun-dom 06:00-24:00")]), cookies: [cookie])
        #expect(text.status == 303)
        let page = html(try f.page("GET", "/branches/\(f.own)/doors/1", cookies: [cookie]))
        #expect(page.contains("id=\"f-schedule\" name=\"schedule\" type=\"text\" value=\"todos los días 06:00-24:00\""))
        // What the page shows is what it takes back.
        let again = try f.page(
            "POST", "/branches/\(f.own)/doors/1",
            form: WebUITests.doorForm(admin.csrf, [("schedule", "todos los días 06:00-24:00")]), cookies: [cookie])
        #expect(again.status == 303)
    }

    @Test func devicesAndDoorCommandsInAManagersWords() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let cookie = "portero_session=\(root.cookie)"
        let created = try f.page(
            "POST", "/devices", form: [("csrf", root.csrf), ("name", "Torniquete"), ("branch", "\(f.own)")],
            cookies: [cookie])
        #expect(created.status == 200)
        let page = html(try f.page("GET", "/devices", cookies: [cookie], headers: english))
        #expect(page.contains("Events waiting to upload") && page.contains("Last heard from"))
        #expect(page.contains("<th scope=\"col\">Software version</th><th scope=\"col\">Actions</th>"))
        #expect(!page.contains("Outbox") && !page.contains("Replica age"))
        #expect(WebText(.es).ago(seconds: 180) == "hace 3 min" && WebText(.en).ago(seconds: 7200) == "2 h ago")

        let doors = html(try f.page("GET", "/doors", cookies: [cookie], headers: english))
        #expect(doors.contains("<button type=\"submit\" name=\"command\" value=\"unlock_once\">Unlock once</button>"))
        #expect(doors.contains("name=\"command\" value=\"lockdown\" class=\"danger\">Lock down</button>"))
        #expect(!doors.contains("id=\"b\(f.own)-command\""), "no select for the command")
        let sent = try f.page(
            "POST", "/branches/\(f.own)/commands",
            form: [
                ("csrf", root.csrf), ("door", ""), ("minutes", ""), ("reason", "simulacro"), ("command", "lockdown"),
            ],
            cookies: [cookie])
        #expect(sent.status == 303 && sent.header("Location") == "/doors?sent=1")
    }

    static func user(_ f: APIFixture, _ id: Int64, as caller: Caller) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(try f.get("/api/v1/users/\(id)", as: caller).body))
                as? [String: Any])
    }
}
