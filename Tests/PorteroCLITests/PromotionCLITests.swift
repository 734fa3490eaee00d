import Foundation
import Testing

/// `portero promotions` and `--promotion` on enrol and renew, against a real portero-core.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct PromotionCLITests {
    @Test func promotionsAreAddedEditedListedAndTakenAtTheSale() throws {
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
        func json(_ arguments: [String]) throws -> [String: Any] {
            let run = try core.portero(arguments + ["--json"])
            #expect(run.status == 0, "\(arguments): \(run.err)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        }
        let added = try json([
            "promotions", "add", "--name", "Verano", "--code", "verano", "--percent", "12.5", "--plans", "1",
            "--max-uses", "10",
        ])
        #expect(added["code"] as? String == "VERANO" && added["value"] as? Int == 1250)
        #expect(added["plans"] as? [Int] == [1] && added["maxUses"] as? Int == 10)
        let id = try #require(added["id"] as? Int)
        // Only what is given changes.
        let edited = try json(["promotions", "edit", "\(id)", "--amount", "100", "--max-uses", "none"])
        #expect(edited["kind"] as? String == "amount" && edited["value"] as? Int == 10_000)
        #expect(edited["maxUses"] == nil && edited["code"] as? String == "VERANO" && edited["plans"] as? [Int] == [1])
        let table = try core.portero(["promotions", "list"])
        #expect(table.status == 0 && table.out.hasPrefix("ID") && table.out.contains("VERANO"), "\(table.out)")
        #expect(table.out.contains("100.00") && table.out.contains("all"), "every branch")

        let sold = try json([
            "subscriptions", "enroll", "--user", "2", "--plan", "1", "--branch", "1", "--promotion", "verano",
        ])
        #expect((sold["discount"] as? [String: Any])?["minorUnits"] as? Int == 10_000)
        #expect((sold["pricePaid"] as? [String: Any])?["minorUnits"] as? Int == 49_900)
        let subscription = try #require(sold["id"] as? Int)
        _ = try json(["promotions", "edit", "\(id)", "--inactive"])
        let refused = try core.portero(["subscriptions", "renew", "\(subscription)", "--promotion", "VERANO"])
        #expect(refused.status != 0 && refused.err.contains("promotion: VERANO is inactive"), "\(refused.err)")
        let renewed = try json(["subscriptions", "renew", "\(subscription)"])
        #expect((renewed["pricePaid"] as? [String: Any])?["minorUnits"] as? Int == 59_900, "no promotion applies")

        let neither = try core.portero(["promotions", "add", "--name", "Nada"])
        #expect(neither.status == 64 && neither.err.contains("--percent P or --amount A"), "\(neither.err)")
        let help = try Built.run("portero", ["promotions", "--help"])
        #expect(help.status == 0 && help.out.hasPrefix("Usage: portero promotions"), "\(help.out)")
    }
}
