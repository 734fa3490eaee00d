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
        try fixture.defineDoors([1, 2], as: admin)
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
        let nested = #"{"doorModes": [{"door": 1, "name": "Entrada", "mode": "normal", "by": null}]}"#
        #expect(try fixture.bearer("POST", "/api/v1/device/report", token, body: nested).status == 400)
    }
}

/// PINs and duress PINs at headquarters: one person's alone, never readable, carried to the branch.
@Suite struct DuressPINRouteTests {
    @Test func everyPINIsOnePersonsAloneAndBothReachTheBranch() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let ana = try fixture.member("ana", as: admin)
        let beto = try fixture.member("beto", as: admin)
        func put(_ user: Int64, _ path: String, _ pin: String) throws -> Int {
            try fixture.send(
                "PUT", "/api/v1/users/\(user)/\(path)", body: #"{"pin": "\#(pin)"}"#, cookie: admin.cookie,
                csrf: admin.csrf
            ).status
        }
        #expect(try put(ana, "pin", "4321") == 204)
        #expect(try put(ana, "duress-pin", "4321") == 409, "not the person's own PIN, even as a first duress PIN")
        #expect(try put(ana, "duress-pin", "9876") == 204)
        #expect(try put(ana, "pin", "4321") == 204, "setting the same PIN again is fine")
        #expect(try put(ana, "duress-pin", "4321") == 409, "not the person's own PIN")
        let taken = try fixture.send(
            "PUT", "/api/v1/users/\(beto)/pin", body: #"{"pin": "9876"}"#, cookie: admin.cookie, csrf: admin.csrf)
        #expect(taken.status == 409)
        #expect(!String(decoding: taken.body, as: UTF8.self).contains("ana"), "whose PIN it is stays unsaid")
        #expect(try put(beto, "pin", "12") == 400)
        let view = try object(try fixture.get("/api/v1/users/\(ana)", as: admin))
        #expect(view["pinSet"] as? Bool == true && view["duressPinSet"] as? Bool == true)

        let page = try JSONDecoder().decode(
            SyncSnapshotPage.self, from: Data(try fixture.bearer("GET", "/api/v1/sync/snapshot?after=0", token).body))
        let user = try #require(
            page.items.compactMap { if case let .user(user) = $0, user.id == ana { user } else { nil } }.first)
        #expect(user.pin?.count == 64 && user.duressPin?.count == 64 && user.pin != user.duressPin)
        // The binary page carries the duress PIN too, and an earlier daemon's asks get it without.
        var accept = HTTPRequestDecoder()
        accept.append(
            Array(
                "GET /api/v1/sync/snapshot?after=0 HTTP/1.1\r\nHost: core\r\nAuthorization: Bearer \(token)\r\nAccept: \(SyncBinary.mediaTypeV3), \(SyncBinary.mediaType)\r\n\r\n"
                    .utf8))
        let binary = fixture.router.respond(to: try #require(try accept.next()))
        let decoded = try SyncBinary.decodeSnapshotPage(binary.body)
        #expect(binary.header("Content-Type") == SyncBinary.mediaTypeV3)
        #expect(decoded.items.contains { if case let .user(user) = $0 { user.duressPin != nil } else { false } })

        #expect(
            try fixture.send("DELETE", "/api/v1/users/\(ana)/duress-pin", cookie: admin.cookie, csrf: admin.csrf)
                .status == 204)
        #expect(try object(try fixture.get("/api/v1/users/\(ana)", as: admin))["duressPinSet"] as? Bool == false)
        #expect(try put(beto, "pin", "9876") == 204, "a cleared PIN is free again")
    }
}
