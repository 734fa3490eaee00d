@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Crypto
import Foundation
import HTTP
import PorteroModel
import TestSupport
import Testing

/// A browser going through the OpenID provider: the core's pages through its router, the
/// provider's over HTTP (oidc-provider-mock, a real provider started for the test).
struct OIDCBrowser {
    let fixture: APIFixture
    let peer: OIDCPeer

    /// Starts a sign-in: the provider's address and the cookie that binds it to this browser.
    func start(next: String = "/home") throws -> (location: String, cookie: String) {
        let started = try fixture.page("GET", "/oidc/start?next=\(WebRequest.percentEncode(next))")
        #expect(started.status == 303)
        let cookie = try #require(started.header("Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/oidc"))
        return (try #require(started.header("Location")), String(cookie.prefix { $0 != ";" }))
    }

    /// Back from the provider at the callback (its path and query), with this browser's cookie.
    func callback(_ back: String, cookie: String) throws -> HTTPResponse {
        let prefix = "https://club.example"
        #expect(back.hasPrefix(prefix + "/oidc/callback?"))
        return try fixture.page("GET", String(back.dropFirst(prefix.count)), cookies: [cookie])
    }

    /// The whole trip as `subject`: start, the provider's page, back.
    func signIn(as subject: String, next: String = "/home") throws -> HTTPResponse {
        let (location, cookie) = try start(next: next)
        return try callback(try peer.authorize(location, as: subject), cookie: cookie)
    }

    /// The session cookie an answer sets.
    static func session(_ response: HTTPResponse) -> String? {
        response.headers.first { $0.name == "Set-Cookie" && $0.value.hasPrefix("portero_session=") }
            .map { String($0.value.dropFirst("portero_session=".count).prefix { $0 != ";" }) }
    }

    /// The trail's rows with `action`, newest first, with their changes.
    func rows(_ action: String) throws -> [(target: String, changes: [String: Any])] {
        try fixture.api.withDatabase { try $0.audit.recent(limit: 1_000) }.filter { $0.action == action }.map {
            ($0.target, (try JSONSerialization.jsonObject(with: Data($0.changes.utf8)) as? [String: Any]) ?? [:])
        }
    }

    static func make(_ peer: OIDCPeer, create: OIDCAccountCreation? = nil) throws -> OIDCBrowser {
        var settings = OIDCSettings(
            issuer: peer.issuer, clientID: "portero-test", clientSecret: "s3cret: & más", displayName: "Google")
        settings.scopes = ["openid", "email", "profile"]
        settings.createAccounts = create
        let fixture = try APIFixture(oidc: settings)
        // The provider signs with the real time; the core's clock is moved to it.
        fixture.advance(seconds: Timestamp.now().seconds - fixture.clock.now.seconds)
        return OIDCBrowser(fixture: fixture, peer: peer)
    }

    func createAccount(_ username: String, email: String, active: Bool = true) throws -> Account {
        try fixture.api.withDatabase { database in
            let account = try database.accounts.createAccount(
                username: username, email: email, password: nil, name: username, paternalSurname: "X",
                roles: RoleSet([.reception]), branches: [fixture.own], now: fixture.clock.now)
            if !active {
                var changes = AccountChanges()
                changes.active = false
                _ = try database.accounts.updateAccount(account.id, changes)
            }
            return account
        }
    }
}

@Suite(.enabled(if: OIDCPeer.available, "needs oidc-provider-mock in .build-venv (scripts/test.sh)"))
struct OIDCTests {
    @Test func aStaffMemberSignsInLinkedByEmailThenBySubjectAndUnlinks() throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer)
        let fixture = browser.fixture
        let ana = try browser.createAccount("ana", email: "Ana@Club.mx")
        try peer.setUser("google-ana", email: "ana@club.mx")

        let login = try fixture.page("GET", "/login", headers: ["Accept-Language: en"])
        #expect(html(login).contains("href=\"/oidc/start?next=/\">Sign in with Google</a>"))

        let (location, cookie) = try browser.start(next: "/members?q=Ana")
        let query = try #require(URLComponents(string: location)?.queryItems)
        func item(_ name: String) -> String? { query.first { $0.name == name }?.value }
        #expect(location.hasPrefix(peer.issuer + "/oauth2/authorize?"))
        #expect(item("code_challenge_method") == "S256" && item("client_id") == "portero-test")
        #expect(item("redirect_uri") == "https://club.example/oidc/callback")
        #expect(item("state")?.count == 43 && item("nonce")?.count == 43 && item("code_challenge")?.count == 43)

        let back = try peer.authorize(location, as: "google-ana")
        let answer = try browser.callback(back, cookie: cookie)
        #expect(answer.status == 200 && answer.header("Refresh") == "0; url=/members?q=Ana")
        let session = try #require(OIDCBrowser.session(answer))
        let me = try fixture.send("GET", "/api/v1/me", cookie: session)
        #expect(me.status == 200 && String(decoding: me.body, as: UTF8.self).contains("\"username\":\"ana\""))
        #expect(try browser.rows("oidc.link").first?.changes["subject"] as? String == "google-ana")
        #expect(try browser.rows("login.success").first?.changes["method"] as? String == "oidc")

        // The provider's answer works once.
        let replay = try browser.callback(back, cookie: cookie)
        #expect(replay.status == 400 && OIDCBrowser.session(replay) == nil)
        #expect(html(replay).contains("id=\"oidc-refused\""))
        #expect(try browser.rows("login.oidc_refused").first?.changes["reason"] as? String == "state_unknown")

        // A new email at the provider does not move the account: the subject is linked.
        try peer.setUser("google-ana", email: "ana.personal@gmail.com")
        let again = try browser.signIn(as: "google-ana")
        let second = try #require(OIDCBrowser.session(again))
        let link = try fixture.send("GET", "/api/v1/me/oidc", cookie: second)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(link.body)) as? [String: Any])
        #expect(object["linked"] as? Bool == true && object["subject"] as? String == "google-ana")
        #expect(object["email"] as? String == "ana.personal@gmail.com" && object["provider"] as? String == "Google")

        // Another identity with Ana's email cannot take her account while it is linked.
        try peer.setUser("google-impostor", email: "ana@club.mx")
        let impostor = try browser.signIn(as: "google-impostor")
        #expect(impostor.status == 403 && OIDCBrowser.session(impostor) == nil)
        let refusal = try #require(try browser.rows("login.oidc_refused").first)
        #expect(refusal.changes["reason"] as? String == "linked_elsewhere" && refusal.target == "user:\(ana.id)")

        // The settings page shows the link; unlinking is audited.
        let settings = try fixture.page("GET", "/settings", cookies: ["portero_session=\(second)"])
        #expect(html(settings).contains("id=\"oidc-link\"") && html(settings).contains("ana.personal@gmail.com"))
        let csrf = try #require(fixture.api.withDatabase { try $0.auth.session(token: second, now: fixture.clock.now) })
            .csrfToken
        let unlink = try fixture.page(
            "POST", "/settings/oidc/unlink", form: [("csrf", csrf)], cookies: ["portero_session=\(second)"])
        #expect(unlink.status == 303 && unlink.header("Location") == "/settings?unlinked=1")
        #expect(try browser.rows("oidc.unlink").first?.changes["subject"] as? String == "google-ana")
        let after = try fixture.send("GET", "/api/v1/me/oidc", cookie: second)
        #expect(String(decoding: after.body, as: UTF8.self).contains("\"linked\":false"))
        #expect(try fixture.send("DELETE", "/api/v1/me/oidc", cookie: second, csrf: csrf).status == 404)
    }

    /// Tokens the provider cannot be made to give are forged by the peer with its own keys.
    @Test(arguments: [
        ("bad-signature", "bad_signature", 401), ("wrong-aud", "wrong_audience", 401),
        ("azp-other", "wrong_audience", 401), ("expired", "expired", 401),
        ("alg-none", "alg_none", 401), ("hs256", "alg_refused", 401), ("wrong-nonce", "nonce_mismatch", 401),
        ("unverified", "email_unverified", 403), ("future-iat", "issued_in_future", 401),
    ])
    func aBadIDTokenIsRefusedWithAClearMessageAndAudited(mode: String, reason: String, status: Int) throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer)
        _ = try browser.createAccount("luis", email: "luis@club.mx")
        try peer.setUser("google-luis", email: "luis@club.mx")
        try peer.forge(mode)
        let answer = try browser.signIn(as: "google-luis")
        #expect(answer.status == status && OIDCBrowser.session(answer) == nil)
        let words = html(answer)
        #expect(words.contains("id=\"oidc-refused\""))
        let rows = try browser.rows("login.oidc_refused")
        #expect(rows.count == 1 && rows.first?.changes["reason"] as? String == reason)
        #expect(rows.first?.changes["address"] != nil)
        #expect(try browser.rows("login.success").isEmpty)
        #expect(try browser.rows("oidc.link").isEmpty)
        // The provider's own token, next time, is taken.
        #expect(OIDCBrowser.session(try browser.signIn(as: "google-luis")) != nil)
    }

    @Test func aRotatedKeyIsFetchedOnceAndES256Verifies() throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer)
        _ = try browser.createAccount("eva", email: "eva@club.mx")
        try peer.setUser("google-eva", email: "eva@club.mx")
        #expect(OIDCBrowser.session(try browser.signIn(as: "google-eva")) != nil)
        let provider = try #require(browser.fixture.api.oidc)
        #expect(provider.keyFetches == 1)
        // A kid the set does not hold: the set is fetched again (not more than every few seconds).
        browser.fixture.advance(seconds: 30)
        try peer.forge("rotated")
        #expect(OIDCBrowser.session(try browser.signIn(as: "google-eva")) != nil)
        #expect(provider.keyFetches == 2)
        browser.fixture.advance(seconds: 30)
        try peer.forge("es256")
        #expect(OIDCBrowser.session(try browser.signIn(as: "google-eva")) != nil)
        #expect(provider.keyFetches == 3)
    }

    @Test func unknownEmailsInactiveAccountsAndOtherBrowsersAreRefused() throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer)
        _ = try browser.createAccount("old", email: "old@club.mx", active: false)
        try peer.setUser("google-stranger", email: "stranger@gmail.com")
        let stranger = try browser.signIn(as: "google-stranger")
        #expect(stranger.status == 403 && html(stranger).contains("Ninguna cuenta tiene ese correo"))
        #expect(try browser.fixture.api.withDatabase { try $0.accounts.findForLogin("stranger@gmail.com") } == nil)
        try peer.setUser("google-old", email: "old@club.mx")
        let inactive = try browser.signIn(as: "google-old")
        #expect(inactive.status == 403 && OIDCBrowser.session(inactive) == nil)
        // The provider's answer in a browser that did not start the sign-in.
        try peer.setUser("google-eva", email: "eva@club.mx")
        _ = try browser.createAccount("eva", email: "eva@club.mx")
        let (location, _) = try browser.start()
        let elsewhere = try browser.callback(try peer.authorize(location, as: "google-eva"), cookie: "portero_oidc=x")
        #expect(elsewhere.status == 400 && OIDCBrowser.session(elsewhere) == nil)
        // A role limited to other networks may not sign in through the provider either.
        try browser.fixture.api.withDatabase { database in
            var settings = try database.settings.chain()
            settings.signInNetworks = ["recepcion": ["10.0.0.0/8"]]
            try database.settings.save(settings)
        }
        let network = try browser.signIn(as: "google-eva")
        #expect(network.status == 403 && OIDCBrowser.session(network) == nil)
        let reasons = try browser.rows("login.oidc_refused").compactMap { $0.changes["reason"] as? String }
        #expect(reasons == ["network_refused", "state_browser", "inactive", "unknown_account"])
    }

    /// When the configuration allows it, an unknown verified email becomes an account with the
    /// role and branch it names, and no password; the row says the provider made it.
    @Test func anUnknownEmailMakesAnAccountOnlyWhenTheConfigurationAllows() throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer, create: OIDCAccountCreation(role: .reception, branch: BranchID(1)))
        let fixture = browser.fixture
        try peer.setUser("google-nora", email: "nora@gmail.com")
        let answer = try browser.signIn(as: "google-nora")
        let session = try #require(OIDCBrowser.session(answer))
        let made = try #require(try fixture.api.withDatabase { try $0.accounts.findForLogin("nora@gmail.com") })
        #expect(made.0.username == "nora" && made.0.roles == RoleSet([.reception]) && made.passwordHash == nil)
        #expect(made.0.branches == [fixture.own] && made.0.name == "google-nora")
        #expect(try fixture.send("GET", "/api/v1/me", cookie: session).status == 200)
        let row = try #require(try browser.rows("user.create").first)
        #expect(row.target == "user:\(made.0.id)" && row.changes["roles"] as? [String] == ["recepcion"])
        // A second person whose address starts the same gets a username of their own.
        try peer.setUser("google-nora2", email: "nora@otro.mx")
        #expect(OIDCBrowser.session(try browser.signIn(as: "google-nora2")) != nil)
        #expect(try fixture.api.withDatabase { try $0.accounts.findForLogin("nora-2")?.0.email } == "nora@otro.mx")
    }

    /// An address locked out by failed sign-ins (of any kind) is refused before the code is traded.
    @Test func aLockedOutAddressIsRefused() throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer)
        _ = try browser.createAccount("tere", email: "tere@club.mx")
        try peer.setUser("google-tere", email: "tere@club.mx")
        try browser.fixture.api.withDatabase { database in
            for _ in 0..<AuthPolicy().maxFailuresPerAddress {
                try database.auth.recordRefusal(nil, address: "local", now: browser.fixture.clock.now)
            }
        }
        let locked = try browser.signIn(as: "google-tere")
        #expect(locked.status == 429 && OIDCBrowser.session(locked) == nil)
        #expect(try browser.rows("login.oidc_refused").first?.changes["reason"] as? String == "locked")
        #expect(try browser.rows("oidc.link").isEmpty)
        browser.fixture.advance(seconds: AuthPolicy().lockoutSeconds + 1)
        // Once the lockout is over, the same person signs in.
        #expect(OIDCBrowser.session(try browser.signIn(as: "google-tere")) != nil)
    }

    @Test func anAccountWithASecondFactorStillGivesItsCode() throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer)
        let fixture = browser.fixture
        let rosa = try browser.createAccount("rosa", email: "rosa@club.mx")
        let secret = try SecureRandom.bytes(20)
        let otp = try OneTimePassword(secret: secret)
        _ = try fixture.api.withDatabase { database in
            try database.auth.enableTOTP(
                for: rosa.id, secret: secret, code: otp.totp(at: fixture.clock.now.seconds - 30),
                now: fixture.clock.now)
        }
        try peer.setUser("google-rosa", email: "rosa@club.mx")
        let answer = try browser.signIn(as: "google-rosa", next: "/members")
        #expect(answer.status == 200 && answer.header("Refresh") == "0; url=/oidc/code")
        #expect(OIDCBrowser.session(answer) == nil)
        let cookie = try #require(
            answer.headers.first { $0.value.hasPrefix("portero_oidc_code=") }?.value.prefix { $0 != ";" })
        let form = try fixture.page("GET", "/oidc/code", cookies: [String(cookie)])
        let token = try #require(html(form).firstMatch(of: /name="csrf" value="([A-Z2-7]+)"/)?.1)
        let forged = try fixture.page(
            "POST", "/oidc/code", form: [("csrf", "x"), ("totp", "000000")],
            cookies: [
                String(cookie)
            ])
        #expect(forged.status == 403)
        let wrong = try fixture.page(
            "POST", "/oidc/code", form: [("csrf", String(token)), ("totp", "000000")], cookies: [String(cookie)])
        #expect(wrong.status == 401 && OIDCBrowser.session(wrong) == nil)
        // Until the code is right the identity has proved only an email: nothing is linked yet.
        #expect(try browser.rows("oidc.link").isEmpty)
        let right = try fixture.page(
            "POST", "/oidc/code", form: [("csrf", String(token)), ("totp", otp.totp(at: fixture.clock.now.seconds))],
            cookies: [String(cookie)])
        #expect(right.status == 200 && right.header("Refresh") == "0; url=/members")
        let session = try #require(OIDCBrowser.session(right))
        #expect(try fixture.send("GET", "/api/v1/me", cookie: session).status == 200)
        #expect(try browser.rows("oidc.link").count == 1)
        // Used once.
        let again = try fixture.page(
            "POST", "/oidc/code", form: [("csrf", String(token)), ("totp", otp.totp(at: fixture.clock.now.seconds))],
            cookies: [String(cookie)])
        #expect(again.status == 400 && OIDCBrowser.session(again) == nil)
    }

    @Test func anAdministratorSeesAndRemovesAUsersLink() throws {
        let peer = try OIDCPeer()
        let browser = try OIDCBrowser.make(peer)
        let fixture = browser.fixture
        let pedro = try browser.createAccount("pedro", email: "pedro@club.mx")
        try peer.setUser("google-pedro", email: "pedro@club.mx")
        #expect(OIDCBrowser.session(try browser.signIn(as: "google-pedro")) != nil)
        let admin = try fixture.signIn(.administrator, username: "jefa")
        let shown = try fixture.send("GET", "/api/v1/users/\(pedro.id)/oidc", cookie: admin.cookie)
        #expect(shown.status == 200 && String(decoding: shown.body, as: UTF8.self).contains("google-pedro"))
        let other = try fixture.signIn(.administrator, username: "otra", branches: [fixture.other])
        #expect(try fixture.send("GET", "/api/v1/users/\(pedro.id)/oidc", cookie: other.cookie).status == 404)
        #expect(
            try fixture.send("DELETE", "/api/v1/users/\(pedro.id)/oidc", cookie: other.cookie, csrf: other.csrf).status
                == 404)
        let removed = try fixture.send(
            "DELETE", "/api/v1/users/\(pedro.id)/oidc", cookie: admin.cookie, csrf: admin.csrf)
        #expect(removed.status == 204)
        #expect(try browser.rows("oidc.unlink").first?.target == "user:\(pedro.id)")
        #expect(try fixture.api.withDatabase { try $0.oidc.link(of: pedro.id, issuer: peer.issuer) } == nil)
    }
}

@Suite struct OIDCConfigurationTests {
    /// Without a provider in the file: no button, no flow, and the link routes say so.
    @Test func withoutAProviderThereIsNoButtonAndNoFlow() throws {
        let fixture = try APIFixture()
        #expect(!html(try fixture.page("GET", "/login")).contains("oidc-start"))
        let start = try fixture.page("GET", "/oidc/start")
        #expect(start.status == 404 && html(start).contains("id=\"oidc-refused\""))
        #expect(try fixture.page("GET", "/oidc/callback?state=x&code=y").status == 404)
        let user = try fixture.signIn(.reception, username: "lupe")
        let link = try fixture.send("GET", "/api/v1/me/oidc", cookie: user.cookie)
        #expect(String(decoding: link.body, as: UTF8.self) == #"{"configured":false,"linked":false}"#)
        #expect(try fixture.send("DELETE", "/api/v1/me/oidc", cookie: user.cookie, csrf: user.csrf).status == 404)
    }

    static func parse(_ oidc: String, publicURL: Bool = true) throws -> CoreConfiguration {
        let url = publicURL ? #""public_url": "https://club.example", "# : ""
        return try CoreConfiguration.parse(Data("{\(url)\"oidc\": \(oidc)}".utf8), file: "core.json")
    }

    @Test func theIssuerIsHTTPSOrLoopbackAndTheSecretIsRequired() throws {
        let good = try Self.parse(
            #"{"issuer": "https://accounts.google.com", "client_id": "id", "client_secret": "s", "#
                + #""display_name": "Google"}"#)
        #expect(good.oidc?.displayName == "Google" && good.oidc?.scopes == ["openid", "email", "profile"])
        let local = try Self.parse(#"{"issuer": "http://127.0.0.1:9000", "client_id": "id", "client_secret": "s"}"#)
        #expect(local.oidc?.displayName == "127.0.0.1" && local.oidc?.createAccounts == nil)
        let creating = try Self.parse(
            #"{"issuer": "https://idp.example", "client_id": "id", "client_secret": "s", "#
                + #""create_accounts": {"role": "cliente", "branch": 2}}"#)
        #expect(creating.oidc?.createAccounts == OIDCAccountCreation(role: .client, branch: BranchID(2)))
        for bad in [
            #"{"issuer": "http://idp.example", "client_id": "id", "client_secret": "s"}"#,
            #"{"issuer": "https://idp.example", "client_id": "id"}"#,
            #"{"issuer": "https://idp.example", "client_id": "id", "client_secret": "s", "scopes": ["profile"]}"#,
            #"{"issuer": "https://idp.example", "client_id": "id", "client_secret": "s", "colour": "red"}"#,
            #"{"issuer": "https://idp.example", "client_id": "id", "client_secret": "s", "#
                + #""create_accounts": {"role": "administrador", "branch": 1}}"#,
            #"{"issuer": "https://idp.example", "client_id": "id", "client_secret": "s", "#
                + #""create_accounts": {"role": "cliente"}}"#,
        ] {
            #expect(throws: (any Error).self) { try Self.parse(bad) }
        }
        #expect(throws: (any Error).self) {
            try Self.parse(
                #"{"issuer": "https://idp.example", "client_id": "id", "client_secret": "s"}"#, publicURL: false)
        }
    }
}
