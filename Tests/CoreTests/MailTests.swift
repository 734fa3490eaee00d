@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import Mail
import PorteroModel
import TestSupport
import Testing

/// The text of a received message: its headers, and its body decoded from base64.
func decodedMail(_ raw: String) -> (headers: String, body: String) {
    let parts = raw.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
    let encoded = parts.dropFirst().joined(separator: "\n").replacingOccurrences(of: "\n", with: "")
    let body = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return (parts.first ?? "", body)
}

@Suite struct MailMessageTests {
    @Test func headersAreEncodedAndCannotBeInjectedAndTheBodyIsBase64() {
        let message = MailMessage(
            from: "club@portero.mx", to: "ana@correo.mx\r\nBcc: todos@correo.mx",
            subject: "Restablece tu contraseña", body: "Hola Ana:\nUna línea.\n")
        let text = String(
            decoding: message.rfc5322(date: Date(timeIntervalSince1970: 0), messageID: "1@portero.mx"),
            as: UTF8.self)
        #expect(text.contains("To: ana@correo.mxBcc: todos@correo.mx\r\n"), "no header of its own")
        #expect(!text.contains("\r\nBcc:"))
        #expect(text.contains("Subject: =?UTF-8?B?\(Data("Restablece tu contraseña".utf8).base64EncodedString())?="))
        #expect(text.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        #expect(decodedMail(text).body == "Hola Ana:\r\nUna línea.\r\n")
        #expect(MailMessage.isAddress("ana@correo.mx") && !MailMessage.isAddress("ana@correo.mx>, b@c.mx"))
    }
}

/// The transport and the outbox against a real SMTP server (aiosmtpd) on loopback.
@Suite(.enabled(if: SMTPPeer.available, "needs aiosmtpd in .build-venv and openssl (scripts/test.sh)"))
struct MailDeliveryTests {
    @Test func aMessageGoesOverSTARTTLSWithALoginAndAWrongPasswordIsRefused() throws {
        let peer = try SMTPPeer()
        var settings = MailSettings(
            url: "smtp://localhost:\(peer.port)", from: "club@portero.mx", username: peer.user,
            password: peer.password, caFile: peer.certificate)
        let message = MailMessage(from: settings.from, to: "ana@correo.mx", subject: "Prueba", body: "Año nuevo")
        try SMTPTransport(settings).send(message)
        let received = try peer.messages()
        #expect(received.count == 1)
        #expect(received.first?.note["tls"] as? Bool == true && received.first?.note["authenticated"] as? Bool == true)
        #expect(received.first?.note["to"] as? [String] == ["ana@correo.mx"])
        #expect(decodedMail(received.first?.message ?? "").body == "Año nuevo")
        settings.password = "otra"
        #expect(throws: MailError.self) { try SMTPTransport(settings, timeoutSeconds: 10).send(message) }
        settings.password = peer.password
        settings.caFile = nil  // a self-signed certificate the system's CAs do not vouch for
        #expect(throws: MailError.self) { try SMTPTransport(settings, timeoutSeconds: 10).send(message) }
        #expect(try peer.messages().count == 1)
    }

    @Test func aPasswordResetTravelsByEmailWorksOnceAndEndsTheOldSessions() throws {
        let peer = try SMTPPeer()
        let fixture = try APIFixture()
        let ana = try fixture.signIn(.reception, username: "ana")
        let transport = SMTPTransport(
            MailSettings(
                url: "smtp://localhost:\(peer.port)", from: "club@portero.mx", username: peer.user,
                password: peer.password, caFile: peer.certificate))
        let asked = try fixture.send("POST", "/api/v1/password-reset", body: #"{"email": "ana@club.mx"}"#)
        #expect(asked.status == 202)
        let unknown = try fixture.send("POST", "/api/v1/password-reset", body: #"{"email": "nadie@club.mx"}"#)
        #expect(unknown.status == 202 && unknown.body == asked.body, "the same answer either way")
        let delivered = fixture.api.deliverMail(through: { try transport.send($0) }, from: "club@portero.mx")
        #expect(delivered.sent == 1 && delivered.failed == 0)
        let received = try peer.messages()
        #expect(received.count == 1)
        let (headers, body) = decodedMail(try #require(received.first?.message))
        #expect(headers.contains("To: ana@club.mx"))
        #expect(body.contains("Hola") && body.contains("30 minutos"))
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
        let link = try #require(lines.first { $0.hasPrefix("https://club.example/reset?token=") })
        let token = String(link.dropFirst("https://club.example/reset?token=".count)).trimmingCharacters(
            in: .whitespacesAndNewlines)

        func confirm(_ password: String) throws -> HTTPResponse {
            try fixture.send(
                "POST", "/api/v1/password-reset/confirm", body: #"{"token": "\#(token)", "password": "\#(password)"}"#)
        }
        let weak = try confirm("corta")
        #expect(weak.status == 400 && String(decoding: weak.body, as: UTF8.self).contains("password"))
        #expect(try confirm("Nueva-Clave-2027").status == 204, "a weak password did not spend the link")
        #expect(try fixture.get("/api/v1/me", as: ana).status == 401, "the old session ended")
        let again = try confirm("Otra-Clave-2027")
        #expect(again.status == 400 && String(decoding: again.body, as: UTF8.self).contains("token"))
        let signIn = try fixture.send(
            "POST", "/api/v1/session", body: #"{"login": "ana", "password": "Nueva-Clave-2027"}"#)
        #expect(signIn.status == 201)
        // The delivery log shows the message sent, without its body.
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let log = try objects(try fixture.get("/api/v1/mail", as: root))
        #expect(log.count == 1 && log.first?["status"] as? String == "sent" && log.first?["body"] == nil)
        let stored = try fixture.api.withDatabase { try $0.mail.recent(limit: 5, users: nil) }
        #expect(stored.first?.body == "", "a sent link does not stay in the database")
        let audit = try fixture.api.withDatabase { try $0.audit.recent(limit: 50) }.map(\.action)
        #expect(audit.contains("user.password_reset_requested") && audit.contains("user.password_reset"))
    }
}

/// The outbox's retries and the reset link's limits, through the router.
@Suite struct PasswordResetTests {
    @Test func aLinkExpiresAndRequestsFromOneAddressAreThrottled() throws {
        let fixture = try APIFixture()
        _ = try fixture.signIn(.reception, username: "ana")
        #expect(try fixture.send("POST", "/api/v1/password-reset", body: #"{"email": "ana@club.mx"}"#).status == 202)
        let queued = try fixture.api.withDatabase { try $0.mail.recent(limit: 5, users: nil) }
        let token = try #require(
            queued.first?.body.split(separator: "\n").first { $0.contains("token=") }?.split(separator: "=").last)
        fixture.advance(seconds: 31 * 60)
        let late = try fixture.send(
            "POST", "/api/v1/password-reset/confirm", body: #"{"token": "\#(token)", "password": "Nueva-Clave-2027"}"#)
        #expect(late.status == 400)
        var statuses: [Int] = []
        for _ in 0..<6 {
            statuses.append(
                try fixture.send("POST", "/api/v1/password-reset", body: #"{"email": "ana@club.mx"}"#).status)
        }
        #expect(statuses.prefix(4).allSatisfy { $0 == 202 } && statuses.last == 429, "\(statuses)")
        #expect(try fixture.send("POST", "/api/v1/password-reset", body: #"{"email": "no es"}"#).status == 400)
    }

    @Test func aFailedSendIsRetriedWithBackoffAndGivenUpAtLast() throws {
        let fixture = try APIFixture()
        _ = try fixture.signIn(.reception, username: "ana")
        #expect(try fixture.send("POST", "/api/v1/password-reset", body: #"{"email": "ana@club.mx"}"#).status == 202)
        struct Down: Error {}
        var tries = 0
        for attempt in 1...MailPolicy.maximumAttempts {
            let round = fixture.api.deliverMail(through: { _ in throw Down() }, from: "club@portero.mx")
            tries += round.failed
            #expect(round.failed == 1)
            #expect(fixture.api.deliverMail(through: { _ in throw Down() }, from: "x@y.mx").failed == 0, "not yet due")
            fixture.advance(seconds: MailPolicy.backoffSeconds(afterAttempt: attempt))
        }
        #expect(tries == MailPolicy.maximumAttempts)
        let stored = try #require(try fixture.api.withDatabase { try $0.mail.recent(limit: 1, users: nil) }.first)
        #expect(stored.status == "failed" && stored.attempts == MailPolicy.maximumAttempts && stored.body.isEmpty)
        #expect(stored.lastError.contains("Down"))
        #expect(
            MailPolicy.backoffSeconds(afterAttempt: 1) == 60 && MailPolicy.backoffSeconds(afterAttempt: 20) == 14_400)
    }
}

/// The web pages: ask for a link, open it, choose a new password, sign in.
@Suite struct PasswordResetPageTests {
    @Test func aPersonAsksForALinkOpensItAndChoosesANewPassword() throws {
        let fixture = try APIFixture()
        _ = try fixture.signIn(.reception, username: "ana")
        let login = html(try fixture.page("GET", "/login"))
        #expect(login.contains("href=\"/forgot\"") && login.contains("¿Olvidaste tu contraseña?"))
        let form = try fixture.page("GET", "/forgot", headers: ["Accept-Language: en"])
        #expect(html(form).contains("Forgot your password?"))
        let cookie = try #require(form.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let token = String(cookie.split(separator: "=").last ?? "")
        let forged = try fixture.page(
            "POST", "/forgot", form: [("csrf", "x"), ("email", "ana@club.mx")], cookies: [cookie])
        #expect(forged.status == 403)
        let sent = try fixture.page(
            "POST", "/forgot", form: [("csrf", token), ("email", "ana@club.mx")], cookies: [cookie])
        #expect(sent.status == 200 && html(sent).contains("el enlace va en camino"))
        let body = try #require(try fixture.api.withDatabase { try $0.mail.recent(limit: 1, users: nil) }.first?.body)
        let link = try #require(body.split(separator: "\n").first { $0.contains("/reset?token=") })
        let secret = String(link.split(separator: "=").last ?? "")
        let page = try fixture.page("GET", "/reset?token=\(secret)")
        #expect(html(page).contains("value=\"\(secret)\""))
        let resetCookie = try #require(page.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let csrf = String(resetCookie.split(separator: "=").last ?? "")
        func post(_ password: String, _ again: String, link: String) throws -> HTTPResponse {
            try fixture.page(
                "POST", "/reset", form: [("csrf", csrf), ("token", link), ("password", password), ("again", again)],
                cookies: [resetCookie])
        }
        let differ = try post("Nueva-Clave-2027", "Nueva-Clave-2028", link: secret)
        #expect(differ.status == 400 && html(differ).contains("class=\"field invalid\"><label for=\"f-again\""))
        let wrongLink = try post("Nueva-Clave-2027", "Nueva-Clave-2027", link: "no-sirve")
        #expect(wrongLink.status == 400 && html(wrongLink).contains("El enlace no sirve"))
        let done = try post("Nueva-Clave-2027", "Nueva-Clave-2027", link: secret)
        #expect(done.status == 303 && done.header("Location") == "/login?reset=1")
        #expect(html(try fixture.page("GET", "/login?reset=1")).contains("Contraseña cambiada"))
        let signIn = try fixture.send(
            "POST", "/api/v1/session", body: #"{"login": "ana", "password": "Nueva-Clave-2027"}"#)
        #expect(signIn.status == 201)
    }
}
