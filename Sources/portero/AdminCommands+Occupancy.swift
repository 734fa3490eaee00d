import CoreClient
import Foundation
import PorteroCLI

/// `portero reports occupancy [--branch N]`: the people inside each branch now against its
/// limits; `portero branches occupancy --branch N [--warn N|none] [--capacity N|none]`: a branch's
/// capacity, shown, or set with the options given.
extension AdminCommands {
    static let occupancyValued: Set<String> = ["--warn", "--capacity"]

    static let occupancyUsage =
        "reports occupancy [--branch ID], or branches occupancy --branch ID [--warn N|none] [--capacity N|none]"

    static let occupancyColumns = [
        ("branch", "BRANCH"), ("name", "NAME"), ("inside", "INSIDE"), ("warn", "WARN"), ("limit", "LIMIT"),
        ("state", "STATE"), ("counted", "COUNTED"),
    ]

    /// The live occupancy report, one line a branch (`--json`: the core's answer whole).
    func reportOccupancy() throws -> ExitCode {
        let query = arguments.value("--branch").map { [("branch", $0)] } ?? []
        let answer = try client().send("GET", "api/v1/reports/occupancy", query: query).json()
        if json {
            printJSON(answer)
            return .success
        }
        list((answer as? [String: Any])?["branches"] ?? [], Self.occupancyColumns)
        return .success
    }

    /// A branch's capacity: shown, or set (an option left out keeps its value; none removes it).
    func branchOccupancy() throws -> ExitCode {
        let branch = try number(try value("--branch"), "--branch")
        let client = try client()
        let path = "api/v1/branches/\(branch)/occupancy"
        let current = try client.send("GET", path).json() as? [String: Any] ?? [:]
        let changes = [("--warn", "warn"), ("--capacity", "limit")].filter { arguments.value($0.0) != nil }
        guard !changes.isEmpty else {
            show(current)
            return .success
        }
        var body: [String: Any] = [:]
        for field in ["warn", "limit"] { body[field] = current[field] ?? NSNull() }
        for (flag, field) in changes {
            let text = arguments.value(flag) ?? ""
            if text == "none" {
                body[field] = NSNull()
            } else if let people = Int(text), people > 0 {
                body[field] = people
            } else {
                throw CommandLineArguments.UsageError(message: "\(flag) is a number of people or none")
            }
        }
        show(try client.send("PUT", path, json: body).json())
        return .success
    }
}
