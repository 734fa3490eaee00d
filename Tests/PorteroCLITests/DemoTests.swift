import Foundation
import SQLite
import Testing

/// `portero demo` end to end: the seeded core, the daemon enrolled through sync, cards written
/// on a pty, every decision the one the seed meant, and each swipe at the core once.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct DemoTests {
    @Test func theDemoSwipesEveryKindOfCardAndTheCoreGetsEachDecisionOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portero-demo-test-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let swipes = 43
        let run = try Built.run(
            "portero",
            [
                "demo", "--port", "0", "--members", "300", "--swipe-every", "0.2", "--swipes", String(swipes),
                "--directory", directory,
            ])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("logins, all with the password"))
        for role in ["superadministrador", "administrador", "gerente_sucursal", "recepcion", "cliente"] {
            #expect(run.out.contains(role))
        }

        // Each printed decision is the one the seed meant it to be.
        let decisions = run.out.split(separator: "\n").filter { $0.contains("; expected ") }
        #expect(decisions.count == swipes, "\(run.out)")
        // Members of the other branches, known at Centro from the chain's card index only.
        #expect(decisions.filter { $0.contains("another branch's") }.count == 4, "\(run.out)")
        var reasons: Set<String> = []
        for line in decisions {
            let words = line.split(separator: " ")
            // "HH:MM:SS UTC-6  card N  reason  who": the word after the card's number.
            let card = try #require(words.firstIndex(of: "card"))
            let reason = String(words[card + 2])
            let expected = String(line[line.range(of: "; expected ")!.upperBound...])  // safe: filtered on it
            #expect(expected == reason || expected.split(separator: " ").contains(Substring(reason)), "\(line)")
            reasons.insert(reason)
        }
        for reason in [
            "granted", "granted.grace", "granted.staff", "subscription.expired", "subscription.frozen",
            "subscription.cancelled",
            "credential.revoked", "credential.unknown", "subscription.none", "plan.branch_not_covered",
            "plan.visit_limit", "payment.overdue",
        ] {
            #expect(reasons.contains(reason), "no \(reason) among \(reasons.sorted())")
        }

        // Every swipe reached the core through the upload, once.
        let core = try Connection(path: directory + "/core.sqlite")
        let uploaded = try core.scalar("SELECT count(*) FROM attendance WHERE device_id IS NOT NULL", as: Int.self)
        let distinct = try core.scalar(
            "SELECT count(DISTINCT id) FROM attendance WHERE device_id IS NOT NULL", as: Int.self)
        #expect(uploaded == swipes && distinct == swipes)
        #expect(try core.scalar("SELECT count(*) FROM users WHERE username LIKE 'socio%'", as: Int.self) == 300)
        #expect(try core.scalar("SELECT count(DISTINCT time_zone) FROM branches", as: Int.self) == 2)
    }
}
