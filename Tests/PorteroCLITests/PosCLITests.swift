import Foundation
import Testing

/// `portero pos` and `portero cash` against a real portero-core on loopback: a product bought
/// in, a shift opened, a ticket rung up with change, and the cut closed with what was counted.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct PosCLITests {
    @Test func aTicketAndItsCutFromTheCommandLine() throws {
        let core = try AdminCLITests.Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)
        func object(_ arguments: [String]) throws -> [String: Any] {
            let run = try core.portero(arguments + ["--json"])
            #expect(run.status == 0, "\(arguments): \(run)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        }
        func id(_ value: [String: Any]) -> String { (value["id"] as? NSNumber).map { "\($0.int64Value)" } ?? "?" }
        func minor(_ value: Any?) -> Int64? { ((value as? [String: Any])?["minorUnits"] as? NSNumber)?.int64Value }

        let category = try object(["pos", "categories", "add", "--name", "Bebidas"])
        let product = try object([
            "pos", "products", "add", "--name", "Agua 1 L", "--sku", "AGUA-1L", "--price", "2500", "--tax", "1600",
            "--category", id(category),
        ])
        let bought = try object([
            "pos", "buy", "--branch", "1", "--supplier", "Bebidas del Centro", "--product", id(product), "--quantity",
            "10", "--cost", "1200",
        ])
        #expect(minor(bought["totalCost"]) == 12_000)
        let edited = try object([
            "pos", "products", "edit", id(product), "--price", "2700", "--category", "0", "--negative-stock",
        ])
        #expect(minor(edited["price"]) == 2_700 && edited["category"] == nil)
        #expect(edited["name"] as? String == "Agua 1 L")
        #expect(edited["allowsNegativeStock"] as? Bool == true)
        let back = try object(["pos", "products", "edit", id(product), "--price", "2500", "--no-negative-stock"])
        #expect(minor(back["price"]) == 2_500 && back["allowsNegativeStock"] as? Bool == false)
        let ledger = try core.portero(["pos", "products", "movements", id(product)])
        #expect(ledger.out.hasPrefix("AT") && ledger.out.contains("purchase"), "\(ledger.out)")
        let renamed = try object(["pos", "categories", "edit", id(category), "--name", "Aguas", "--inactive"])
        #expect(renamed["name"] as? String == "Aguas" && renamed["active"] as? Bool == false)
        let listed = try core.portero(["pos", "products", "list"])
        #expect(listed.out.hasPrefix("ID") && listed.out.contains("AGUA-1L"), "\(listed.out)")
        let register = try object(["cash", "registers", "add", "--branch", "1", "--name", "Caja 1"])
        let renamedRegister = try object(["cash", "registers", "edit", id(register), "--name", "Caja 1"])
        #expect(renamedRegister["name"] as? String == "Caja 1")
        let shift = try object(["cash", "open", "--register", id(register), "--float", "50000"])
        let again = try core.portero(["cash", "open", "--register", id(register), "--float", "0"])
        #expect(again.status != 0 && again.err.contains("Caja 1 already has an open shift"), "\(again)")

        let sale = try object([
            "pos", "sell", "--shift", id(shift), "--item", "\(id(product)):2", "--pay", "cash:6000",
        ])
        #expect(minor(sale["total"]) == 5_000 && minor(sale["change"]) == 1_000)
        let short = try core.portero([
            "pos", "sell", "--shift", id(shift), "--item", "\(id(product)):1", "--pay", "card:100",
        ])
        #expect(short.status != 0 && short.err.contains("payments"), "\(short.err)")
        #expect(try core.portero(["pos", "sales", "--shift", id(shift)]).out.contains("completed"))

        let withdrawal = try object([
            "cash", "move", id(shift), "--kind", "withdrawal", "--amount", "20000", "--reason", "Al banco",
        ])
        #expect(minor(withdrawal["amount"]) == -20_000)
        let cut = try object(["cash", "close", id(shift), "--cash", "35000"])
        let cash = (cut["methods"] as? [[String: Any]])?.first { $0["method"] as? String == "cash" }
        #expect(minor(cash?["expected"]) == 35_000 && minor(cash?["difference"]) == 0)
        #expect(cut["status"] as? String == "closed")
        let late = try core.portero(["pos", "void", id(sale), "--reason", "Tarde"])
        #expect(late.status != 0 && late.err.contains("closed"), "\(late.err)")
        let cuts = try core.portero(["cash", "cuts", "--branch", "1"])
        #expect(cuts.out.contains("Caja 1"))
    }
}
