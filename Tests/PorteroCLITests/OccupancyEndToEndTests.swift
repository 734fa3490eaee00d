import CoreClient
import Foundation
import PorteroModel
import TestSupport
import Testing

/// A real core and an enrolled porterod on loopback: a capacity set at headquarters reaches the
/// door through the feed within seconds, the soft limit warns, and the hard limit refuses from
/// the replica with the core stopped.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct OccupancyEndToEndTests {
    @Test func theHardLimitRefusesAtTheDoorWithTheCoreStopped() throws {
        let core = try AdminCLITests.Core()
        let admin = try SyncEndToEndTests.rootClient(core)
        let (branch, ana, _, code) = try SyncEndToEndTests.seedBranch(admin)
        let plan = try #require((try admin.send("GET", "api/v1/plans").json() as? [[String: Any]])?.first?["id"])
        let beto = try #require(
            (try admin.send(
                "POST", "api/v1/users",
                json: [
                    "username": "beto", "email": "beto@correo.mx", "name": "Beto", "paternalSurname": "Ruiz",
                    "roles": ["cliente"], "branches": [branch],
                ]
            ).json() as? [String: Any])?["id"] as? Int64)
        try admin.send("POST", "api/v1/subscriptions", json: ["user": beto, "plan": plan, "branch": branch])
        try admin.send("POST", "api/v1/users/\(beto)/cards", json: ["number": "5551235"])

        let directory = core.directory.path
        _ = try SyncEndToEndTests.writeDaemonConfig(core, branch: branch)
        let enrolled = try Built.run("porterod", ["enroll", "--config", directory + "/porterod.json", "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))

        // The chain makes the hard limit refuse; the branch holds one person.
        var settings = try #require(try admin.send("GET", "api/v1/settings").json() as? [String: Any])
        settings["occupancyRefuses"] = true
        try admin.send("PUT", "api/v1/settings", json: settings)
        let started = Date()
        try admin.send("PUT", "api/v1/branches/\(branch)/occupancy", json: ["limit": 1])
        #expect(daemon.waitFor("hard limit 1 (refuses)", timeout: 5), "\(daemon.log.suffix(1500))")
        #expect(Date().timeIntervalSince(started) < 3)

        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 granted user \(ana)"))
        #expect(daemon.waitFor("occupancy: branch near capacity"), "the last place warns")

        // Headquarters goes away: the door decides from the replica alone.
        core.server.kill9()
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551235\n".utf8))
        #expect(daemon.waitFor("card 5551235 branch.full user \(beto)"), "\(daemon.log.suffix(1500))")
        #expect(daemon.waitFor("occupancy: branch full"))
    }
}
