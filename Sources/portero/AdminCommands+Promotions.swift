import CoreClient
import Foundation
import PorteroCLI

/// `portero promotions list|add|edit`: promotion codes and automatic promotions.
extension AdminCommands {
    static let promotionFlags: Set<String> = ["--active", "--inactive", "--automatic", "--always"]
    static let promotionValued: Set<String> = [
        "--code", "--percent", "--amount", "--plans", "--max-uses", "--max-uses-per-member",
    ]

    static let promotionColumns = [
        ("id", "ID"), ("code", "CODE"), ("name", "NAME"), ("discount", "DISCOUNT"), ("plans", "PLANS"),
        ("branches", "BRANCHES"), ("validFrom", "FROM"), ("validTo", "TO"), ("uses", "USES"), ("maxUses", "CAP"),
        ("maxUsesPerMember", "PER MEMBER"), ("active", "ACTIVE"),
    ]

    func promotions() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            let rows = ((try client.send("GET", "api/v1/promotions").json()) as? [[String: Any]] ?? [])
            list(json ? rows : rows.map(Self.readablePromotion), Self.promotionColumns)
        case "add":
            var body = try promotionTerms()
            body["name"] = try value("--name")
            guard body["kind"] != nil else {
                throw CommandLineArguments.UsageError(message: "promotions add needs --percent P or --amount A")
            }
            show(try client.send("POST", "api/v1/promotions", json: body).json())
        case "edit":
            let id = try number(try positional(2, "a promotion id"), "the promotion id")
            var body = try promotionTerms()
            if let name = arguments.value("--name") { body["name"] = name }
            guard !body.isEmpty else {
                throw CommandLineArguments.UsageError(message: "promotions edit needs a setting to change")
            }
            show(try client.send("PATCH", "api/v1/promotions/\(id)", json: body).json())
        default:
            throw CommandLineArguments.UsageError(
                message: "promotions takes list, add --name NAME (--percent P | --amount A) [...] or edit ID [...]")
        }
        return .success
    }

    /// A promotion as a listing shows it: its discount in words, "all" for no plan or branch, and
    /// "automatic" for no code.
    static func readablePromotion(_ row: [String: Any]) -> [String: Any] {
        var row = row
        let value = Double((row["value"] as? NSNumber)?.int64Value ?? 0) / 100
        row["discount"] = row["kind"] as? String == "percent" ? "\(value) %" : String(format: "%.2f", value)
        if row["code"] == nil { row["code"] = "automatic" }
        for key in ["plans", "branches"] where (row[key] as? [Any])?.isEmpty == true { row[key] = "all" }
        return row
    }

    /// The body fields the command line gives (add and edit).
    func promotionTerms() throws -> [String: Any] {
        var body: [String: Any] = [:]
        if let code = arguments.value("--code") { body["code"] = code }
        if arguments.has("--automatic") { body["code"] = "" }
        if arguments.value("--percent") != nil && arguments.value("--amount") != nil {
            throw CommandLineArguments.UsageError(message: "give --percent or --amount, not both")
        }
        if let percent = arguments.value("--percent") {
            guard let number = Decimal(string: percent), number > 0, number <= 100 else {
                throw CommandLineArguments.UsageError(message: "--percent must be from 0.01 to 100, such as 12.5")
            }
            body["kind"] = "percent"
            body["value"] = NSDecimalNumber(decimal: number * 100).int64Value
        }
        if let amount = arguments.value("--amount") {
            guard let number = Decimal(string: amount), number > 0 else {
                throw CommandLineArguments.UsageError(message: "--amount must be an amount such as 150.00")
            }
            body["kind"] = "amount"
            body["value"] = NSDecimalNumber(decimal: number * 100).int64Value
        }
        for (flag, key) in [("--plans", "plans"), ("--branches", "branches")] {
            guard let text = arguments.value(flag) else { continue }
            // "all" (or nothing) covers every plan or branch.
            body[key] =
                text == "all" || text.isEmpty ? [] : try text.split(separator: ",").map { try number(String($0), flag) }
        }
        for (flag, key) in [("--from", "validFrom"), ("--to", "validTo")] {
            if let day = arguments.value(flag) { body[key] = day }
        }
        if arguments.has("--always") {
            body["validFrom"] = NSNull()
            body["validTo"] = NSNull()
        }
        for (flag, key) in [("--max-uses", "maxUses"), ("--max-uses-per-member", "maxUsesPerMember")] {
            // "none" lifts the cap.
            if let cap = arguments.value(flag) { body[key] = cap == "none" ? NSNull() : try number(cap, flag) }
        }
        if arguments.has("--active") { body["active"] = true }
        if arguments.has("--inactive") { body["active"] = false }
        return body
    }
}
