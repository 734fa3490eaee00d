import CoreClient
import Foundation
import PorteroCLI

/// `portero support sessions|show|end`: assisted sessions (support acting for a user), listed,
/// looked at, or ended with a reason.
extension AdminCommands {
    static let supportValued: Set<String> = ["--support-minutes"]

    static let supportColumns = [
        ("id", "ID"), ("supportName", "SUPPORT"), ("userName", "USER"), ("userEmail", "EMAIL"), ("status", "STATUS"),
        ("createdAt", "ASKED"), ("endsAt", "ENDS"), ("endedBy", "ENDED BY"), ("reason", "REASON"),
    ]

    static let supportUsage = "support takes sessions [--limit N] [--status S], show ID or end ID --reason TEXT"

    func support() throws -> ExitCode {
        let client = try client()
        let action = words.count > 1 ? words[1] : "sessions"
        switch action {
        case "sessions":
            var rows =
                (try client.send("GET", "api/v1/support/requests", query: query([])).json()) as? [[String: Any]] ?? []
            if let status = arguments.value("--status") { rows = rows.filter { $0["status"] as? String == status } }
            list(rows, Self.supportColumns)
        case "show":
            let id = try number(try positional(2, "a support request id"), "the support request id")
            show(try client.send("GET", "api/v1/support/requests/\(id)").json())
        case "end":
            let id = try number(try positional(2, "a support request id"), "the support request id")
            let reason = try value("--reason")
            show(try client.send("POST", "api/v1/support/requests/\(id)/end", json: ["reason": reason]).json())
        default:
            throw CommandLineArguments.UsageError(message: Self.supportUsage)
        }
        return .success
    }
}
