import Foundation
import Mail
import Service

extension CoreConfiguration {
    /// `public_url`: https, or http to this machine only (a reset link carries a secret).
    static func publicURL(_ root: ConfigObject) throws -> String? {
        guard let text = try root.optionalString("public_url") else { return nil }
        guard let url = URLComponents(string: text), let scheme = url.scheme, let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil
        else {
            throw root.error("public_url", "\"\(text)\" is not a URL such as https://club.example")
        }
        let loopback = MailSettings.isLoopback(host: host)
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw root.error(
                "public_url", "must be https:// (plain http:// only to this machine): email links carry secrets")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `mail`: the SMTP server, the sender, the login (its password read from a file) and the CA.
    static func mail(_ root: ConfigObject) throws -> MailSettings? {
        guard
            let mail = try root.object(
                "mail", allowed: ["smtp_url", "from", "username", "password_file", "ca_file"])
        else { return nil }
        var settings = MailSettings(url: try mail.string("smtp_url"), from: try mail.string("from"))
        guard settings.host != nil else {
            throw mail.error("smtp_url", "\"\(settings.url)\" is not smtp://HOST:PORT or smtps://HOST:PORT")
        }
        guard MailMessage.isAddress(settings.from) else {
            throw mail.error("from", "\"\(settings.from)\" is not an email address")
        }
        settings.username = try mail.optionalString("username")
        if let file = try mail.optionalString("password_file") {
            guard settings.username != nil else { throw mail.error("password_file", "needs a username") }
            guard let data = FileManager.default.contents(atPath: file),
                let text = String(data: data, encoding: .utf8)
            else { throw mail.error("password_file", "cannot read \(file)") }
            settings.password = text.trimmingCharacters(in: .newlines)
        }
        if let file = try mail.optionalString("ca_file") {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw mail.error("ca_file", "cannot read \(file)")
            }
            settings.caFile = file
        }
        return settings
    }
}
