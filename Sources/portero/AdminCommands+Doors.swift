import CoreClient
import Foundation
import PorteroCLI

/// `portero doors`: each door as its branch reported it, the commands sent, and remote unlock,
/// lockdown, free access and back to normal; the doors as headquarters defines them are set by
/// the verbs in AdminCommands+DoorSetup.swift.
extension AdminCommands {
    func doors() throws -> ExitCode {
        let client = try client()
        let action = words.count > 1 ? words[1] : "list"
        switch action {
        case "list":
            list(
                try client.send("GET", "api/v1/doors", query: query([])).json(),
                [
                    ("branch", "BRANCH"), ("door", "DOOR"), ("name", "NAME"), ("mode", "MODE"), ("until", "UNTIL"),
                    ("by", "SET BY"), ("reportedAt", "REPORTED"),
                ])
        case "history":
            list(
                try client.send("GET", "api/v1/door-commands", query: query([])).json(),
                [
                    ("id", "ID"), ("branch", "BRANCH"), ("door", "DOOR"), ("command", "COMMAND"),
                    ("reason", "REASON"), ("createdAt", "AT"), ("until", "UNTIL"), ("deliveredAt", "DELIVERED"),
                ])
        case "unlock", "lockdown", "free-access", "release":
            let branch = try number(try value("--branch"), "--branch")
            var body: [String: Any] = [
                "command": action == "unlock" ? "unlock_once" : action.replacingOccurrences(of: "-", with: "_"),
                "reason": try value("--reason"),
            ]
            if let door = arguments.value("--door") { body["door"] = try number(door, "--door") }
            if action == "unlock" && body["door"] == nil {
                throw CommandLineArguments.UsageError(message: "doors unlock needs --door")
            }
            if let minutes = arguments.value("--minutes") { body["minutes"] = try number(minutes, "--minutes") }
            show(try client.send("POST", "api/v1/branches/\(branch)/commands", json: body).json())
        default:
            guard try doorSetup(client, action) else {
                throw CommandLineArguments.UsageError(
                    message:
                        "doors takes list, history, unlock --branch ID --door ID --reason TEXT, "
                        + "lockdown|free-access|release --branch ID [--door ID] [--minutes N] --reason TEXT, "
                        + "defined --branch ID, add --branch ID --name NAME [settings], "
                        + "edit --branch ID --door ID [settings] or remove --branch ID --door ID")
            }
        }
        return .success
    }
}
