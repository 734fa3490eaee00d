import CoreClient
import Foundation
import PorteroCLI

/// `portero invoices list|show|export|cancel`: subscription invoices and their credit notes.
extension AdminCommands {
    static let invoiceFlags: Set<String> = ["--mine"]
    static let invoiceValued: Set<String> = ["--format", "--output"]

    static let invoiceColumns = [
        ("id", "ID"), ("folio", "FOLIO"), ("kind", "KIND"), ("issuedDate", "DATE"), ("buyerName", "BUYER"),
        ("description", "DESCRIPTION"), ("total", "TOTAL"), ("tax", "TAX"), ("state", "STATE"),
    ]

    /// `--mine`: the caller's own invoices (a member's); otherwise those of the caller's branches.
    var invoicesPath: String { arguments.has("--mine") ? "api/v1/me/invoices" : "api/v1/invoices" }

    func invoiceQuery() -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (flag, name) in [("--from", "from"), ("--to", "to"), ("--user", "user"), ("--limit", "limit")] {
            if let value = arguments.value(flag) { pairs.append((name, value)) }
        }
        if let branch = arguments.value("--branch") { pairs.append(("branch", branch)) }
        return pairs
    }

    func invoices() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            let rows = (try client.send("GET", invoicesPath, query: invoiceQuery()).json()) as? [[String: Any]] ?? []
            list(json ? rows : rows.map(Self.readableInvoice), Self.invoiceColumns)
        case "show":
            let id = try number(try positional(2, "an invoice id"), "the invoice id")
            show(try client.send("GET", "\(invoicesPath)/\(id)").json())
        case "export":
            let format = arguments.value("--format") ?? "csv"
            guard ["csv", "xlsx"].contains(format) else {
                throw CommandLineArguments.UsageError(message: "--format must be csv or xlsx")
            }
            let output = try value("--output")
            let answer = try client.send("GET", invoicesPath, query: invoiceQuery() + [("format", format)])
            try answer.body.write(to: URL(fileURLWithPath: output))
            print("wrote \(answer.body.count) bytes to \(output)")
        case "cancel":
            let id = try number(try positional(2, "an invoice id"), "the invoice id")
            let note = try client.send("POST", "api/v1/invoices/\(id)/cancel", json: ["reason": try value("--reason")])
            show(try note.json())
        default:
            throw CommandLineArguments.UsageError(
                message: "invoices takes list, show ID, export --output FILE [--format csv|xlsx] or cancel ID --reason")
        }
        return .success
    }

    /// An invoice as a listing shows it: the buyer's name and whether it stands or was cancelled.
    static func readableInvoice(_ row: [String: Any]) -> [String: Any] {
        var row = row
        row["buyerName"] = (row["buyer"] as? [String: Any])?["name"] ?? ""
        row["state"] =
            row["cancelledBy"].map { "cancelled by \($0)" } ?? row["cancels"].map { "cancels \($0)" } ?? "valid"
        return row
    }
}
