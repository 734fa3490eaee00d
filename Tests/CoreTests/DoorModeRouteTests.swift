@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// Lockdowns and free access from headquarters: who may give them, how long they last, how the
/// feed and a new replica get them, and each door's mode as its branch reports it.
@Suite struct DoorModeRouteTests {
    func modes(_ fixture: APIFixture, _ token: String) throws -> [SyncDoorCommand] {
        let response = try fixture.bearer("GET", "/api/v1/sync/door-modes", token)
        #expect(response.status == 200)
        return try JSONDecoder().decode([SyncDoorCommand].self, from: Data(response.body))
    }

    @Test func aTimedLockdownReachesTheFeedWithWhoAndUntilAndEndsByReleaseOrExpiry() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let start = try fixture.batch(token, after: 0).cursor
        let given = try object(
            try fixture.post(
                "/api/v1/branches/\(fixture.own)/commands",
                #"{"command": "lockdown", "reason": "amenaza en la calle", "minutes": 30}"#, as: manager))
        let until = fixture.clock.now.adding(milliseconds: 30 * 60_000)
        #expect(given["until"] as? Int64 == until.milliseconds)
        let batch = try fixture.batch(token, after: start)
        let lockdown = try #require(batch.commands.first)
        #expect(lockdown.command == .lockdown && lockdown.door == nil && lockdown.until == until)
        #expect(lockdown.by == "gerente X", "who gave it travels with it")
        #expect(try modes(fixture, token) == [lockdown], "a new replica takes what is in force")

        // A door's own release under a lockdown of every door is kept as its exception.
        _ = try fixture.post(
            "/api/v1/branches/\(fixture.own)/commands", #"{"command": "release", "door": 2, "reason": "la salida"}"#,
            as: manager)
        #expect(try modes(fixture, token).map(\.command) == [.lockdown, .release])
        _ = try fixture.post(
            "/api/v1/branches/\(fixture.own)/commands", #"{"command": "release", "reason": "todo en orden"}"#,
            as: manager)
        #expect(try modes(fixture, token).isEmpty, "a release of every door ends everything")

        _ = try fixture.post(
            "/api/v1/branches/\(fixture.own)/commands",
            #"{"command": "free_access", "door": 1, "reason": "clase abierta", "minutes": 10}"#, as: manager)
        #expect(try modes(fixture, token).map(\.command) == [.freeAccess])
        fixture.advance(seconds: 601)
        #expect(try modes(fixture, token).isEmpty, "over after ten minutes")

        // Minutes are for a lasting mode only, and bounded.
        for body in [
            #"{"command": "unlock_once", "door": 1, "reason": "visita", "minutes": 5}"#,
            #"{"command": "lockdown", "reason": "visita", "minutes": 0}"#,
            #"{"command": "lockdown", "reason": "visita", "minutes": 43201}"#,
        ] {
            #expect(try fixture.post("/api/v1/branches/\(fixture.own)/commands", body, as: manager).status == 400)
        }
    }

    @Test func eachDoorsModeIsShownAsTheDeviceLastReportedIt() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let (token, _) = try fixture.enrolDevice(as: admin)
        #expect(try objects(try fixture.get("/api/v1/doors", as: reception)).isEmpty)
        let report = #"""
            {"doorModes": [{"door": 1, "name": "Entrada", "mode": "lockdown", "command": 9, "by": "Ana L",
              "until": 1800000600000}, {"door": 2, "name": "Salida", "mode": "normal"}]}
            """#
        #expect(try fixture.bearer("POST", "/api/v1/device/report", token, body: report).status == 204)
        let doors = try objects(try fixture.get("/api/v1/doors", as: reception))
        #expect(doors.map { $0["name"] as? String } == ["Entrada", "Salida"])
        #expect(doors.first?["mode"] as? String == "lockdown" && doors.first?["by"] as? String == "Ana L")
        #expect(doors.first?["branch"] as? Int64 == fixture.own.rawValue)
        // A report without door modes keeps the last ones.
        #expect(try fixture.bearer("POST", "/api/v1/device/report", token, body: #"{"outboxDepth": 3}"#).status == 204)
        #expect(try objects(try fixture.get("/api/v1/doors", as: reception)).count == 2)
        let bad = #"{"doorModes": [{"door": 1, "name": "Entrada", "mode": "open"}]}"#
        #expect(try fixture.bearer("POST", "/api/v1/device/report", token, body: bad).status == 400)
    }
}
