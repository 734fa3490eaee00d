import CoreClient
import CoreStorage
import Foundation
import PorteroCLI

/// `portero users import FILE.csv`: the file is read and checked here (UTF-8, columns), then
/// checked by the core in chunks (dry runs) with progress, and imported in one request only when
/// no row was refused, so nothing is ever half-imported.
struct UserImport {
    let client: CoreClient
    let path: String
    let dryRun: Bool
    let json: Bool
    static let chunkRows = 500

    func run() throws -> ExitCode {
        guard let data = FileManager.default.contents(atPath: path) else { throw AdminError("cannot read \(path)") }
        let records: [CSVReader.Record]
        do { records = try CSVReader.records(Array(data)) } catch { throw AdminError("\(path): \(error)") }
        guard let header = records.first else { throw AdminError("\(path) is empty") }
        let rows = Array(records.dropFirst())
        var rejected: [(line: Int, field: String, problem: String)] = []
        var checked = 0
        for start in stride(from: 0, to: rows.count, by: Self.chunkRows) {
            let chunk = Array(rows[start..<min(rows.count, start + Self.chunkRows)])
            // The chunk as CSV, and which of its lines each record starts on (quoted fields may span lines).
            var text = Self.line(header.fields)
            var lineOfRecord: [Int: Int] = [:]
            var line = 2
            for record in chunk {
                lineOfRecord[line] = record.line
                let serialised = Self.line(record.fields)
                text += serialised
                line += serialised.filter { $0 == "\n" }.count
            }
            let response = try client.send(
                "POST", "api/v1/users/import", query: [("dryRun", "true")], body: Data(text.utf8),
                contentType: "text/csv; charset=utf-8",
                allowing: [422])
            if let answer = try response.json() as? [String: Any] {
                for rejection in (answer["rejected"] as? [[String: Any]]) ?? [] {
                    let chunkLine = (rejection["line"] as? Int) ?? 0
                    rejected.append(
                        (
                            lineOfRecord[chunkLine] ?? (chunkLine == 1 ? header.line : chunkLine),
                            rejection["field"] as? String ?? "", rejection["problem"] as? String ?? ""
                        ))
                }
                // a file-level problem: every chunk would say the same
                if response.status == 422 && (answer["checked"] as? Int ?? 0) == 0 { break }
            }
            checked += chunk.count
            if !json {
                FileHandle.standardError.write(
                    Data("\rchecked \(checked) of \(rows.count) rows, \(rejected.count) refused".utf8))
            }
        }
        if !json { FileHandle.standardError.write(Data("\n".utf8)) }
        // Rows the chunks could not see together (a username twice in the file) are caught by the final import.
        if rejected.isEmpty && !dryRun {
            let response = try client.send(
                "POST", "api/v1/users/import", body: data, contentType: "text/csv; charset=utf-8", allowing: [422])
            let answer = (try response.json() as? [String: Any]) ?? [:]
            for rejection in (answer["rejected"] as? [[String: Any]]) ?? [] {
                rejected.append(
                    (
                        (rejection["line"] as? Int) ?? 0, rejection["field"] as? String ?? "",
                        rejection["problem"] as? String ?? ""
                    ))
            }
            if rejected.isEmpty {
                let imported = answer["imported"] as? Int ?? 0
                if json {
                    print(#"{"imported": \#(imported), "rejected": []}"#)
                } else {
                    print("imported \(imported) users from \(path)")
                }
                return .success
            }
        }
        if json {
            let list = rejected.map { ["line": $0.line, "field": $0.field, "problem": $0.problem] as [String: Any] }
            let data =
                (try? JSONSerialization.data(
                    withJSONObject: ["imported": 0, "dryRun": dryRun, "rejected": list],
                    options: [.prettyPrinted, .sortedKeys])) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else if rejected.isEmpty {
            print("all \(rows.count) rows pass; nothing imported (dry run)")
        } else {
            print("nothing imported: \(rejected.count) row(s) refused")
            for rejection in rejected.sorted(by: { $0.line < $1.line }) {
                print("  line \(rejection.line): \(rejection.field): \(rejection.problem)")
            }
        }
        return rejected.isEmpty ? .success : .dataError
    }

    static func line(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\n"
    }
}
