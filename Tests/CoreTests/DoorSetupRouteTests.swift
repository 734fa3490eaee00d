@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

extension APIFixture {
    func put(_ path: String, _ body: String, as user: Caller) throws -> HTTPResponse {
        try send("PUT", path, body: body, cookie: user.cookie, csrf: user.csrf)
    }
    func delete(_ path: String, as user: Caller) throws -> HTTPResponse {
        try send("DELETE", path, cookie: user.cookie, csrf: user.csrf)
    }

    /// Defines doors `ids` at the own branch (door commands name a defined door).
    func defineDoors(_ ids: [Int64], as admin: Caller) throws {
        for id in ids {
            let response = try post(
                "/api/v1/branches/\(own)/doors", #"{"id": \#(id), "name": "Puerta \#(id)"}"#, as: admin)
            #expect(response.status == 201)
        }
    }

    /// The setup items of a feed batch after `cursor`.
    func setups(_ token: String, after cursor: Int64) throws -> [SyncBranchSetup] {
        try batch(token, after: cursor).items.compactMap { if case let .branchSetup(setup) = $0 { setup } else { nil } }
    }
}

/// Doors and calendars defined at headquarters: who may set them, what the API refuses, and the
/// feed that carries them whole to the branch's controllers only.
@Suite struct DoorSetupRouteTests {
    @Test func doorsAreDefinedByThoseWhoManageTheBranchAndReachItsFeed() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let elsewhere = try fixture.signIn(.administrator, username: "norte", branches: [fixture.other])
        let (token, _) = try fixture.enrolDevice(as: admin)
        let (otherToken, _) = try fixture.enrolDevice(as: elsewhere, name: "norte", at: fixture.other)
        let start = try fixture.batch(token, after: 0).cursor
        let otherStart = try fixture.batch(otherToken, after: 0).cursor
        let doors = "/api/v1/branches/\(fixture.own)/doors"

        let added = try fixture.post(
            doors, #"{"name": "Torniquete", "schedule": "mon-fri 06:00-22:00", "antiPassback": true}"#, as: admin)
        #expect(added.status == 201)
        #expect(try object(added)["id"] as? Int64 == 1, "the next free id")
        #expect(try object(added)["presenceExpirySeconds"] as? Int64 == 43_200)
        let pool = try fixture.post(
            doors, #"{"id": 5, "name": "Alberca", "kind": "maglock", "cardAndPin": true, "direction": "in"}"#,
            as: admin)
        let poolID = try object(pool)["id"] as? Int64
        #expect(pool.status == 201 && poolID == 5)
        #expect(try fixture.post(doors, #"{"name": "Torniquete"}"#, as: admin).status == 409, "a name is taken")
        #expect(try fixture.post(doors, #"{"id": 5, "name": "Otra"}"#, as: admin).status == 409, "an id is taken")
        let badSchedule = try fixture.post(doors, #"{"name": "Salida", "schedule": "lunes 6-22"}"#, as: admin)
        let scheduleError = try object(badSchedule)["error"] as? String ?? ""
        #expect(badSchedule.status == 400 && scheduleError.contains("schedule"))

        // The matrix: branches are managed by Administrador and above; the desk reads.
        #expect(try fixture.post(doors, #"{"name": "Bodega"}"#, as: manager).status == 403)
        #expect(try fixture.post(doors, #"{"name": "Bodega"}"#, as: reception).status == 403)
        #expect(
            try objects(try fixture.get(doors, as: reception)).map { $0["name"] as? String } == [
                "Torniquete", "Alberca",
            ])
        #expect(try fixture.get(doors, as: elsewhere).status == 404, "another branch's doors stay hidden")
        #expect(try fixture.put("\(doors)/1", #"{"name": "X"}"#, as: elsewhere).status == 404)

        // The branch's feed carries the whole setup; the other branch's does not.
        let setup = try #require(try fixture.setups(token, after: start).last)
        #expect(setup.doors.map(\.id) == [1, 5])
        #expect(setup.doors.first?.schedule?.description == "mon-fri 06:00-22:00")
        #expect(setup.doors.last?.cardAndPin == true && setup.doors.last?.direction == .entryOnly)
        #expect(try fixture.setups(otherToken, after: otherStart).isEmpty)

        // A PUT replaces every setting: the schedule left out means always open.
        let cursor = try fixture.batch(token, after: 0).cursor
        let edited = try fixture.put("\(doors)/1", #"{"name": "Torniquete", "mode": "free_access"}"#, as: admin)
        let editedSchedule = try object(edited)["schedule"]
        #expect(edited.status == 200 && editedSchedule == nil)
        #expect(try fixture.put("\(doors)/9", #"{"name": "Nada"}"#, as: admin).status == 404)
        let after = try #require(try fixture.setups(token, after: cursor).last)
        #expect(after.doors.first?.mode == .freeAccess && after.doors.first?.schedule == nil)

        // What a new replica asks for after its snapshot.
        let fetched = try fixture.bearer("GET", "/api/v1/sync/setup", token)
        #expect(try JSONDecoder().decode(SyncBranchSetup.self, from: Data(fetched.body)) == after)

        // Door commands name a door headquarters defines.
        let unknown = try fixture.post(
            "/api/v1/branches/\(fixture.own)/commands", #"{"command": "unlock_once", "door": 7, "reason": "visita"}"#,
            as: manager)
        #expect(unknown.status == 404)

        #expect(try fixture.delete("\(doors)/5", as: admin).status == 204)
        #expect(try fixture.delete("\(doors)/5", as: admin).status == 404)
        #expect(try fixture.setups(token, after: cursor).last?.doors.map(\.id) == [1])
        let entries = try object(try fixture.get("/api/v1/audit?limit=50", as: admin))["entries"] as? [[String: Any]]
        let audit = (entries ?? []).compactMap { $0["action"] as? String }
        #expect(Set(["door.add", "door.update", "door.remove"]).isSubset(of: Set(audit)))
    }

    @Test func aCalendarDayIsClosedOrHasSpecialHoursFromTodayOn() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let start = try fixture.batch(token, after: 0).cursor
        let calendar = "/api/v1/branches/\(fixture.own)/calendar"
        // The fixture's clock: 2027-01-15 in Mexico City.
        let closed = try fixture.put(
            calendar, #"{"day": "2027-01-20", "kind": "closed", "note": "Festivo"}"#, as: admin)
        let closedKind = try object(closed)["kind"] as? String
        #expect(closed.status == 200 && closedKind == "closed")
        let special = try fixture.put(
            calendar,
            #"{"day": "2027-01-16", "kind": "special_hours", "hours": "16:00-20:00; 08:00-14:00", "note": "Sábado de inventario"}"#,
            as: admin)
        #expect(try object(special)["hours"] as? String == "08:00-14:00; 16:00-20:00")
        for body in [
            #"{"day": "2027-01-14", "kind": "closed", "note": "ayer"}"#,
            #"{"day": "2027-01-17", "kind": "special_hours", "note": "sin horas"}"#,
            #"{"day": "2027-01-17", "kind": "closed", "hours": "08:00-10:00", "note": "con horas"}"#,
            #"{"day": "2027-01-17", "kind": "special_hours", "hours": "22:00-02:00", "note": "cruza"}"#,
            #"{"day": "2027-01-17", "kind": "closed", "note": " "}"#,
            #"{"day": "2031-01-17", "kind": "closed", "note": "lejos"}"#,
        ] {
            #expect(try fixture.put(calendar, body, as: admin).status == 400, "\(body)")
        }
        #expect(
            try fixture.put(calendar, #"{"day": "2027-01-17", "kind": "closed", "note": "x"}"#, as: reception).status
                == 403)

        let listed = try objects(try fixture.get(calendar, as: reception))
        #expect(listed.map { $0["day"] as? String } == ["2027-01-16", "2027-01-20"])
        #expect(try objects(try fixture.get("\(calendar)?from=2027-01-17", as: reception)).count == 1)

        let setup = try #require(try fixture.setups(token, after: start).last)
        #expect(setup.calendar.map(\.day.description) == ["2027-01-16", "2027-01-20"])
        #expect(setup.calendar.last?.isClosed == true && setup.calendar.first?.note == "Sábado de inventario")

        #expect(try fixture.delete("\(calendar)?day=2027-01-20", as: admin).status == 204)
        #expect(try fixture.delete("\(calendar)?day=2027-01-20", as: admin).status == 404)
        #expect(try fixture.setups(token, after: start).last?.calendar.count == 1)
    }
}
