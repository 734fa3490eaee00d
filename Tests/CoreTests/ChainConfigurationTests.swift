@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// The chain's configuration: validated field by field, audited old → new, and applied by the
/// next request (password rule, lockout, sessions, device offline alert, language, name).
@Suite struct ChainConfigurationTests {
    /// The settings every PUT carries, with `extra` fields of the configuration.
    static func settings(_ extra: String) -> String {
        """
        {"currency": "MXN", "paymentGraceDays": 3, "taxRateBasisPoints": 1600, "legalName": "", "taxID": "", \
        "fiscalAddress": ""\(extra.isEmpty ? "" : ", " + extra)}
        """
    }

    @Test func eachFieldIsRefusedByNameAndNothingIsHalfWritten() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let wrong = [
            (#""passwordMinimumLength": 5"#, "passwordMinimumLength"),
            (#""passwordMinimumLength": 129"#, "passwordMinimumLength"),
            (#""passwordClasses": ["emoji"]"#, "passwordClasses"),
            (#""sessionIdleMinutes": 4"#, "sessionIdleMinutes"),
            (#""sessionAbsoluteHours": 169"#, "sessionAbsoluteHours"),
            (#""lockoutFailuresPerAccount": 2"#, "lockoutFailuresPerAccount"),
            (#""lockoutFailuresPerAddress": 1001"#, "lockoutFailuresPerAddress"),
            (#""lockoutMinutes": 0"#, "lockoutMinutes"), (#""deviceOfflineMinutes": 1"#, "deviceOfflineMinutes"),
            (#""defaultLanguage": "fr""#, "defaultLanguage"), (#""timeZone": "Mars/Base""#, "timeZone"),
            (#""chainName": "a\nb""#, "chainName"), (#""defaultLanguage": null"#, "defaultLanguage"),
        ]
        for (field, name) in wrong {
            // A good field beside the wrong one: neither is saved.
            let good = name == "chainName" ? #""sessionIdleMinutes": 20, "# : #""chainName": "Club", "#
            let response = try fixture.put("/api/v1/settings", Self.settings(good + field), as: root)
            #expect(response.status == 400, "\(field)")
            #expect((try object(response)["error"] as? String ?? "").contains(name), "\(field)")
        }
        let stored = try object(try fixture.get("/api/v1/settings", as: root))
        #expect(stored["chainName"] as? String == "", "nothing of a refused body is saved")
        #expect(stored["passwordMinimumLength"] == nil && stored["defaultLanguage"] as? String == "es")
        #expect(stored["sessionIdleMinutes"] == nil)
    }

    @Test func aChangeIsAuditedOldToNewAndNullGoesBackToTheDefault() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let admin = try fixture.signIn(.administrator, username: "admin")
        let body = Self.settings(
            #""chainName": "Club Sur", "passwordMinimumLength": 10, "passwordClasses": ["digit", "upper", "digit"]"#)
        #expect(try fixture.put("/api/v1/settings", body, as: admin).status == 403, "one branch only")
        let saved = try object(try fixture.put("/api/v1/settings", body, as: root))
        #expect(saved["chainName"] as? String == "Club Sur" && saved["passwordMinimumLength"] as? Int == 10)
        #expect(saved["passwordClasses"] as? [String] == ["upper", "digit"], "each class once, in order")
        let entry = try #require(
            try fixture.api.withDatabase { try $0.audit.recent(limit: 20) }.first { $0.action == "settings.update" })
        let changes = try #require(
            try JSONSerialization.jsonObject(with: Data(entry.changes.utf8)) as? [String: Any])
        let length = try #require(changes["passwordMinimumLength"] as? [String: Any])
        #expect(length["from"] is NSNull && length["to"] as? Int == 10)
        #expect((changes["chainName"] as? [String: Any])?["from"] as? String == "")
        // Left out keeps the value; null goes back to the default.
        let kept = try object(try fixture.put("/api/v1/settings", Self.settings(""), as: root))
        #expect(kept["passwordMinimumLength"] as? Int == 10 && kept["chainName"] as? String == "Club Sur")
        let reset = try object(
            try fixture.put("/api/v1/settings", Self.settings(#""passwordMinimumLength": null"#), as: root))
        #expect(reset["passwordMinimumLength"] == nil)
    }

    @Test func aNewPasswordRuleRefusesAShortPasswordAtOnce() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        func create(_ username: String, _ password: String) throws -> HTTPResponse {
            try fixture.post(
                "/api/v1/users",
                """
                {"username": "\(username)", "email": "\(username)@club.mx", "password": "\(password)", \
                "name": "N", "paternalSurname": "P", "roles": ["recepcion"], "branches": [\(fixture.own)]}
                """, as: root)
        }
        #expect(try create("uno", "Secreto123").status == 201, "the built-in rule")
        let rule = #""passwordMinimumLength": 12, "passwordClasses": ["upper", "lower", "digit", "symbol"]"#
        #expect(try fixture.put("/api/v1/settings", Self.settings(rule), as: root).status == 200)
        let refused = try create("dos", "Secreto1234")
        #expect(refused.status == 400)
        let error = try object(refused)["error"] as? String ?? ""
        #expect(error.contains("password") && error.contains("12") && error.contains("symbol"))
        #expect(try create("tres", "Secreto-1234").status == 201)
        let ownChange = try fixture.post(
            "/api/v1/me/password", #"{"current": "Secreto123", "password": "Corta-1"}"#, as: root)
        #expect(ownChange.status == 400, "the own password too")
    }

    @Test func lockoutAndSessionLimitsTakeEffectWithoutARestart() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        _ = try fixture.signIn(.reception, username: "ana")
        let limits = #""lockoutFailuresPerAccount": 3, "lockoutMinutes": 2, "sessionIdleMinutes": 5"#
        #expect(try fixture.put("/api/v1/settings", Self.settings(limits), as: root).status == 200)
        let member = try fixture.signIn(.client, username: "socio")
        #expect(try object(try fixture.get("/api/v1/settings", as: member))["lockoutFailuresPerAccount"] == nil)
        #expect(try object(try fixture.get("/api/v1/settings", as: root))["lockoutFailuresPerAccount"] as? Int == 3)
        for _ in 0..<3 {
            let wrong = try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "nope"}"#)
            #expect(wrong.status == 401)
        }
        let locked = try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "Secreto123"}"#)
        #expect(locked.status == 429, "three failures lock the account, not the built-in five")
        fixture.advance(seconds: 2 * 60 + 1)
        let again = try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "Secreto123"}"#)
        #expect(again.status == 201, "the two-minute lockout is over")
        #expect(again.header("Set-Cookie")?.contains("Max-Age=43200") == true)
        // Five idle minutes (not the built-in thirty) end a session.
        #expect(try fixture.send("GET", "/api/v1/me", cookie: root.cookie).status == 200)
        fixture.advance(seconds: 6 * 60)
        #expect(try fixture.send("GET", "/api/v1/me", cookie: root.cookie).status == 401)
    }

    @Test func aNewPINNeedsTheChainsFewestDigits() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let member = try fixture.member("socio", as: root)
        #expect(try fixture.put("/api/v1/users/\(member)/pin", #"{"pin": "4821"}"#, as: root).status == 204)
        #expect(try fixture.put("/api/v1/settings", Self.settings(#""pinMinimumLength": 6"#), as: root).status == 200)
        let short = try fixture.put("/api/v1/users/\(member)/pin", #"{"pin": "4822"}"#, as: root)
        #expect(try short.status == 400 && (object(short)["error"] as? String ?? "").contains("at least 6 digits"))
        #expect(try fixture.put("/api/v1/users/\(member)/pin", #"{"pin": "482193"}"#, as: root).status == 204)
        let wrong = try fixture.put("/api/v1/settings", Self.settings(#""pinMinimumLength": 13"#), as: root)
        #expect(try wrong.status == 400 && (object(wrong)["error"] as? String ?? "").contains("pinMinimumLength"))
    }

    @Test func theOfflineAlertWaitsAsLongAsTheChainSays() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let registered = try object(
            try fixture.post("/api/v1/devices", #"{"branch": \#(fixture.own), "name": "torniquete"}"#, as: root))
        let code = try #require(registered["enrollmentCode"] as? String)
        #expect(try fixture.send("POST", "/api/v1/enroll", body: #"{"code": "\#(code)"}"#).status == 201)
        #expect(
            try fixture.put("/api/v1/settings", Self.settings(#""deviceOfflineMinutes": 30"#), as: root).status == 200)
        fixture.advance(seconds: 11 * 60)
        #expect(try fixture.api.maintain() == 0, "ten minutes is the default, thirty the chain's")
        fixture.advance(seconds: 20 * 60)
        #expect(try fixture.api.maintain() == 2)
    }

    @Test func thePageShowsTheFieldsErrorsBesideThemTheNameAndTheLanguage() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let cookie = "portero_session=\(root.cookie)"
        let page = html(try fixture.page("GET", "/chain-settings", cookies: [cookie]))
        #expect(page.contains("Longitud mínima") && page.contains("placeholder=\"30\""))
        let english = html(
            try fixture.page("GET", "/chain-settings", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("Idle sign-out (minutes)") && english.contains("Device offline alert"))
        var form: [(String, String)] = [
            ("csrf", root.csrf), ("currency", "MXN"), ("paymentGraceDays", "3"), ("taxRateBasisPoints", "1600"),
            ("legalName", ""), ("taxID", ""), ("fiscalAddress", ""), ("chainName", "Club Sur"),
            ("defaultLanguage", "en"), ("timeZone", ""), ("passwordMinimumLength", "3"), ("sessionIdleMinutes", ""),
            ("passwordClasses", "upper"), ("passwordClasses", "digit"), ("passwordClassesShown", "default"),
        ]
        let refused = try fixture.page("POST", "/chain-settings", form: form, cookies: [cookie])
        #expect(refused.status == 400)
        #expect(html(refused).contains("class=\"field invalid\"><label for=\"f-passwordMinimumLength\""))
        #expect(html(refused).contains("value=\"Club Sur\""), "what was typed is kept")
        form[10] = ("passwordMinimumLength", "8")
        let saved = try fixture.page("POST", "/chain-settings", form: form, cookies: [cookie])
        #expect(saved.status == 303)
        let settings = try object(try fixture.get("/api/v1/settings", as: root))
        #expect(settings["passwordMinimumLength"] as? Int == 8 && settings["sessionIdleMinutes"] == nil)
        #expect(settings["passwordClasses"] as? [String] == ["upper", "digit"])
        // The name in every page's header; English for a browser that names no language.
        let home = html(try fixture.page("GET", "/login"))
        #expect(home.contains("class=\"brand\" href=\"/home\">Club Sur</a>"))
        #expect(home.contains("<html lang=\"en\">"))
        let spanish = html(try fixture.page("GET", "/login", headers: ["Accept-Language: es"]))
        #expect(spanish.contains("<html lang=\"es\">"), "the browser's choice comes first")
    }
}
