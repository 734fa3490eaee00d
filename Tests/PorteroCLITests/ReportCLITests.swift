import Foundation
import Testing

/// `portero reports` against a real portero-core: sales by method as a table and as JSON, the
/// renewal call list, a file for a spreadsheet, and a grouping the core refuses.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct ReportCLITests {
    @Test func reportsArePrintedAsTablesJSONAndFiles() throws {
        let core = try AdminCLITests.Core()
        try core.signInWithCentroAndAna()
        #expect(
            try core.portero(["plans", "create", "--name", "Mensual", "--price", "599.00", "--months", "1"]).status
                == 0)
        #expect(
            try core.portero(["subscriptions", "enroll", "--user", "2", "--plan", "1", "--branch", "1"]).status == 0)

        let sales = try core.portero(["reports", "sales", "--by", "method"])
        #expect(sales.status == 0 && sales.out.hasPrefix("GROUP"), "\(sales.out)\(sales.err)")
        #expect(sales.out.contains("cash") && sales.out.contains("599.00"), "\(sales.out)")
        let plans = try core.portero(["reports", "sales", "--by", "plan", "--json"])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(plans.out.utf8)) as? [String: Any])
        let rows = answer["rows"] as? [[String: Any]]
        #expect(rows?.first?["label"] as? String == "Mensual" && rows?.first?["minorUnits"] as? Int == 59_900)
        let due = try core.portero(["reports", "expiring", "--days", "40"])
        #expect(due.status == 0 && due.out.contains("Ana Pérez") && due.out.contains("Mensual"), "\(due.out)")
        let file = core.directory.appendingPathComponent("ventas.csv").path
        let written = try core.portero(["reports", "sales", "--by", "branch", "--format", "csv", "--output", file])
        #expect(written.status == 0 && written.out.contains("wrote"), "\(written.err)")
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        #expect(csv.contains("branch,name,sold,currency,amount") && csv.contains("Centro,1,MXN,599.00"), "\(csv)")
        let refused = try core.portero(["reports", "sales", "--by", "colour"])
        #expect(refused.status != 0 && refused.err.contains("by"), "\(refused.err)")
        let unknown = try core.portero(["reports", "weather"])
        #expect(unknown.status != 0 && unknown.err.contains("sales, pos"), "\(unknown.err)")
    }
}

extension AdminCLITests.Core {
    /// Signed in as root, with the branch Centro (1) and the member Ana (user 2).
    func signInWithCentroAndAna() throws {
        let url = "http://127.0.0.1:\(port)"
        #expect(try portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)
        #expect(
            try portero([
                "users", "create", "--user", "ana", "--email", "ana@correo.mx", "--name", "Ana", "--surname", "Pérez",
                "--branch", "1",
            ]).status == 0)
    }
}
