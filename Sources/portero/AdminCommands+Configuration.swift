import CoreClient
import CoreStorage
import Foundation
import PorteroCLI

/// `portero settings set`'s options for the chain's configuration: name, language, time zone,
/// password rule, sessions, lockout and the device offline alert. `default` goes back to the
/// server's default.
extension AdminCommands {
    static let configurationValued: Set<String> = [
        "--chain-name", "--language", "--password-length", "--password-classes", "--idle-minutes",
        "--session-hours", "--lockout-account", "--lockout-address", "--lockout-minutes", "--offline-minutes",
        "--pin-length", "--occupancy-refuses", "--usual-visit", "--journal-days",
    ]

    /// Number options and the field each sets.
    static let configurationNumbers = [
        ("--password-length", "passwordMinimumLength"), ("--idle-minutes", "sessionIdleMinutes"),
        ("--session-hours", "sessionAbsoluteHours"), ("--lockout-account", "lockoutFailuresPerAccount"),
        ("--lockout-address", "lockoutFailuresPerAddress"), ("--lockout-minutes", "lockoutMinutes"),
        ("--offline-minutes", "deviceOfflineMinutes"), ("--pin-length", "pinMinimumLength"),
        ("--usual-visit", "usualVisitMinutes"), ("--journal-days", "journalRetentionDays"),
    ]

    static let configurationUsage =
        "[--chain-name TEXT] [--language es|en] [--time-zone ZONE|default] [--password-length N|default] "
        + "[--password-classes upper,lower,digit,symbol|default] [--idle-minutes N|default] "
        + "[--session-hours N|default] [--lockout-account N|default] [--lockout-address N|default] "
        + "[--lockout-minutes N|default] [--offline-minutes N|default] [--pin-length 4-12|default] "
        + "[--occupancy-refuses yes|no] [--usual-visit MINUTES|default] [--journal-days DAYS|default]"

    /// Puts the configuration options given into `body` (the settings as the core answered them).
    func configurationOptions(into body: inout [String: Any]) throws {
        if let name = arguments.value("--chain-name") { body["chainName"] = name }
        if let language = arguments.value("--language") { body["defaultLanguage"] = language }
        if let zone = arguments.value("--time-zone") { body["timeZone"] = zone == "default" ? NSNull() : zone }
        if let classes = arguments.value("--password-classes") {
            body["passwordClasses"] =
                classes == "default"
                ? NSNull() : classes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let refuses = arguments.value("--occupancy-refuses") {
            guard ["yes", "no"].contains(refuses) else {
                throw CommandLineArguments.UsageError(message: "--occupancy-refuses is yes or no")
            }
            body["occupancyRefuses"] = refuses == "yes"
        }
        for (flag, field) in Self.configurationNumbers {
            guard let text = arguments.value(flag) else { continue }
            if text == "default" {
                body[field] = NSNull()
            } else if let number = Int(text) {
                body[field] = number
            } else {
                throw CommandLineArguments.UsageError(message: "\(flag) is a whole number or default")
            }
        }
    }

    /// `portero settings logo FILE` (PNG or JPEG, by its first bytes) or `logo --clear`.
    func chainLogo(_ client: CoreClient) throws {
        if arguments.has("--clear") {
            _ = try client.send("DELETE", "api/v1/settings/logo")
            print("logo removed")
            return
        }
        guard words.count > 2 else {
            throw CommandLineArguments.UsageError(message: "settings logo takes a PNG or JPEG file, or --clear")
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: words[2]))
        // The core checks the bytes against the type; the type is told by the same first bytes.
        let type = ImageBytes.type(of: Array(bytes)) ?? "image/jpeg"
        show(
            try client.send(
                "PUT", "api/v1/settings/logo", json: ["type": type, "data": bytes.base64EncodedString()]
            ).json())
    }
}
