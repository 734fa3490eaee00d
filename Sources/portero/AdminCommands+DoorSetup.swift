import CoreClient
import Foundation
import PorteroCLI

/// `portero doors defined|add|edit|remove` and `portero calendar`: each branch's doors and its
/// closed days and special hours, as headquarters defines them.
extension AdminCommands {
    static let doorSetupFlags: Set<String> = [
        "--card-and-pin", "--no-card-and-pin", "--anti-passback", "--no-anti-passback", "--always-open",
        "--no-reentry-delay", "--closed",
    ]
    static let doorSetupValued: Set<String> = [
        "--id", "--kind", "--direction", "--mode", "--schedule", "--reentry-delay", "--presence-expiry", "--day",
        "--hours", "--note",
    ]

    static let doorDefinitionColumns = [
        ("id", "ID"), ("name", "NAME"), ("kind", "KIND"), ("direction", "DIRECTION"), ("mode", "MODE"),
        ("schedule", "SCHEDULE"), ("cardAndPin", "CARD+PIN"), ("antiPassback", "ANTI-PASSBACK"),
        ("reentryDelaySeconds", "REENTRY S"), ("presenceExpirySeconds", "PRESENCE S"), ("updatedAt", "UPDATED"),
    ]

    /// The door verbs that change what headquarters defines; false for any other verb.
    func doorSetup(_ client: CoreClient, _ action: String) throws -> Bool {
        switch action {
        case "defined":
            let branch = try number(try value("--branch"), "--branch")
            var rows = (try client.send("GET", "api/v1/branches/\(branch)/doors").json()) as? [[String: Any]] ?? []
            if !json {
                // A door without a schedule is always open.
                rows = rows.map { $0["schedule"] == nil ? $0.merging(["schedule": "always open"]) { $1 } : $0 }
            }
            list(rows, Self.doorDefinitionColumns)
        case "add":
            let branch = try number(try value("--branch"), "--branch")
            var body = try doorSettings([:])
            body["name"] = try value("--name")
            if let id = arguments.value("--id") { body["id"] = try number(id, "--id") }
            show(try client.send("POST", "api/v1/branches/\(branch)/doors", json: body).json())
        case "edit":
            let branch = try number(try value("--branch"), "--branch")
            let door = try number(try value("--door"), "--door")
            guard hasDoorSetting else {
                throw CommandLineArguments.UsageError(message: "doors edit needs a setting to change")
            }
            // The PUT replaces every setting: start from the door as it is and change only what is given.
            let doors = (try client.send("GET", "api/v1/branches/\(branch)/doors").json()) as? [[String: Any]] ?? []
            guard let current = doors.first(where: { ($0["id"] as? NSNumber)?.int64Value == door }) else {
                throw AdminError("branch \(branch) has no door \(door)")
            }
            let body = try doorSettings(current.filter { !["branch", "id", "updatedAt"].contains($0.key) })
            show(try client.send("PUT", "api/v1/branches/\(branch)/doors/\(door)", json: body).json())
        case "remove":
            let branch = try number(try value("--branch"), "--branch")
            let door = try number(try value("--door"), "--door")
            try client.send("DELETE", "api/v1/branches/\(branch)/doors/\(door)")
            print("removed")
        default:
            return false
        }
        return true
    }

    /// Whether the command line names any door setting.
    var hasDoorSetting: Bool {
        ["--name", "--kind", "--direction", "--mode", "--schedule", "--reentry-delay", "--presence-expiry"].contains {
            arguments.value($0) != nil
        }
            || [
                "--always-open", "--card-and-pin", "--no-card-and-pin", "--anti-passback", "--no-anti-passback",
                "--no-reentry-delay",
            ].contains { arguments.has($0) }
    }

    /// `settings` with the options given on the command line applied.
    func doorSettings(_ settings: [String: Any]) throws -> [String: Any] {
        var body = settings
        for (flag, key) in [("--name", "name"), ("--kind", "kind"), ("--direction", "direction"), ("--mode", "mode")] {
            if let text = arguments.value(flag) { body[key] = text }
        }
        func choose(_ on: String, _ off: String, _ key: String) throws {
            if arguments.has(on) && arguments.has(off) {
                throw CommandLineArguments.UsageError(message: "\(on) and \(off) cannot go together")
            }
            if arguments.has(on) { body[key] = true }
            if arguments.has(off) { body[key] = false }
        }
        try choose("--card-and-pin", "--no-card-and-pin", "cardAndPin")
        try choose("--anti-passback", "--no-anti-passback", "antiPassback")
        if let schedule = arguments.value("--schedule") {
            if arguments.has("--always-open") {
                throw CommandLineArguments.UsageError(message: "--schedule and --always-open cannot go together")
            }
            body["schedule"] = schedule
        }
        if arguments.has("--always-open") { body["schedule"] = nil }
        if let delay = arguments.value("--reentry-delay") {
            if arguments.has("--no-reentry-delay") {
                throw CommandLineArguments.UsageError(
                    message: "--reentry-delay and --no-reentry-delay cannot go together")
            }
            body["reentryDelaySeconds"] = try number(delay, "--reentry-delay")
        }
        if arguments.has("--no-reentry-delay") { body["reentryDelaySeconds"] = nil }
        if let expiry = arguments.value("--presence-expiry") {
            body["presenceExpirySeconds"] = try number(expiry, "--presence-expiry")
        }
        return body
    }

    func calendar() throws -> ExitCode {
        let verb = words.count > 1 ? words[1] : "list"
        guard ["list", "set", "clear"].contains(verb) else {
            throw CommandLineArguments.UsageError(
                message:
                    "calendar takes list --branch ID [--from DATE] [--to DATE], set --branch ID --day DATE "
                    + "(--closed | --hours TEXT) --note TEXT, or clear --branch ID --day DATE")
        }
        let branch = try number(try value("--branch"), "--branch")
        let client = try client()
        switch verb {
        case "list":
            var pairs: [(String, String)] = []
            for (flag, name) in [("--from", "from"), ("--to", "to")] {
                if let text = arguments.value(flag) { pairs.append((name, text)) }
            }
            list(
                try client.send("GET", "api/v1/branches/\(branch)/calendar", query: pairs).json(),
                [("day", "DAY"), ("kind", "KIND"), ("hours", "HOURS"), ("note", "NOTE"), ("updatedAt", "UPDATED")])
        case "set":
            var body: [String: Any] = ["day": try value("--day"), "note": try value("--note")]
            switch (arguments.has("--closed"), arguments.value("--hours")) {
            case (true, nil): body["kind"] = "closed"
            case (false, let hours?):
                body["kind"] = "special_hours"
                body["hours"] = hours
            default:
                throw CommandLineArguments.UsageError(message: "calendar set needs either --closed or --hours TEXT")
            }
            show(try client.send("PUT", "api/v1/branches/\(branch)/calendar", json: body).json())
        default:
            try client.send("DELETE", "api/v1/branches/\(branch)/calendar", query: [("day", try value("--day"))])
            print("cleared")
        }
        return .success
    }
}
