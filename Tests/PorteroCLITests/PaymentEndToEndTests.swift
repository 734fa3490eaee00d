import CoreClient
import Foundation
import PorteroModel
import TestSupport
import Testing

/// A real core and an enrolled porterod on loopback: a subscription sold on credit and left unpaid
/// past the chain's grace closes the door (the snapshot carries it); the payment recorded at
/// headquarters opens it again through the feed within seconds.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct PaymentEndToEndTests {
    @Test func anUnpaidSubscriptionPastTheGraceIsRefusedUntilThePaymentIsRecorded() throws {
        let core = try AdminCLITests.Core()
        let admin = try SyncEndToEndTests.rootClient(core)
        let (branch, member, _, code) = try SyncEndToEndTests.seedBranch(admin)
        let paid = try #require(
            (try admin.send("GET", "api/v1/users/\(member)/subscriptions").json() as? [[String: Any]])?.first?["id"]
                as? Int64)
        try admin.send("POST", "api/v1/subscriptions/\(paid)/cancel")
        let zone = try ZoneRules(identifier: "America/Mexico_City")
        let today = zone.localDay(at: Timestamp(seconds: Int64(Date().timeIntervalSince1970)))
        let owed = try #require(
            try admin.send(
                "POST", "api/v1/subscriptions",
                json: [
                    "user": member, "plan": 1, "branch": branch, "startDate": today.adding(days: -20).description,
                    "payment": "credit", "paymentDue": today.adding(days: -10).description,
                ]
            ).json() as? [String: Any])
        let id = try #require(owed["id"] as? Int64)
        #expect(owed["doorRefusesFrom"] as? String == today.adding(days: -6).description, "three days of grace")

        let directory = core.directory.path
        _ = try SyncEndToEndTests.writeDaemonConfig(core, branch: branch)
        let enrolled = try Built.run("porterod", ["enroll", "--config", directory + "/porterod.json", "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 payment.overdue user \(member)"), "\(daemon.log.suffix(1500))")

        let started = Date()
        try admin.send(
            "POST", "api/v1/subscriptions/\(id)/payments", json: ["outcome": "paid", "method": "cash"])
        // The next swipe after the feed brings the payment is admitted.
        var admitted = false
        var swipes = 0
        while !admitted && Date().timeIntervalSince(started) < 5 {
            swipes += 1
            try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
            admitted = daemon.waitFor("card 5551234 granted user \(member)", timeout: 0.25)
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(admitted, "\(daemon.log.suffix(1500))")
        #expect(seconds < 3, "\(seconds) s after \(swipes) swipe(s)")
    }
}
