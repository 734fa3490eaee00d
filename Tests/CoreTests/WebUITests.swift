@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import TestSupport
import Testing

extension APIFixture {
    /// A browser's request to a web page: cookies, an optional form body, extra headers.
    func page(
        _ method: String, _ target: String, form: [(String, String)]? = nil, cookies: [String] = [],
        headers: [String] = []
    ) throws -> HTTPResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: core\r\n"
        if !cookies.isEmpty { text += "Cookie: \(cookies.joined(separator: "; "))\r\n" }
        for header in headers { text += header + "\r\n" }
        var body = ""
        if let form {
            body = form.map { "\(WebRequest.percentEncode($0.0))=\(WebRequest.percentEncode($0.1))" }.joined(
                separator: "&")
            text += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        text += "\r\n" + body
        var decoder = HTTPRequestDecoder(
            limits: {
                var limits = HTTPLimits()
                limits.bodyBytes = 1 << 20
                return limits
            }())
        decoder.append(Array(text.utf8))
        return router.respond(to: try #require(try decoder.next()))
    }
}

func html(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

@Suite struct WebUITests {
    @Test func valuesAreEscapedByConstruction() {
        let name = "<script>alert('x')</script> & \"co\""
        let piece: HTML = "<p title=\"\(name)\">\(name)</p>"
        #expect(
            piece.text
                == "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;\">"
                + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</p>"
        )
        let inner: HTML = "<i>ok</i>"
        let trusted: HTML = "<b>\(inner)</b>"
        #expect(trusted.text == "<b><i>ok</i></b>")
    }

    @Test func signInWithTheFormsTokenThenBackToThePageAsked() throws {
        let fixture = try APIFixture()
        _ = try fixture.signIn(.reception, username: "laura")
        // Signed out, a page sends to the login and remembers where it was going.
        let away = try fixture.page("GET", "/members?q=Ana")
        #expect(away.status == 303 && away.header("Location") == "/login?next=/members%3Fq%3DAna")
        let form = try fixture.page("GET", "/login?next=/members%3Fq%3DAna")
        #expect(form.status == 200)
        // portero_login=…
        let token = try #require(form.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let value = String(token.split(separator: "=")[1])
        #expect(html(form).contains("value=\"\(value)\""))
        #expect(form.header("Content-Security-Policy")?.contains("script-src 'self'") == true)

        // Without the form's token nothing happens; with it, the session cookie and the page asked for.
        let forged = try fixture.page(
            "POST", "/login", form: [("csrf", "guess"), ("login", "laura"), ("password", "Secreto123")],
            cookies: [token])
        #expect(forged.status == 403 && forged.header("Set-Cookie")?.hasPrefix("portero_session") != true)
        let wrong = try fixture.page(
            "POST", "/login", form: [("csrf", value), ("login", "laura"), ("password", "nope"), ("next", "/members")],
            cookies: [token])
        #expect(wrong.status == 401 && html(wrong).contains("value=\"laura\""))
        let signedIn = try fixture.page(
            "POST", "/login",
            form: [("csrf", value), ("login", "laura"), ("password", "Secreto123"), ("next", "/members?q=Ana")],
            cookies: [token])
        #expect(signedIn.status == 303 && signedIn.header("Location") == "/members?q=Ana")
        #expect(
            signedIn.headers.contains {
                $0.name == "Set-Cookie" && $0.value.hasPrefix("portero_session=") && $0.value.contains("HttpOnly")
            })

    }

    /// After signing in, `next` leads only to a path on this site: percent-decoded, it has no
    /// control character, no backslash and does not begin with two slashes; anything else goes home.
    @Test func nextLeadsOnlyToAPathOnThisSite() throws {
        let fixture = try APIFixture()
        let laura = try fixture.signIn(.reception, username: "laura")
        let table: [(next: String, goes: String)] = [
            ("//evil.example", "/"), ("//evil.example/x", "/"), ("/\\evil", "/"), ("/\\evil.example", "/"),
            ("%2F%2Fevil", "/"), ("/%2F/evil", "/"), ("/%5Cevil", "/"), ("/%255Cevil", "/"), ("/ok%0d%0aX:1", "/"),
            ("/ok\r\nX:1", "/"), ("/\t/evil.example", "/"), ("/ok%09", "/"), ("/ok%7F", "/"), ("https://evil", "/"),
            ("https://evil.example/", "/"), ("evil.example", "/"), ("", "/"), ("/%E0%A4%A", "/"),
            ("/members/3?tab=x", "/members/3?tab=x"), ("/home", "/home"),
            ("/members?q=Ana%20Mar%C3%ADa", "/members?q=Ana%20Mar%C3%ADa"),
        ]
        for (next, goes) in table {
            #expect(WebUI.safeNext(next) == goes, "\(next)")
            // Signed in, the login page sends on at once (the browser percent-encodes the query).
            let signedIn = try fixture.page(
                "GET", "/login?next=\(WebRequest.percentEncode(next))", cookies: ["portero_session=\(laura.cookie)"])
            #expect(signedIn.status == 303 && signedIn.header("Location") == goes, "\(next)")
        }
        // The form's hidden field carries only a safe value, and the sign-in follows it.
        let form = try fixture.page("GET", "/login?next=%2F%2Fevil")
        #expect(html(form).contains("name=\"next\" value=\"/\""))
        let token = try #require(form.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let posted = try fixture.page(
            "POST", "/login",
            form: [
                ("csrf", String(token.split(separator: "=")[1])), ("login", "laura"), ("password", "Secreto123"),
                ("next", "/%5Cevil"),
            ], cookies: [token])
        #expect(posted.status == 303 && posted.header("Location") == "/")
    }

    @Test func anExpiredSessionGoesToTheLoginAndSaysSo() throws {
        let fixture = try APIFixture()
        let laura = try fixture.signIn(.reception, username: "laura")
        #expect(try fixture.page("GET", "/home", cookies: ["portero_session=\(laura.cookie)"]).status == 200)
        fixture.advance(seconds: 13 * 3600)  // past the absolute expiry
        let expired = try fixture.page("GET", "/home", cookies: ["portero_session=\(laura.cookie)"])
        #expect(expired.status == 303 && expired.header("Location") == "/login?next=/home&expired=1")
        #expect(html(try fixture.page("GET", "/login?next=/home&expired=1")).contains("sesión terminó"))
    }

    @Test func formsNeedTheSessionsTokenAndShowErrorsBesideTheFieldKeepingWhatWasTyped() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "root")
        let member = try fixture.member("ana", as: admin)
        let cookie = "portero_session=\(admin.cookie)"
        let noToken = try fixture.page(
            "POST", "/members/\(member)/checkin", form: [("branch", "\(fixture.own)"), ("reason", "forgot card")],
            cookies: [cookie])
        #expect(noToken.status == 403)
        let tooShort = try fixture.page(
            "POST", "/members/\(member)/checkin",
            form: [("csrf", admin.csrf), ("branch", "\(fixture.own)"), ("reason", "x")], cookies: [cookie])
        #expect(tooShort.status == 400)
        #expect(html(tooShort).contains("class=\"field invalid\"><label for=\"f-reason\""))
        #expect(html(tooShort).contains("id=\"f-reason\" name=\"reason\" type=\"text\" value=\"x\""))
        let done = try fixture.page(
            "POST", "/members/\(member)/checkin",
            form: [("csrf", admin.csrf), ("branch", "\(fixture.own)"), ("reason", "forgot card")], cookies: [cookie])
        #expect(done.status == 303 && done.header("Location") == "/members/\(member)?done=checkin")
        let rows = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try fixture.get("/api/v1/users/\(member)/attendance", as: admin).body)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["reason"] as? String == "granted.manual")
    }

    @Test func staffEditEverySeed003FieldRolesBranchesAndActivation() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "root")
        let member = try fixture.member("ana", as: admin)
        let cookie = "portero_session=\(admin.cookie)"
        var form: [(String, String)] = [
            ("csrf", admin.csrf), ("clave", "77"), ("name", "Ana"), ("paternalSurname", "López"),
            ("maternalSurname", "Ruiz"),
            ("email", "ana@correo.mx"), ("alternateEmail", ""), ("phone", "letters!"), ("gender", "female"),
            ("birthDate", "1990-05-01"), ("joinDate", ""), ("agreement", "0"), ("notes", "VIP"), ("followUp", "on"),
        ]
        let refused = try fixture.page("POST", "/members/\(member)/profile", form: form, cookies: [cookie])
        #expect(refused.status == 400)
        #expect(
            html(refused).contains(
                "id=\"f-phone\" name=\"phone\" type=\"tel\" value=\"letters!\" aria-invalid=\"true\""))
        #expect(html(refused).contains("value=\"Ruiz\""))
        form[7] = ("phone", "55 1234 5678")
        #expect(try fixture.page("POST", "/members/\(member)/profile", form: form, cookies: [cookie]).status == 303)
        let saved = try #require(
            try JSONSerialization.jsonObject(with: Data(try fixture.get("/api/v1/users/\(member)", as: admin).body))
                as? [String: Any])
        #expect(
            saved["clave"] as? Int == 77 && saved["phone"] as? String == "55 1234 5678"
                && saved["followUp"] as? Bool == true && saved["birthDate"] as? String == "1990-05-01")
        let access = try fixture.page(
            "POST", "/members/\(member)/access",
            form: [
                ("csrf", admin.csrf), ("roles", "cliente"), ("roles", "recepcion"),
                ("branches", "\(fixture.own)"), ("branches", "\(fixture.other)"),
            ], cookies: [cookie])
        #expect(access.status == 303)
        let off = try fixture.page(
            "POST", "/members/\(member)/active", form: [("csrf", admin.csrf), ("active", "false"), ("confirm", "on")],
            cookies: [cookie])
        #expect(off.status == 303)
        let after = try #require(
            try JSONSerialization.jsonObject(with: Data(try fixture.get("/api/v1/users/\(member)", as: admin).body))
                as? [String: Any])
        #expect(
            Set(after["roles"] as? [String] ?? []) == ["cliente", "recepcion"]
                && (after["branches"] as? [Int])?.count == 2 && after["active"] as? Bool == false)
    }

    @Test func administratorsEditPlansAndBranches() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let plan = try fixture.plan("Mensual", as: root)
        let cookie = "portero_session=\(root.cookie)"
        let bad = try fixture.page(
            "POST", "/plans/\(plan)",
            form: [
                ("csrf", root.csrf), ("plan", "\(plan)"), ("price-\(plan)", "cheap"), ("windows-\(plan)", ""),
                ("active", "on"),
            ], cookies: [cookie])
        #expect(bad.status == 400 && html(bad).contains("value=\"cheap\" aria-invalid=\"true\""))
        let changed = try fixture.page(
            "POST", "/plans/\(plan)",
            form: [
                ("csrf", root.csrf), ("plan", "\(plan)"), ("price-\(plan)", "649.50"),
                ("windows-\(plan)", "mon-fri 06:00-12:00"), ("active", "on"),
            ], cookies: [cookie])
        #expect(changed.status == 303)
        let saved = try object(try fixture.get("/api/v1/plans/\(plan)", as: root))
        #expect(
            (saved["price"] as? [String: Any])?["minorUnits"] as? Int == 64_950 && (saved["version"] as? Int ?? 0) > 1
                && saved["windows"] as? String != nil)
        let zone = try fixture.page(
            "POST", "/branches/\(fixture.own)",
            form: [
                ("csrf", root.csrf), ("name-\(fixture.own)", "Centro Histórico"), ("city-\(fixture.own)", "CDMX"),
                ("timeZone-\(fixture.own)", "Mars/Olympus"), ("active", "on"),
            ], cookies: [cookie])
        #expect(
            zone.status == 400 && html(zone).contains("value=\"Mars/Olympus\" required aria-invalid=\"true\""),
            "\(html(zone))")
        let renamed = try fixture.page(
            "POST", "/branches/\(fixture.own)",
            form: [
                ("csrf", root.csrf), ("name-\(fixture.own)", "Centro Histórico"), ("city-\(fixture.own)", "CDMX"),
                ("timeZone-\(fixture.own)", "America/Mexico_City"), ("active", "on"),
            ], cookies: [cookie])
        #expect(renamed.status == 303)
        #expect(
            try object(try fixture.get("/api/v1/branches/\(fixture.own)", as: root))["name"] as? String
                == "Centro Histórico")
    }

    @Test func aMembersNameIsShownEscapedAndPrivilegesShapeThePages() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "root")
        let member = try fixture.member(
            "evil", as: admin, extra: #", "maternalSurname": "<img src=x onerror=alert(1)>""#)
        let page = html(try fixture.page("GET", "/members/\(member)", cookies: ["portero_session=\(admin.cookie)"]))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img src=x"))
        let laura = try fixture.signIn(.reception, username: "laura")
        let audit = try fixture.page("GET", "/audit", cookies: ["portero_session=\(laura.cookie)"])
        #expect(audit.status == 403)
        #expect(
            !html(try fixture.page("GET", "/home", cookies: ["portero_session=\(laura.cookie)"])).contains(
                "href=\"/audit\""))
        let trail = try fixture.page("GET", "/audit", cookies: ["portero_session=\(admin.cookie)"])
        #expect(trail.status == 200 && html(trail).contains("class=\"ok\""))
    }

    @Test func theLanguageIsTheUsersChoiceElseTheBrowsers() throws {
        let fixture = try APIFixture()
        let laura = try fixture.signIn(.reception, username: "laura")
        let cookie = "portero_session=\(laura.cookie)"
        #expect(
            html(
                try fixture.page(
                    "GET", "/home", cookies: [cookie], headers: ["Accept-Language: en-US,en;q=0.9,es;q=0.5"])
            ).contains("<html lang=\"en\">"))
        #expect(
            html(try fixture.page("GET", "/home", cookies: [cookie], headers: ["Accept-Language: fr-FR, es;q=0.4"]))
                .contains("<html lang=\"es\">"))
        let chosen = try fixture.page(
            "POST", "/settings/language", form: [("csrf", laura.csrf), ("language", "es")], cookies: [cookie])
        #expect(chosen.status == 303)
        #expect(
            html(try fixture.page("GET", "/home", cookies: [cookie], headers: ["Accept-Language: en-US"])).contains(
                "<html lang=\"es\">"))
        #expect(WebLanguage.preferred(acceptLanguage: "de;q=1, en;q=0.2, es;q=0.8") == .es)
        #expect(WebText(.en).money(minor: 59_900, currency: "MXN").contains("599.00"))
        #expect(WebText(.es).day(LocalDay(year: 2026, month: 11, day: 23)!) == "23 nov 2026")  // safe: a valid date
    }

    @Test func theLiveViewAnswersNewRowsAsEventsAndWaitsWhenThereAreNone() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "root")
        let member = try fixture.member("ana", as: admin)
        let cookie = "portero_session=\(admin.cookie)"
        #expect(try fixture.page("GET", "/live/events?after=nonsense", cookies: [cookie]).status == 400)
        // Signed out, the stream is refused outright (no login page for an EventSource); the page then reloads itself.
        #expect(try fixture.page("GET", "/live/events?after=nonsense").status == 401)
        let start = "\(fixture.clock.now.milliseconds - 1)~00000000-0000-0000-0000-000000000000"
        // Nothing yet: the answer waits (a long poll), and comes when a check-in is written.
        let waiting = try fixture.page("GET", "/live/events?after=\(start)", cookies: [cookie])
        let deferred = try #require(waiting.deferred)
        let answered = DispatchSemaphore(value: 0)
        deferred.whenComplete { _ in answered.signal() }
        let done = try fixture.page(
            "POST", "/members/\(member)/checkin",
            form: [("csrf", admin.csrf), ("branch", "\(fixture.own)"), ("reason", "forgot card")], cookies: [cookie])
        #expect(done.status == 303)
        #expect(answered.wait(timeout: .now() + 5) == .success)
        // Asked again after that cursor, the row comes at once as an event with its id.
        let events = try fixture.page("GET", "/live/events", cookies: [cookie], headers: ["Last-Event-ID: \(start)"])
        #expect(events.status == 200 && events.header("Content-Type")?.hasPrefix("text/event-stream") == true)
        let stream = html(events)
        #expect(stream.contains("event: attendance\ndata: <li class=\"granted\">") && stream.contains("id: "))
        #expect(stream.contains("Nombre ana"))
    }

    @Test func theDashboardDrawsItsChartsWithLabels() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "root")
        let member = try fixture.member("ana", as: admin)
        let plan = try fixture.plan("Mensual", as: admin)
        #expect(
            try fixture.post(
                "/api/v1/subscriptions", #"{"user": \#(member), "plan": \#(plan), "branch": \#(fixture.own)}"#,
                as: admin
            ).status == 201)
        let page = html(try fixture.page("GET", "/dashboard", cookies: ["portero_session=\(admin.cookie)"]))
        #expect(page.components(separatedBy: "<figure class=\"chart").count - 1 == 4)
        #expect(
            page.contains("<desc id=\"plans-desc\">Mensual: $599.00</desc>")
                || page.contains("<desc id=\"plans-desc\">Mensual: MX$599.00</desc>"))
        let bad = try fixture.page("GET", "/dashboard?from=2026-13-01", cookies: ["portero_session=\(admin.cookie)"])
        #expect(bad.status == 400 && html(bad).contains("class=\"error\""))
    }

    static let zbar = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// The QR code is read back by an independent decoder (zbar), for lengths across versions.
    @Test(
        .enabled(if: zbar != nil),
        arguments: [
            "otpauth://totp/Portero:laura?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Portero",
            "hola", String(repeating: "0123456789", count: 20),
        ])
    func theQRCodeReadsBack(text: String) throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("code.pgm")
        try Data(try QRCode(text: text).pgm()).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.zbar!)  // safe: enabled only when found
        process.arguments = ["--quiet", "--raw", file]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let read = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: read, as: UTF8.self).trimmingCharacters(in: .newlines) == text)
        #expect(throws: QRCode.TooLong.self) { try QRCode(text: String(repeating: "x", count: 300)) }
    }
}

/// The doors page, a door's page and a branch's calendar.
extension WebUITests {
    /// The door form as a browser sends it (an unchecked box sends nothing).
    static func doorForm(_ csrf: String, _ fields: [(String, String)]) -> [(String, String)] {
        var form: [(String, String)] = [
            ("csrf", csrf), ("name", "Entrada"), ("kind", "turnstile"), ("direction", "both"), ("mode", "normal"),
            ("schedule", ""), ("reentryDelaySeconds", ""), ("presenceExpirySeconds", "43200"),
        ]
        for (name, value) in fields {
            form.removeAll { $0.0 == name }
            form.append((name, value))
        }
        return form
    }

    @Test func anAdministratorAddsADoorEditsItsScheduleSeesItListedAndRemovesIt() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "patricia")
        let cookie = "portero_session=\(admin.cookie)"
        let own = fixture.own
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let (token, _) = try fixture.enrolDevice(as: root)
        let report = #"""
            {"doorModes": [{"door": 1, "name": "Entrada", "mode": "lockdown", "by": "Ana L"},
              {"door": 2, "name": "Lateral", "mode": "normal"}]}
            """#
        #expect(try fixture.bearer("POST", "/api/v1/device/report", token, body: report).status == 204)
        let before = html(try fixture.page("GET", "/doors", cookies: [cookie]))
        #expect(before.contains("action=\"/branches/\(own)/doors\"") && before.contains("id=\"b\(own)-name\""))
        #expect(before.contains("href=\"/branches/\(own)/calendar\""))
        #expect(!before.contains("action=\"/branches/\(fixture.other)/doors\""), "not a branch of hers")
        #expect(before.components(separatedBy: "Sin definir en la central").count - 1 == 2)
        // One form per branch: the ids carry the branch.
        #expect(before.contains("id=\"b\(own)-door\"") && !before.contains("id=\"f-door\""))

        let added = try fixture.page(
            "POST", "/branches/\(own)/doors",
            form: Self.doorForm(
                admin.csrf,
                [("id", "1"), ("direction", "in"), ("schedule", "mon-fri 06:00-22:00"), ("cardAndPin", "on")]),
            cookies: [cookie])
        #expect(added.status == 303 && added.header("Location") == "/doors?done=added#branch-\(own)")
        let page = html(try fixture.page("GET", "/branches/\(own)/doors/1", cookies: [cookie]))
        // The core keeps a schedule in its own spelling: days listed one by one.
        let weekdays = "mon-fri 06:00-22:00"
        #expect(page.contains("name=\"schedule-fri-from\" value=\"06:00\"") && page.contains("id=\"f-schedule-week\""))
        #expect(page.contains("name=\"schedule-sat-from\" value=\"\""), "the weekly grid, Saturday empty")
        #expect(page.contains("<option value=\"in\" selected>") && page.contains("name=\"cardAndPin\" checked"))
        #expect(!page.contains("name=\"antiPassback\" checked"))
        let saved = try fixture.page(
            "POST", "/branches/\(own)/doors/1",
            form: Self.doorForm(
                admin.csrf,
                [("direction", "in"), ("schedule", "mon-fri 06:00-22:00; sat 08:00-14:00"), ("cardAndPin", "on")]),
            cookies: [cookie])
        #expect(saved.status == 303 && saved.header("Location") == "/doors?done=saved#branch-\(own)")
        let doors = try objects(try fixture.get("/api/v1/branches/\(own)/doors", as: admin))
        #expect(doors.count == 1)
        #expect(doors.first?["schedule"] as? String == "\(weekdays); sat 08:00-14:00")
        #expect(doors.first?["direction"] as? String == "in" && doors.first?["cardAndPin"] as? Bool == true)
        #expect(doors.first?["antiPassback"] as? Bool == false && doors.first?["reentryDelaySeconds"] == nil)

        let listed = html(try fixture.page("GET", "/doors?done=saved", cookies: [cookie]))
        #expect(listed.contains("Puerta guardada"))
        #expect(listed.contains("<code>lun-vie 06:00-22:00; sáb 08:00-14:00</code>") && listed.contains("Solo entrada"))
        #expect(listed.contains("Bloqueada (Ana L)"), "the mode its controller reported")
        #expect(listed.contains("href=\"/branches/\(own)/doors/1\""))
        #expect(listed.components(separatedBy: "Sin definir en la central").count - 1 == 1, "door 2 only")
        // Who manages every branch has a form for each, and no id is repeated.
        let every = html(try fixture.page("GET", "/doors", cookies: ["portero_session=\(root.cookie)"]))
        #expect(every.contains("action=\"/branches/\(fixture.other)/doors\""))
        let ids = every.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(ids.count > 20 && Set(ids).count == ids.count, "\(ids)")

        let ask = html(try fixture.page("GET", "/branches/\(own)/doors/1/remove", cookies: [cookie]))
        #expect(ask.contains("action=\"/branches/\(own)/doors/1/remove\"") && ask.contains("¿Quitar esta puerta?"))
        let removed = try fixture.page(
            "POST", "/branches/\(own)/doors/1/remove", form: [("csrf", admin.csrf)], cookies: [cookie])
        #expect(removed.status == 303 && removed.header("Location") == "/doors?done=removed#branch-\(own)")
        #expect(try objects(try fixture.get("/api/v1/branches/\(own)/doors", as: admin)).isEmpty)
        #expect(try fixture.page("GET", "/branches/\(own)/doors/1", cookies: [cookie]).status == 404)
    }

    @Test func aWrongScheduleOrATakenNameIsShownBesideItsFieldInSpanish() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "patricia")
        let cookie = "portero_session=\(admin.cookie)"
        let own = fixture.own
        #expect(try fixture.post("/api/v1/branches/\(own)/doors", #"{"name": "Entrada"}"#, as: admin).status == 201)
        let wrong = try fixture.page(
            "POST", "/branches/\(own)/doors/1",
            form: Self.doorForm(admin.csrf, [("schedule", "lun-vie 06:00-25:00"), ("antiPassback", "on")]),
            cookies: [cookie], headers: ["Accept-Language: es-MX"])
        #expect(wrong.status == 400)
        let text = html(wrong)
        #expect(text.contains("class=\"field invalid\"><label for=\"f-schedule\""))
        #expect(
            text.contains("value=\"lun-vie 06:00-25:00\" aria-invalid=\"true\" aria-describedby=\"f-schedule-error\""))
        #expect(text.contains("<span class=\"error\" id=\"f-schedule-error\">Horario no válido"))
        #expect(text.contains("name=\"antiPassback\" checked"), "what was typed is kept")
        #expect(try objects(try fixture.get("/api/v1/branches/\(own)/doors", as: admin)).first?["schedule"] == nil)

        let taken = try fixture.page(
            "POST", "/branches/\(own)/doors", form: Self.doorForm(admin.csrf, [("kind", "maglock")]),
            cookies: [cookie])
        #expect(taken.status == 400)
        #expect(html(taken).contains("<details open><summary>Agregar puerta"))
        #expect(html(taken).contains("<label for=\"b\(own)-name\""))
        #expect(html(taken).contains("id=\"b\(own)-name-error\">Otra puerta de esta sucursal ya tiene este nombre."))
        #expect(html(taken).contains("<option value=\"maglock\" selected>"))
    }

    @Test func aReceptionistSeesTheDoorsAndTheCalendarButNoForm() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "patricia")
        let laura = try fixture.signIn(.reception, username: "laura")
        let cookie = "portero_session=\(laura.cookie)"
        let own = fixture.own
        #expect(try fixture.post("/api/v1/branches/\(own)/doors", #"{"name": "Entrada"}"#, as: admin).status == 201)
        let page = try fixture.page("GET", "/doors", cookies: [cookie], headers: ["Accept-Language: en"])
        let text = html(page)
        #expect(page.status == 200 && text.contains("Entrada") && text.contains("Always open"))
        #expect(text.contains("Not reported") && text.contains("href=\"/branches/\(own)/calendar\""))
        #expect(!text.contains("action=\"/branches/\(own)/doors\"") && !text.contains("/doors/1\""))
        #expect(try fixture.page("GET", "/branches/\(own)/doors/1", cookies: [cookie]).status == 403)
        let refused = try fixture.page(
            "POST", "/branches/\(own)/doors", form: Self.doorForm(laura.csrf, [("name", "Otra")]), cookies: [cookie])
        #expect(refused.status == 403)
        let calendar = try fixture.page("GET", "/branches/\(own)/calendar", cookies: [cookie])
        #expect(calendar.status == 200 && !html(calendar).contains("action=\"/branches/\(own)/calendar\""))
    }

    @Test func aManagerSetsAndClearsACalendarDay() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "patricia")
        let cookie = "portero_session=\(admin.cookie)"
        let path = "/branches/\(fixture.own)/calendar"
        let today = ZoneCache.rules("America/Mexico_City").localDay(at: fixture.clock.now)
        let day = today.adding(days: 20).description
        let empty = html(try fixture.page("GET", path, cookies: [cookie]))
        #expect(empty.contains("No hay días especiales") && empty.contains("min=\"\(today)\""))
        let noHours = try fixture.page(
            "POST", path,
            form: [
                ("csrf", admin.csrf), ("day", day), ("kind", "special_hours"), ("hours", ""), ("note", "Inventario"),
            ],
            cookies: [cookie])
        #expect(noHours.status == 400 && html(noHours).contains("class=\"field invalid\"><label for=\"f-hours\""))
        #expect(html(noHours).contains("value=\"Inventario\""))
        let past = try fixture.page(
            "POST", path,
            form: [
                ("csrf", admin.csrf), ("day", today.adding(days: -1).description), ("kind", "closed"), ("hours", ""),
                ("note", "Ayer"),
            ], cookies: [cookie])
        #expect(past.status == 400 && html(past).contains("Una fecha desde hoy"))
        // Hours typed for a closed day are left out: the kind chosen wins.
        let closed = try fixture.page(
            "POST", path,
            form: [
                ("csrf", admin.csrf), ("day", day), ("kind", "closed"), ("hours", "10:00-12:00"), ("note", "Navidad"),
            ],
            cookies: [cookie])
        #expect(closed.status == 303 && closed.header("Location") == "\(path)?done=saved")
        let entries = try objects(try fixture.get("/api/v1\(path)", as: admin))
        #expect(entries.count == 1 && entries.first?["kind"] as? String == "closed" && entries.first?["hours"] == nil)
        let listed = html(try fixture.page("GET", "\(path)?done=saved", cookies: [cookie]))
        #expect(listed.contains("Día guardado.") && listed.contains("<time datetime=\"\(day)\">"))
        #expect(listed.contains("Cerrado todo el día") && listed.contains("Navidad"))
        let english = html(try fixture.page("GET", path, cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("Closed all day") && english.contains("Set a day"))

        let cleared = try fixture.page(
            "POST", "\(path)/clear", form: [("csrf", admin.csrf), ("day", day)], cookies: [cookie])
        #expect(cleared.status == 303 && cleared.header("Location") == "\(path)?done=cleared")
        #expect(try objects(try fixture.get("/api/v1\(path)", as: admin)).isEmpty)
        #expect(html(try fixture.page("GET", "\(path)?done=cleared", cookies: [cookie])).contains("Día borrado"))
    }

    @Test func everyReasonHasWordsInBothLanguages() {
        for code in ReasonCode.allCases {
            for language in WebLanguage.allCases {
                #expect(WebText(language).reason(code.rawValue) != "reason.\(code.rawValue)", "\(code) \(language)")
            }
        }
    }
}
