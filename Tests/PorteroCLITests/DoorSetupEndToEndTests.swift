import CoreClient
import Foundation
import PorteroModel
import TestSupport
import Testing

/// A real core and an enrolled porterod on loopback: a door's schedule and the branch's calendar
/// edited at headquarters change what the door decides within seconds, through the feed alone.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct DoorSetupEndToEndTests {
    @Test func aScheduleAndAClosedDaySetAtHeadquartersReachTheDoorWithinSeconds() throws {
        let core = try AdminCLITests.Core()
        let admin = try SyncEndToEndTests.rootClient(core)
        let (branch, member, _, code) = try SyncEndToEndTests.seedBranch(admin)
        let directory = core.directory.path
        _ = try SyncEndToEndTests.writeDaemonConfig(core, branch: branch)
        let enrolled = try Built.run("porterod", ["enroll", "--config", directory + "/porterod.json", "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 granted user \(member)"))

        // Open only on a day two days from now: closed at this moment, whatever the hour.
        let zone = try ZoneRules(identifier: "America/Mexico_City")
        let today = zone.localDay(at: Timestamp(seconds: Int64(Date().timeIntervalSince1970)))
        let other = today.adding(days: 2).weekday.abbreviation
        var started = Date()
        try admin.send(
            "PUT", "api/v1/branches/\(branch)/doors/1", json: ["name": "Entrada", "schedule": "\(other) 00:00-24:00"])
        #expect(daemon.waitFor("open \(other) 00:00-24:00", timeout: 5))
        let scheduleSeconds = Date().timeIntervalSince(started)
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 door.closed user \(member)"))

        // Today closed at the branch's calendar, on an always-open door.
        let opened = daemon.occurrences("always open")
        try admin.send("PUT", "api/v1/branches/\(branch)/doors/1", json: ["name": "Entrada"])
        #expect(daemon.waitFor("always open", count: opened + 1, timeout: 5))
        started = Date()
        try admin.send(
            "PUT", "api/v1/branches/\(branch)/calendar",
            json: ["day": today.description, "kind": "closed", "note": "Fumigación"])
        #expect(daemon.waitFor("1 calendar day(s) from headquarters", timeout: 5))
        let calendarSeconds = Date().timeIntervalSince(started)
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 branch.closed user \(member)"))
        #expect(scheduleSeconds < 3 && calendarSeconds < 3, "\(scheduleSeconds) s, \(calendarSeconds) s")

        // Cleared: open again.
        let before = daemon.occurrences("0 calendar day(s) from headquarters")
        try admin.send("DELETE", "api/v1/branches/\(branch)/calendar", query: [("day", today.description)])
        #expect(daemon.waitFor("0 calendar day(s) from headquarters", count: before + 1, timeout: 5))
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 granted user \(member)", count: 2), "\(daemon.log.suffix(1500))")
    }
}
