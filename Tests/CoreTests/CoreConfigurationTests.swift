@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import Service
import TestSupport
import Testing

@Suite struct CoreConfigurationTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/portero-core.json").path

    static func parse(_ text: String) throws -> CoreConfiguration {
        try CoreConfiguration.parse(Data(text.utf8), file: "core.json")
    }

    @Test func theSampleIsValid() throws {
        let configuration = try CoreConfiguration.load(path: Self.sample)
        #expect(configuration.database == "/var/lib/portero-core/core.sqlite")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.timeZone == "America/Mexico_City")
        #expect(configuration.secureCookies && configuration.trustedProxies == ["127.0.0.1"])
        #expect(configuration.logLevel == .info)
        #expect(configuration.metricsAllowedAddresses == ["127.0.0.1", "::1", "10.20.0.0/16"])
        #expect(configuration.publicURL == "https://club.example.com")
        #expect(configuration.mail?.url == "smtp://smtp.example.com:587" && configuration.mail?.isLoopback == false)
    }

    @Test func theMailPasswordIsReadFromItsFileAndPlainHTTPLinksOnlyToThisMachine() throws {
        let directory = try TemporaryDirectory()
        try Data("s3creto\n".utf8).write(to: URL(fileURLWithPath: directory.file("smtp")))
        let configuration = try Self.parse(
            #"{"public_url": "http://127.0.0.1:8080/", "mail": {"smtp_url": "smtps://smtp.example.com", "#
                + #""from": "club@portero.mx", "username": "club", "password_file": "\#(directory.file("smtp"))"}}"#)
        #expect(configuration.publicURL == "http://127.0.0.1:8080")
        #expect(configuration.mail?.password == "s3creto" && configuration.mail?.username == "club")
    }

    @Test func anEmptyObjectTakesTheDefaults() throws {
        #expect(try Self.parse("{}") == CoreConfiguration())
        #expect(CoreConfiguration().metricsAllowedAddresses == ["127.0.0.1", "::1"])
        // An empty list lets no one read the metrics.
        #expect(try Self.parse(#"{"metrics": {"allowed_addresses": []}}"#).metricsAllowedAddresses == [])
    }

    @Test(arguments: [
        (#"{"databse": "/x"}"#, "databse", "unknown key"),
        (#"{"database": "core.sqlite"}"#, "database", "expected an absolute path"),
        (#"{"listen": {"host": "localhost"}}"#, "listen.host", "is not an IPv4 address"),
        (#"{"listen": {"port": 0}}"#, "listen.port", "out of range"),
        (#"{"listen": {"port": "80"}}"#, "listen.port", "expected a whole number"),
        (#"{"time_zone": "Mars/Olympus"}"#, "time_zone", "unknown time zone"),
        (#"{"secure_cookies": 1}"#, "secure_cookies", "expected true or false"),
        (#"{"trusted_proxies": ["10.0.0.300"]}"#, "trusted_proxies[0]", "is not an IPv4 address"),
        (#"{"trusted_proxies": "127.0.0.1"}"#, "trusted_proxies", "expected a list"),
        (#"{"http": {"event_loops": 0}}"#, "http.event_loops", "out of range"),
        (#"{"http": {"threads": 2}}"#, "http.threads", "unknown key"),
        (#"{"log": {"level": "verbose"}}"#, "log.level", "is not one of"),
        (
            #"{"metrics": {"allowed_addresses": ["10.0.0.0/33"]}}"#, "metrics.allowed_addresses[0]",
            "is not an IP address"
        ),
        (#"{"metrics": {"allowed_addresses": "127.0.0.1"}}"#, "metrics.allowed_addresses", "expected a list"),
        (#"{"metrics": {"allowed": []}}"#, "metrics.allowed", "unknown key"),
        (#"{"public_url": "http://club.example"}"#, "public_url", "must be https://"),
        (#"{"public_url": "http://127.evil.example"}"#, "public_url", "must be https://"),
        (#"{"public_url": "club.example"}"#, "public_url", "is not a URL"),
        (#"{"mail": {"smtp_url": "http://smtp.example.com", "from": "a@b.mx"}}"#, "mail.smtp_url", "is not smtp://"),
        (#"{"mail": {"smtp_url": "smtp://smtp.example.com"}}"#, "mail.from", "required"),
        (#"{"mail": {"smtp_url": "smtp://smtp.example.com", "from": "Club <a@b.mx>"}}"#, "mail.from", "not an email"),
        (
            #"{"mail": {"smtp_url": "smtp://s.example.com", "from": "a@b.mx", "password_file": "/etc/hostname"}}"#,
            "mail.password_file", "needs a username"
        ),
        (
            #"{"mail": {"smtp_url": "smtp://s.example.com", "from": "a@b.mx", "username": "u", "password_file": "/nada"}}"#,
            "mail.password_file", "cannot read"
        ),
    ])
    func badValuesAreNamedByKeyPath(text: String, key: String, problem: String) {
        #expect {
            try Self.parse(text)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.key == key && error.problem.contains(problem)
        }
    }
}
