import CoreClient
import Foundation
import PorteroCLI

/// `portero attendance`: listing, today's visits and following new ones.
extension AdminCommands {
    static let attendanceColumns = [
        ("at", "AT"), ("branch", "BRANCH"), ("door", "DOOR"), ("clave", "CLAVE"), ("userName", "NAME"),
        ("cardNumber", "CARD"),
        ("granted", "GRANTED"), ("reason", "REASON"), ("note", "NOTE"),
    ]

    func attendanceQuery() -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (flag, name) in [
            ("--from", "from"), ("--to", "to"), ("--reason", "reason"), ("--door", "door"), ("--user", "user"),
        ] {
            if let value = arguments.value(flag) { pairs.append((name, value)) }
        }
        if arguments.has("--granted") { pairs.append(("granted", "true")) }
        if arguments.has("--denied") { pairs.append(("granted", "false")) }
        return query(pairs)
    }

    func attendance() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            list(
                Self.readable(
                    try client.send("GET", "api/v1/attendance", query: attendanceQuery()).json(),
                    zones: branchZones(client)),
                Self.attendanceColumns)
        case "today":
            list(
                Self.readable(
                    try client.send("GET", "api/v1/attendance/today", query: query([])).json(),
                    zones: branchZones(client)),
                Self.attendanceColumns)
        case "tail":
            return try tail(client)
        default:
            throw CommandLineArguments.UsageError(
                message: "attendance takes list, today or tail [--branch ID] [--interval SECONDS]")
        }
        return .success
    }

    /// The branches' time zones by id (one request), for times shown in the branch's zone.
    func branchZones(_ client: CoreClient) -> [Int64: String] {
        guard let rows = (try? client.send("GET", "api/v1/branches").json()) as? [[String: Any]] else { return [:] }
        var zones: [Int64: String] = [:]
        for row in rows {
            if let id = (row["id"] as? NSNumber)?.int64Value, let zone = row["timeZone"] as? String { zones[id] = zone }
        }
        return zones
    }

    /// Follows new attendance rows until interrupted: the newest row's cursor is kept and each
    /// poll asks only for rows after it, printed oldest first.
    func tail(_ client: CoreClient) throws -> ExitCode {
        let interval = Double(arguments.value("--interval") ?? "1") ?? 1
        var pairs = attendanceQuery().filter { $0.0 != "limit" }
        pairs.append(("limit", "1"))
        let first = try client.send("GET", "api/v1/attendance", query: pairs)
        var cursor: String? = (try first.json() as? [[String: Any]])?.first.flatMap { row in
            (row["at"] as? Int64).flatMap { at in (row["id"] as? String).map { "\(at)~\($0)" } }
        }
        if !json { print(Self.attendanceColumns.map(\.1).joined(separator: "  ")) }
        while true {
            var query = attendanceQuery().filter { $0.0 != "limit" } + [("limit", "500")]
            if let cursor { query.append(("after", cursor)) }
            do {
                let rows = (try client.send("GET", "api/v1/attendance", query: query).json() as? [[String: Any]]) ?? []
                for row in rows.reversed() {
                    if json {
                        printJSON(row)
                    } else {
                        print(
                            Self.attendanceColumns.map {
                                Self.text((Self.readable([row]) as? [[String: Any]])?.first?[$0.0])
                            }.joined(separator: "  "))
                    }
                }
                if let newest = rows.first, let at = newest["at"] as? Int64, let id = newest["id"] as? String {
                    cursor = "\(at)~\(id)"
                }
                fflush(nil)
            } catch let error as CoreClientError where error.status == nil {
                printError("portero: \(error); retrying")
            }
            Thread.sleep(forTimeInterval: max(0.2, interval))
        }
    }
}
