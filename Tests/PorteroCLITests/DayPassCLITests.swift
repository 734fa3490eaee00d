import Foundation
import Testing

/// `portero subscriptions pass` against a real portero-core: a pass plan sold to a member prints
/// its signed code with the details, `--send` queues it to the member's email, and a
/// subscription that is not there is an error.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct DayPassCLITests {
    @Test func aPassPrintsItsCodeAndIsSent() throws {
        let core = try AdminCLITests.Core()
        try core.signInWithCentroAndAna()
        let plan = try core.portero([
            "plans", "create", "--name", "Pase de día", "--price", "100.00", "--days", "1", "--visits-total", "2",
            "--branches", "1",
        ])
        #expect(plan.status == 0, "\(plan.err)")
        let sold = try core.portero(["subscriptions", "enroll", "--user", "2", "--plan", "1", "--branch", "1"])
        #expect(sold.status == 0, "\(sold.err)")

        let printed = try core.portero(["subscriptions", "pass", "1"])
        #expect(printed.status == 0, "\(printed.err)")
        let lines = printed.out.split(separator: "\n").map(String.init)
        let code = try #require(lines.first)
        #expect(code.count == 174 && code.hasPrefix("72000000000001") && code.allSatisfy(\.isNumber))
        #expect(printed.out.contains("Pase de día") && printed.out.contains("Ana Pérez"))
        #expect(lines.contains { $0.hasPrefix("entries") && $0.hasSuffix("2") })
        #expect(lines.contains { $0.hasPrefix("used") && $0.hasSuffix("0") })
        #expect(lines.contains { $0.hasPrefix("branches") && $0.hasSuffix("1") })

        let json = try core.portero(["subscriptions", "pass", "1", "--json"])
        #expect(json.status == 0 && json.out.contains("\"code\" : \"72") && json.out.contains("\"entries\" : 2"))

        let sent = try core.portero(["subscriptions", "pass", "1", "--send"])
        #expect(sent.status == 0 && sent.out.contains("sent to ana@correo.mx"), "\(sent.err)")
        let missing = try core.portero(["subscriptions", "pass", "99"])
        #expect(missing.status != 0 && missing.err.contains("no such subscription"))

        // The desk's sale from a script: a guest given a pass with the reason, then one sold to Ana.
        let given = try core.portero([
            "subscriptions", "day-pass", "--plan", "1", "--branch", "1", "--guest", "Luis Invitado", "--guest-phone",
            "55 1111 2222", "--give", "Cortesía por la queja 12", "--json",
        ])
        #expect(given.status == 0, "\(given.err)")
        let gift = try #require(try JSONSerialization.jsonObject(with: Data(given.out.utf8)) as? [String: Any])
        #expect((gift["pricePaid"] as? [String: Any])?["minorUnits"] as? Int == 0)
        let guest = try #require(gift["userID"] as? Int)
        let listed = try core.portero(["users", "list", "--q", "invitado", "--json"])
        #expect(listed.out.contains("Luis Invitado") && listed.out.contains("\"id\" : \(guest)"))
        let paid = try core.portero(["subscriptions", "day-pass", "--plan", "1", "--branch", "1", "--user", "2"])
        #expect(paid.status == 0 && paid.out.contains("Pase de día"), "\(paid.out)\(paid.err)")
        let both = try core.portero(["subscriptions", "day-pass", "--plan", "1", "--branch", "1"])
        #expect(both.status == 64 && both.err.contains("--user ID or --guest NAME"))
        let free = try core.portero([
            "subscriptions", "day-pass", "--plan", "1", "--branch", "1", "--user", "2", "--price", "0",
        ])
        #expect(free.status == 64 && free.err.contains("--give REASON"))
        let huge = try core.portero([
            "subscriptions", "day-pass", "--plan", "1", "--branch", "1", "--user", "2", "--price", "1e30",
        ])
        #expect(huge.status == 64 && huge.err.contains("--price must be an amount"), "no trap")
    }
}
