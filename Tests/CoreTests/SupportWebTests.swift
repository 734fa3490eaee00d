@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// Both sides of an assisted session through the web pages, with the banner on each.
@Suite struct SupportWebTests {
    @Test func theSupportUserAndTheUserWalkItFromTheirPagesAndSeeTheBanner() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let ana = try f.signIn(.reception, username: "ana")
        let totp = try f.enableTOTP(root.id)
        let rootCookie = "portero_session=\(root.cookie)"
        let anaCookie = "portero_session=\(ana.cookie)"

        let form = try f.page("GET", "/support", cookies: [rootCookie])
        #expect(form.status == 200 && html(form).contains("action=\"/support\""))
        #expect(!html(try f.page("GET", "/home", cookies: [anaCookie])).contains("href=\"/support\""))
        let wrong = try f.page(
            "POST", "/support", form: [("csrf", root.csrf), ("email", "ana@club.mx"), ("totp", "000000")],
            cookies: [rootCookie])
        #expect(wrong.status == 400 && html(wrong).contains("f-totp-error"))
        let asked = try f.page(
            "POST", "/support", form: [("csrf", root.csrf), ("email", "ana@club.mx"), ("totp", totp())],
            cookies: [rootCookie])
        #expect(asked.status == 303)
        let location = try #require(asked.header("Location"))
        let id = try #require(Int(location.split(separator: "/").last ?? ""))
        let code = try f.supportCode(to: "ana@club.mx")

        // The user sees who asks on every page, and consents on hers.
        #expect(html(try f.page("GET", "/home", cookies: [anaCookie])).contains("root X de soporte pide actuar por ti"))
        let mine = try f.page("GET", "/my/support", cookies: [anaCookie])
        #expect(html(mine).contains("action=\"/my/support/\(id)/consent\""))
        let bad = try f.page(
            "POST", "/my/support/\(id)/consent", form: [("csrf", ana.csrf), ("code", "11111111")], cookies: [anaCookie])
        #expect(bad.status == 400 && html(bad).contains("wrong code"))
        let consent = try f.page(
            "POST", "/my/support/\(id)/consent", form: [("csrf", ana.csrf), ("code", code)], cookies: [anaCookie])
        #expect(consent.status == 303)

        // The support user enters the same code and is sent home as the user.
        let confirm = try f.page(
            "POST", "/support/\(id)/confirm", form: [("csrf", root.csrf), ("code", code)], cookies: [rootCookie])
        #expect(confirm.status == 303 && confirm.header("Location") == "/home")
        let assisted = try #require(confirm.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        #expect(try f.get("/api/v1/me", as: root).status == 401, "the support user's own session was signed out")
        let home = html(try f.page("GET", "/home", cookies: [assisted]))
        #expect(home.contains("Soporte root X está actuando por ana X — termina a las"))
        #expect(!home.contains("href=\"/audit\""), "the user's navigation, not the support user's")
        #expect(html(try f.page("GET", "/home", cookies: [anaCookie])).contains("está actuando por ana X"))

        // The user ends it; a reason is asked.
        let noReason = try f.page(
            "POST", "/my/support/\(id)/end", form: [("csrf", ana.csrf), ("reason", "")], cookies: [anaCookie])
        #expect(noReason.status == 400 && html(noReason).contains("aria-invalid"))
        let ended = try f.page(
            "POST", "/my/support/\(id)/end", form: [("csrf", ana.csrf), ("reason", "ya está")], cookies: [anaCookie])
        #expect(ended.status == 303)
        let after = try f.page("GET", "/home", cookies: [assisted])
        #expect(after.status == 303 && after.header("Location")?.hasPrefix("/login") == true)
        #expect(!html(try f.page("GET", "/home", cookies: [anaCookie])).contains("support-banner"))
        let again = try f.send(
            "POST", "/api/v1/session", body: #"{"login": "root", "password": "Secreto123", "totp": "\#(totp())"}"#)
        let rootAgain = "portero_session=\(try #require(APIFixture.sessionCookie(again)))"
        let page = html(try f.page("GET", "/support/\(id)", cookies: [rootAgain]))
        #expect(page.contains("Terminada") && page.contains("ya está"))
    }

    @Test func theChainSettingsPageSetsTheLengthOfAnAssistedSession() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let cookie = "portero_session=\(root.cookie)"
        let page = html(try f.page("GET", "/chain-settings", cookies: [cookie]))
        #expect(
            page.contains("id=\"f-supportSessionMinutes\" name=\"supportSessionMinutes\" type=\"number\" value=\"5\""))
        func save(_ minutes: String) throws -> HTTPResponse {
            try f.page(
                "POST", "/chain-settings",
                form: [
                    ("csrf", root.csrf), ("currency", "MXN"), ("paymentGraceDays", "3"), ("taxRateBasisPoints", "1600"),
                    ("legalName", ""), ("taxID", ""), ("fiscalAddress", ""), ("supportSessionMinutes", minutes),
                ], cookies: [cookie])
        }
        let refused = try save("9")
        #expect(refused.status == 400 && html(refused).contains("f-supportSessionMinutes-error"))
        #expect(try save("2").status == 303)
        #expect(try f.api.withDatabase { try $0.settings.chain() }.supportSessionMinutes == 2)
    }
}
