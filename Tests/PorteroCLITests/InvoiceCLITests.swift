import Foundation
import Testing

/// `portero invoices` against a real portero-core: a sale's invoice listed, shown, exported and
/// cancelled by a credit note.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct InvoiceCLITests {
    @Test func invoicesAreListedShownExportedAndCancelled() throws {
        let core = try AdminCLITests.Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)
        #expect(
            try core.portero(["plans", "create", "--name", "Mensual", "--price", "599.00", "--months", "1"]).status
                == 0)
        #expect(
            try core.portero([
                "users", "create", "--user", "ana", "--email", "ana@correo.mx", "--name", "Ana", "--surname", "Pérez",
                "--branch", "1",
            ]).status == 0)
        #expect(
            try core.portero(["subscriptions", "enroll", "--user", "2", "--plan", "1", "--branch", "1"]).status == 0)

        let table = try core.portero(["invoices", "list"])
        #expect(table.status == 0 && table.out.hasPrefix("ID") && table.out.contains("1-000001"), "\(table.out)")
        #expect(table.out.contains("Ana Pérez") && table.out.contains("valid"))
        let shown = try core.portero(["invoices", "show", "1", "--json"])
        let invoice = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])
        #expect((invoice["total"] as? [String: Any])?["minorUnits"] as? Int == 59_900)
        #expect((invoice["tax"] as? [String: Any])?["minorUnits"] as? Int == 8_262, "16 % contained in 599.00")

        let file = core.directory.appendingPathComponent("facturas.xlsx").path
        let exported = try core.portero(["invoices", "export", "--format", "xlsx", "--output", file])
        #expect(exported.status == 0 && exported.out.contains("wrote"), "\(exported.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).prefix(2) == Data("PK".utf8))

        let cancelled = try core.portero(["invoices", "cancel", "1", "--reason", "venta duplicada", "--json"])
        let note = try #require(try JSONSerialization.jsonObject(with: Data(cancelled.out.utf8)) as? [String: Any])
        #expect(note["folio"] as? String == "1-000002" && note["cancels"] as? Int == 1)
        let again = try core.portero(["invoices", "cancel", "1", "--reason", "otra vez"])
        #expect(again.status != 0 && again.err.contains("already cancelled"), "\(again.err)")
        #expect(try core.portero(["invoices", "list"]).out.contains("cancelled by 2"))
        let help = try Built.run("portero", ["invoices", "--help"])
        #expect(help.status == 0 && help.out.hasPrefix("Usage: portero invoices"), "\(help.out)")
    }
}
