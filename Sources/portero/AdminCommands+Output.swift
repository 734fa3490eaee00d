import Foundation

/// How the commands print what the core answers: tables, key-value listings, JSON, local times.
extension AdminCommands {
    /// A listing: JSON with --json, else a table of `columns` (key, heading).
    func list(_ value: Any, _ columns: [(String, String)]) {
        if json { return printJSON(value) }
        let rows = (Self.readable(value) as? [[String: Any]]) ?? []
        let cells = rows.map { row in columns.map { Self.text(row[$0.0]) } }
        var widths = columns.map { $0.1.count }
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], min(cell.count, 40)) }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, cell in
                let clipped = cell.count > 40 ? String(cell.prefix(39)) + "…" : cell
                return clipped + String(repeating: " ", count: max(0, widths[index] - clipped.count))
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        print(line(columns.map(\.1)))
        for row in cells { print(line(row)) }
        if rows.isEmpty { print("(none)") }
    }

    func show(_ value: Any) {
        if json { return printJSON(value) }
        guard let object = Self.readable(value) as? [String: Any] else { return printJSON(value) }
        let width = object.keys.map(\.count).max() ?? 0
        for key in object.keys.sorted() {
            print(key + String(repeating: " ", count: width - key.count) + "  " + Self.text(object[key]))
        }
    }

    func printJSON(_ value: Any) {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
        else { return print(value) }
        print(String(decoding: data, as: UTF8.self))
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return ""
        case let text as String: return text.replacingOccurrences(of: "\n", with: " ")
        case let number as NSNumber:
            // JSON's true and false decode as NSNumber too, of type "c"; numbers never do.
            if String(cString: number.objCType) == "c" { return number.boolValue ? "yes" : "no" }
            return number.stringValue
        case let list as [Any]: return list.map { text($0) }.joined(separator: ",")
        case let object as [String: Any]:
            if let units = object["minorUnits"] as? Int, let currency = object["currency"] as? String {
                return String(format: "%.2f %@", Double(units) / 100, currency)
            }
            if let unit = object["unit"] as? String, let count = object["count"] as? Int {
                // A plan's duration: "1 month", "30 days".
                return "\(count) " + (count == 1 ? String(unit.dropLast()) : unit)
            }
            if let number = object["number"] { return text(number) }
            return object.keys.sorted().map { "\($0)=\(text(object[$0]))" }.joined(separator: " ")
        default: return "\(value!)"  // safe: nil handled above
        }
    }

    /// Times for people: every `at` or `…At` field (milliseconds since the epoch) as a local
    /// date and time with its zone: the row's branch's zone when the row names a branch whose zone
    /// is known, else the zone of the machine the command runs on.
    static func readable(_ value: Any, zones: [Int64: String] = [:]) -> Any {
        func convert(_ row: [String: Any]) -> [String: Any] {
            var row = row
            let branch = (row["branch"] as? NSNumber)?.int64Value ?? (row["branchId"] as? NSNumber)?.int64Value
            let zone = branch.flatMap { zones[$0] }.flatMap(TimeZone.init(identifier:)) ?? .current
            for (key, field) in row where key == "at" || key.hasSuffix("At") {
                guard let number = field as? NSNumber, String(cString: number.objCType) != "c" else { continue }
                row[key] = localTime(milliseconds: number.int64Value, in: zone)
            }
            return row
        }
        if let rows = value as? [[String: Any]] { return rows.map(convert) }
        if let row = value as? [String: Any] { return convert(row) }
        return value
    }

    /// `2026-12-03 08:15:02 CST`.
    static func localTime(milliseconds: Int64, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
