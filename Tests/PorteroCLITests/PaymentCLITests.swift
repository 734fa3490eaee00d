import Foundation
import Testing

/// `portero settings` and `portero payments` against a real portero-core on loopback.
@Suite(.enabled(if: Built.directory != nil)) struct PaymentCLITests {
    @Test func aSaleOnCreditIsListedAsOwedThenPaidAndTheSettingsChangeOneFlagAtATime() throws {
        let core = try AdminCLITests.Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)
        let grace = try core.portero(["settings", "set", "--payment-grace", "5", "--tax-rate", "8.5", "--json"])
        #expect(grace.status == 0, "\(grace.err)")
        let settings = try #require(try JSONSerialization.jsonObject(with: Data(grace.out.utf8)) as? [String: Any])
        #expect(settings["paymentGraceDays"] as? Int == 5 && settings["taxRateBasisPoints"] as? Int == 850)
        #expect(settings["currency"] as? String == "MXN", "what is not given stays")
        let networks = try core.portero([
            "settings", "set", "--sign-in-networks", "administrador=10.0.0.0/8, 192.168.1.0/24;recepcion=", "--json",
        ])
        let limits =
            (try JSONSerialization.jsonObject(with: Data(networks.out.utf8)) as? [String: Any])?[
                "signInNetworks"] as? [String: [String]]
        #expect(limits?["administrador"] == ["10.0.0.0/8", "192.168.1.0/24"] && limits?["recepcion"] == [])
        let chosen = try core.portero(["notifications", "preferences", "door", "--email-too", "on", "--json"])
        let kinds = try #require(try JSONSerialization.jsonObject(with: Data(chosen.out.utf8)) as? [[String: Any]])
        #expect(kinds.first { $0["kind"] as? String == "door" }?["email"] as? Bool == true, "\(chosen.err)")
        #expect(kinds.first { $0["kind"] as? String == "door" }?["inApp"] as? Bool == true, "what is not given stays")
        let noKind = try core.portero(["notifications", "preferences", "weather", "--email-too", "on"])
        #expect(noKind.status == 64 && noKind.err.contains("weather"))
        let wrong = try core.portero(["settings", "set", "--currency", "pesos"])
        #expect(wrong.status != 0 && wrong.err.contains("currency"), "\(wrong.err)")

        let plan = try core.portero(["plans", "create", "--name", "Mensual", "--price", "599", "--months", "1"])
        #expect(plan.status == 0)
        let user = try core.portero([
            "users", "create", "--user", "ana", "--email", "ana@correo.mx", "--name", "Ana", "--surname", "Ruiz",
            "--branch", "1", "--role", "cliente", "--json",
        ])
        let member = try #require(
            (try JSONSerialization.jsonObject(with: Data(user.out.utf8)) as? [String: Any])?["id"] as? Int64)
        let today = ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "America/Mexico_City")!, formatOptions: [.withFullDate])
        let sold = try core.portero([
            "subscriptions", "enroll", "--user", "\(member)", "--plan", "1", "--branch", "1", "--payment", "credit",
            "--due", today, "--json",
        ])
        #expect(sold.status == 0, "\(sold.err)")
        let sale = try #require(try JSONSerialization.jsonObject(with: Data(sold.out.utf8)) as? [String: Any])
        let id = try #require(sale["id"] as? Int64)
        #expect(sale["paymentStatus"] as? String == "credit")
        let owed = try core.portero(["payments", "owed"])
        #expect(owed.status == 0 && owed.out.hasPrefix("SUBSCRIPTION") && owed.out.contains("credit"), "\(owed.out)")
        let badMethod = try core.portero(["payments", "record", "\(id)", "--method", "cheque"])
        #expect(badMethod.status != 0 && badMethod.err.contains("method"), "\(badMethod.err)")
        let paid = try core.portero([
            "payments", "record", "\(id)", "--method", "transfer", "--amount", "599.00", "--reference", "SPEI-77",
        ])
        #expect(paid.status == 0, "\(paid.err)")
        let history = try core.portero(["payments", "list", "\(id)", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["method"] as? String == "transfer")
        #expect(((rows.first?["amount"] as? [String: Any])?["minorUnits"] as? Int) == 59_900)
        let none = try core.portero(["payments", "owed", "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(none.out.utf8)) as? [Any])?.isEmpty == true)
        let unknown = try core.portero(["payments", "refund", "\(id)"])
        #expect(unknown.status == 64 && unknown.err.contains("payments takes owed"))
    }
}
