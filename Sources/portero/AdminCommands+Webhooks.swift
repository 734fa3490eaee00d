import CoreClient
import Foundation
import PorteroCLI

/// `portero webhooks list|add|edit|remove|deliveries|test|rotate`: the chain's webhook endpoints,
/// their signing secrets and their delivery logs.
extension AdminCommands {
    static let webhookValued: Set<String> = ["--url", "--kinds"]

    static let webhookColumns = [
        ("id", "ID"), ("url", "URL"), ("kinds", "KINDS"), ("branches", "BRANCHES"), ("active", "ACTIVE"),
        ("failures", "FAILURES"), ("createdAt", "CREATED"),
    ]
    static let webhookDeliveryColumns = [
        ("id", "ID"), ("kind", "KIND"), ("event", "EVENT"), ("status", "STATUS"), ("attempts", "ATTEMPTS"),
        ("lastStatus", "HTTP"), ("lastError", "ERROR"), ("createdAt", "CREATED"), ("deliveredAt", "DELIVERED"),
    ]

    static let webhookUsage = """
        webhooks takes list, add --url URL --kinds K,K [--branches 1,2] [--inactive], \
        edit ID [--url URL] [--kinds K,K] [--branches 1,2|all] [--active|--inactive], remove ID, \
        deliveries ID, test ID or rotate ID
        """

    func webhooks() throws -> ExitCode {
        let client = try client()
        let action = words.count > 1 ? words[1] : "list"
        switch action {
        case "list":
            let rows = ((try client.send("GET", "api/v1/webhooks").json()) as? [[String: Any]] ?? [])
            list(json ? rows : rows.map(Self.readableWebhook), Self.webhookColumns)
        case "add":
            var body = try webhookTerms()
            body["url"] = try value("--url")
            guard body["kinds"] != nil else { throw CommandLineArguments.UsageError(message: Self.webhookUsage) }
            let made = (try client.send("POST", "api/v1/webhooks", json: body).json()) as? [String: Any] ?? [:]
            if json {
                show(made)
            } else {
                show(made["webhook"] ?? [:])
                print("secret: \(made["secret"] as? String ?? "") (shown only now: keep it to check signatures)")
            }
        case "edit":
            let id = try number(try positional(2, "a webhook id"), "the webhook id")
            let body = try webhookTerms()
            guard !body.isEmpty else {
                throw CommandLineArguments.UsageError(message: "webhooks edit needs a setting to change")
            }
            show(try client.send("PATCH", "api/v1/webhooks/\(id)", json: body).json())
        case "remove":
            let id = try number(try positional(2, "a webhook id"), "the webhook id")
            try client.send("DELETE", "api/v1/webhooks/\(id)")
            print("removed")
        case "deliveries":
            let id = try number(try positional(2, "a webhook id"), "the webhook id")
            let rows =
                (try client.send("GET", "api/v1/webhooks/\(id)/deliveries", query: query([])).json())
                as? [[String: Any]] ?? []
            list(rows, Self.webhookDeliveryColumns)
        case "test":
            let id = try number(try positional(2, "a webhook id"), "the webhook id")
            show(try client.send("POST", "api/v1/webhooks/\(id)/test", json: [:]).json())
        case "rotate":
            let id = try number(try positional(2, "a webhook id"), "the webhook id")
            let answer = (try client.send("POST", "api/v1/webhooks/\(id)/rotate", json: [:]).json()) as? [String: Any]
            if json {
                show(answer ?? [:])
            } else {
                print("secret: \(answer?["secret"] as? String ?? "") (shown only now; the old one no longer signs)")
            }
        default:
            throw CommandLineArguments.UsageError(message: Self.webhookUsage)
        }
        return .success
    }

    /// A webhook as a listing shows it: its kinds joined, "all" for no branch.
    static func readableWebhook(_ row: [String: Any]) -> [String: Any] {
        var row = row
        row["kinds"] = (row["kinds"] as? [String])?.joined(separator: ",") ?? ""
        let branches = (row["branches"] as? [Any])?.map { "\($0)" } ?? []
        row["branches"] = branches.isEmpty ? "all" : branches.joined(separator: ",")
        return row
    }

    /// The body fields the command line gives (add and edit).
    func webhookTerms() throws -> [String: Any] {
        var body: [String: Any] = [:]
        if let url = arguments.value("--url") { body["url"] = url }
        if let kinds = arguments.value("--kinds") {
            body["kinds"] = kinds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let text = arguments.value("--branches") {
            body["branches"] =
                text == "all" ? [] : try text.split(separator: ",").map { try number(String($0), "--branches") }
        }
        if arguments.has("--active") && arguments.has("--inactive") {
            throw CommandLineArguments.UsageError(message: "give --active or --inactive, not both")
        }
        if arguments.has("--active") { body["active"] = true }
        if arguments.has("--inactive") { body["active"] = false }
        return body
    }
}
