import CoreClient
import Foundation
import PorteroModel
import TestSupport
import Testing

/// A real portero-core and a real porterod of another branch: members of the chain who are not
/// the branch's own are told apart from strangers at its door, and visit limits count the
/// entries made at every branch.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct ChainEndToEndTests {
    static func id(_ response: CoreResponse) throws -> Int64 {
        try #require((try response.json() as? [String: Any])?["id"] as? Int64)
    }

    @Test func aMemberOfAnotherBranchAndTheirVisitsThereAreKnownAtThisBranchsDoor() throws {
        let core = try AdminCLITests.Core()
        let admin = try SyncEndToEndTests.rootClient(core)
        func branch(_ name: String, _ zone: String) throws -> Int64 {
            let id = try Self.id(
                try admin.send("POST", "api/v1/branches", json: ["name": name, "city": name, "timeZone": zone]))
            try SyncEndToEndTests.defineEntrance(admin, branch: id)
            return id
        }
        let centro = try branch("Centro", "America/Mexico_City")
        let norte = try branch("Norte", "America/Monterrey")
        func plan(_ name: String, _ extra: [String: Any]) throws -> Int64 {
            try Self.id(
                try admin.send(
                    "POST", "api/v1/plans",
                    json: ["name": name, "priceMinor": 59900, "currency": "MXN", "durationMonths": 1].merging(
                        extra, uniquingKeysWith: { $1 })))
        }
        let centroOnly = try plan("Solo Centro", ["branches": [centro]])
        let twiceAWeek = try plan("Dos por semana", ["visitsPerWeek": 2])
        func member(_ name: String, card: String, plan: Int64?) throws -> Int64 {
            let id = try Self.id(
                try admin.send(
                    "POST", "api/v1/users",
                    json: [
                        "username": name, "email": "\(name)@correo.mx", "name": name, "paternalSurname": "López",
                        "roles": ["cliente"], "branches": [centro],
                    ]))
            if let plan {
                try admin.send("POST", "api/v1/subscriptions", json: ["user": id, "plan": plan, "branch": centro])
            }
            try admin.send("POST", "api/v1/users/\(id)/cards", json: ["number": card])
            return id
        }
        // Centro's members: Ana on a plan of Centro only, Carla without a plan, Beto twice a week anywhere.
        let ana = try member("ana", card: "5551234", plan: centroOnly)
        let carla = try member("carla", card: "7771234", plan: nil)
        let beto = try member("beto", card: "6661234", plan: twiceAWeek)
        func checkIn(_ user: Int64) throws {
            try admin.send(
                "POST", "api/v1/attendance",
                json: ["user": user, "branch": centro, "reason": "entró por la recepción"])
        }
        try checkIn(beto)
        let code =
            try #require(
                try admin.send("POST", "api/v1/devices", json: ["branch": norte, "name": "torniquete"]).json()
                    as? [String: Any])["enrollmentCode"] as? String

        // Norte's daemon.
        let config = try SyncEndToEndTests.writeDaemonConfig(core, branch: norte, timeZone: "America/Monterrey")
        let enrolled = try Built.run("porterod", ["enroll", "--config", config, "--code", try #require(code)])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let daemon = try DaemonProcess(arguments: ["--config", config, "--simulate"], withInput: true)
        #expect(daemon.waitFor("sync: snapshot of"))
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))
        func swipe(_ card: String) throws {
            try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada \(card)\n".utf8))
        }

        // Ana's plan does not cover Norte; Carla holds none; a stranger's card stays unknown.
        try swipe("5551234")
        #expect(daemon.waitFor("card 5551234 plan.branch_not_covered user \(ana)"), "\(daemon.log)")
        try swipe("7771234")
        #expect(daemon.waitFor("card 7771234 subscription.none user \(carla)"), "\(daemon.log)")
        try swipe("4242424")
        #expect(daemon.waitFor("card 4242424 credential.unknown"), "\(daemon.log)")
        // Carla buys Centro's plan: her standing reaches Norte through the feed.
        let applied = daemon.occurrences("change(s) applied")
        try admin.send("POST", "api/v1/subscriptions", json: ["user": carla, "plan": centroOnly, "branch": centro])
        #expect(daemon.waitFor("change(s) applied", count: applied + 1))
        try swipe("7771234")
        #expect(daemon.waitFor("card 7771234 plan.branch_not_covered user \(carla)"), "\(daemon.log)")

        // Beto entered Centro once this week: Norte lets him in once more, and after a second
        // entry at Centro reaches it, no more this week.
        try swipe("6661234")
        #expect(daemon.waitFor("card 6661234 granted user \(beto)"), "\(daemon.log)")
        let before = daemon.occurrences("change(s) applied")
        try checkIn(beto)
        #expect(daemon.waitFor("change(s) applied", count: before + 1))
        try swipe("6661234")
        #expect(daemon.waitFor("card 6661234 plan.visit_limit user \(beto)"), "\(daemon.log)")

        // The refusals reach the core with the member named, so the desk sees who it was.
        #expect(
            try eventually {
                let rows =
                    (try admin.send("GET", "api/v1/attendance", query: [("user", String(ana))]).json()
                        as? [[String: Any]]) ?? []
                return rows.contains {
                    $0["reason"] as? String == "plan.branch_not_covered" && $0["branch"] as? Int64 == norte
                }
            })
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
    }
}
