import CoreClient
import Foundation
import PorteroCLI

/// `portero reports KIND`: the reports as tables, JSON, or files (CSV, XLSX) for a spreadsheet.
extension AdminCommands {
    static let reportValued: Set<String> = ["--by", "--after"]

    static let reportColumns: [String: [(String, String)]] = [
        "sales": [
            ("key", "GROUP"), ("label", "NAME"), ("count", "SOLD"), ("currency", "CURRENCY"), ("amount", "AMOUNT"),
        ],
        "pos": [("key", "ID"), ("label", "NAME"), ("quantity", "UNITS"), ("amount", "AMOUNT")],
        "attendance": [("weekday", "WEEKDAY"), ("hour", "HOUR"), ("count", "ENTRIES")],
        "interbranch": [("visitedBranchName", "VISITED"), ("homeBranchName", "SOLD AT"), ("visits", "VISITS")],
        "expiring": [
            ("clave", "CLAVE"), ("name", "NAME"), ("phone", "PHONE"), ("plan", "PLAN"), ("branchName", "BRANCH"),
            ("endDate", "ENDS"), ("daysLeft", "DAYS LEFT"),
        ],
        "absent": [
            ("clave", "CLAVE"), ("name", "NAME"), ("phone", "PHONE"), ("lastBranchName", "LAST BRANCH"),
            ("daysAway", "DAYS AWAY"),
        ],
    ]

    func reports() throws -> ExitCode {
        let kind = words.count > 1 ? words[1] : ""
        guard let columns = Self.reportColumns[kind] else {
            throw CommandLineArguments.UsageError(
                message: "reports takes sales, pos, attendance, interbranch, expiring, absent or occupancy")
        }
        var pairs: [(String, String)] = []
        for (flag, name) in [
            ("--from", "from"), ("--to", "to"), ("--by", "by"), ("--days", "days"), ("--after", "after"),
        ] {
            if let value = arguments.value(flag) { pairs.append((name, value)) }
        }
        let client = try client()
        if let format = arguments.value("--format") {
            guard ["csv", "xlsx"].contains(format) else {
                throw CommandLineArguments.UsageError(message: "--format must be csv or xlsx")
            }
            let output = try value("--output")
            let answer = try client.send("GET", "api/v1/reports/\(kind)", query: query(pairs + [("format", format)]))
            try answer.body.write(to: URL(fileURLWithPath: output))
            print("wrote \(answer.body.count) bytes to \(output)")
            return .success
        }
        let answer = try client.send("GET", "api/v1/reports/\(kind)", query: query(pairs)).json()
        if json {
            show(answer)
            return .success
        }
        let object = answer as? [String: Any] ?? [:]
        var rows = (object[kind == "attendance" ? "cells" : "rows"] as? [[String: Any]]) ?? []
        if kind == "attendance" { rows = rows.filter { ($0["count"] as? NSNumber)?.intValue ?? 0 > 0 } }
        list(rows.map(Self.readableReportRow), columns)
        if let next = object["next"] as? String { print("more: --after \(next)") }
        return .success
    }

    /// Amounts in units with two decimals, weekdays by name, absent days as "never".
    static func readableReportRow(_ row: [String: Any]) -> [String: Any] {
        var row = row
        if let minor = (row["minorUnits"] as? NSNumber)?.int64Value {
            row["amount"] = String(format: "%.2f", Double(minor) / 100)
        }
        if let day = (row["weekday"] as? NSNumber)?.intValue, (1...7).contains(day) {
            row["weekday"] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day - 1]
        }
        if row["user"] != nil, row["lastVisit"] == nil, row["endDate"] == nil { row["daysAway"] = "never" }
        return row
    }
}
