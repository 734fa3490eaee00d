@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// A branch's capacity set at headquarters and carried to its controllers, the chain's
/// occupancy settings, and the live occupancy report, branch by branch.
@Suite struct OccupancyRouteTests {
    @Test func limitsAreSetByThoseWhoManageTheBranchAndReachItsFeed() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let elsewhere = try fixture.signIn(.administrator, username: "norte", branches: [fixture.other])
        let (token, _) = try fixture.enrolDevice(as: admin)
        let (otherToken, _) = try fixture.enrolDevice(as: elsewhere, name: "norte", at: fixture.other)
        let start = try fixture.batch(token, after: 0).cursor
        let otherStart = try fixture.batch(otherToken, after: 0).cursor
        let path = "/api/v1/branches/\(fixture.own)/occupancy"

        let none = try object(try fixture.get(path, as: reception))
        #expect(none["warn"] == nil && none["limit"] == nil, "no limits until set")
        let set = try fixture.put(path, #"{"warn": 40, "limit": 50}"#, as: admin)
        #expect(set.status == 200)
        let setBody = try object(set)
        #expect(setBody["warn"] as? Int64 == 40 && setBody["limit"] as? Int64 == 50)
        #expect(try object(try fixture.get(path, as: reception))["limit"] as? Int64 == 50)

        let above = try fixture.put(path, #"{"warn": 60, "limit": 50}"#, as: admin)
        let aboveError = try object(above)["error"] as? String ?? ""
        #expect(above.status == 400 && aboveError.contains("warn"))
        #expect(try fixture.put(path, #"{"limit": 0}"#, as: admin).status == 400)
        #expect(try fixture.put(path, #"{"limit": "many"}"#, as: admin).status == 400)
        #expect(try fixture.put(path, #"{"limit": 20}"#, as: manager).status == 403)
        #expect(try fixture.put(path, #"{"limit": 20}"#, as: reception).status == 403)
        #expect(try fixture.put(path, #"{"limit": 20}"#, as: elsewhere).status == 404, "another branch stays hidden")
        #expect(try object(try fixture.get(path, as: admin))["limit"] as? Int64 == 50, "refusals wrote nothing")

        let setup = try #require(try fixture.setups(token, after: start).last)
        #expect(setup.occupancyWarn == 40 && setup.occupancyLimit == 50)
        #expect(setup.occupancyRefuses == false && setup.usualVisitMinutes == 90 && setup.journalRetentionDays == nil)
        #expect(try fixture.setups(otherToken, after: otherStart).isEmpty, "the other branch's setup did not change")

        // The chain's settings reach every branch's controllers.
        let cursor = try fixture.batch(token, after: 0).cursor
        let otherCursor = try fixture.batch(otherToken, after: 0).cursor
        let body = ChainConfigurationTests.settings(
            #""occupancyRefuses": true, "usualVisitMinutes": 60, "journalRetentionDays": 120"#)
        let saved = try fixture.put("/api/v1/settings", body, as: root)
        #expect(saved.status == 200)
        #expect(try object(saved)["occupancyRefuses"] as? Bool == true)
        #expect(
            try fixture.put("/api/v1/settings", ChainConfigurationTests.settings(#""usualVisitMinutes": 5"#), as: root)
                .status == 400)
        #expect(
            try fixture.put(
                "/api/v1/settings", ChainConfigurationTests.settings(#""journalRetentionDays": 10"#), as: root
            ).status == 400)
        let chained = try #require(try fixture.setups(token, after: cursor).last)
        #expect(chained.occupancyRefuses == true && chained.usualVisitMinutes == 60)
        #expect(chained.journalRetentionDays == 120 && chained.occupancyLimit == 50)
        let otherSetup = try #require(try fixture.setups(otherToken, after: otherCursor).last)
        #expect(otherSetup.occupancyRefuses == true && otherSetup.occupancyLimit == nil)
        let fetched = try fixture.bearer("GET", "/api/v1/sync/setup", token)
        #expect(try JSONDecoder().decode(SyncBranchSetup.self, from: Data(fetched.body)) == chained)

        #expect(try fixture.put(path, #"{"warn": 45}"#, as: admin).status == 200, "left out: no hard limit")
        #expect(try object(try fixture.get(path, as: admin))["limit"] == nil)
        let entries = try object(try fixture.get("/api/v1/audit?limit=50", as: root))["entries"] as? [[String: Any]]
        let actions = (entries ?? []).compactMap { $0["action"] as? String }
        #expect(actions.filter { $0 == "branch.occupancy" }.count == 2)
    }

    /// A granted passage of `user` at `branch`, `minutes` before now.
    static func passage(
        _ user: Int64, _ direction: Direction, minutesAgo minutes: Int64, at branch: BranchID, now: Timestamp
    )
        -> AttendanceEvent
    {
        var generator = SystemRandomNumberGenerator()
        let at = now.adding(seconds: -minutes * 60)
        return AttendanceEvent(
            id: EventID(time: at, using: &generator), at: at, branchID: branch, doorID: DoorID(1),
            direction: direction, credentialKind: .card, cardNumber: CardNumber(rawValue: UInt64(user)),
            userID: UserID(user), subscriptionID: nil, granted: true,
            reason: direction == .entry ? .granted : .grantedExit)
    }

    @Test func theReportCountsEachBranchAsItsDoorsDo() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let elsewhere = try fixture.signIn(.administrator, username: "norte", branches: [fixture.other])
        let (token, _) = try fixture.enrolDevice(as: admin)
        let (otherToken, _) = try fixture.enrolDevice(as: elsewhere, name: "norte", at: fixture.other)
        let now = fixture.clock.now
        let own = fixture.own
        let other = fixture.other
        // Centro records exits: 101 and 102 are inside, 103 left, 104 came in thirteen hours ago.
        let centro = [
            Self.passage(101, .entry, minutesAgo: 60, at: own, now: now),
            Self.passage(102, .entry, minutesAgo: 30, at: own, now: now),
            Self.passage(103, .entry, minutesAgo: 180, at: own, now: now),
            Self.passage(103, .exit, minutesAgo: 120, at: own, now: now),
            Self.passage(104, .entry, minutesAgo: 13 * 60, at: own, now: now),
        ]
        #expect(try fixture.upload(centro, token: token).status == 200)
        // Norte has no exit readers: the chain's usual visit (90 minutes) says who is still in.
        let norte = [
            Self.passage(201, .entry, minutesAgo: 120, at: other, now: now),
            Self.passage(202, .entry, minutesAgo: 30, at: other, now: now),
        ]
        #expect(try fixture.upload(norte, token: otherToken).status == 200)
        let path = "/api/v1/branches/\(own)/occupancy"
        #expect(try fixture.put(path, #"{"warn": 2, "limit": 3}"#, as: admin).status == 200)

        let report = try object(try fixture.get("/api/v1/reports/occupancy", as: root))
        let lines = try #require(report["branches"] as? [[String: Any]])
        #expect(lines.map { $0["name"] as? String } == ["Centro", "Norte"])
        #expect(lines[0]["inside"] as? Int64 == 2 && lines[0]["counted"] as? String == "exits")
        #expect(lines[0]["state"] as? String == "warn" && lines[0]["limit"] as? Int64 == 3)
        #expect(lines[1]["inside"] as? Int64 == 1 && lines[1]["counted"] as? String == "estimated")
        #expect(lines[1]["state"] as? String == "ok" && lines[1]["limit"] == nil)
        #expect(report["at"] as? Int64 == now.milliseconds)

        // A manager sees her branches only; another's is refused.
        let mine = try object(try fixture.get("/api/v1/reports/occupancy", as: manager))["branches"] as? [[String: Any]]
        #expect(mine?.map { $0["branch"] as? Int64 } == [own.rawValue])
        #expect(try fixture.get("/api/v1/reports/occupancy?branch=\(other)", as: manager).status == 403)
        #expect(try fixture.get("/api/v1/reports/occupancy", as: reception).status == 403)
        let one = try object(try fixture.get("/api/v1/reports/occupancy?branch=\(other)", as: root))
        #expect((one["branches"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Norte"])

        // An hour on, Centro's 102 is still in (exits count), Norte's 202 has gone by its usual visit.
        fixture.advance(seconds: 3_600)
        let fresh = try fixture.signIn(.superAdministrator, username: "root2")
        let later = try object(try fixture.get("/api/v1/reports/occupancy", as: fresh))["branches"] as? [[String: Any]]
        #expect(later?.map { $0["inside"] as? Int64 } == [2, 0])
    }

    @Test func aBranchNearCapacityOrFullNotifiesItsManagers() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let at = Timestamp(seconds: 1_800_000_000)
        let body = String(
            decoding: try JSONEncoder().encode(
                SyncAlarmUpload(alarms: [
                    SyncAlarm(door: 1, doorName: "Entrada", alarm: "near_capacity", at: at),
                    SyncAlarm(door: 1, doorName: "Entrada", alarm: "branch_full", at: at.adding(seconds: 60)),
                ])), as: UTF8.self)
        #expect(try fixture.bearer("POST", "/api/v1/sync/alarms", token, body: body).status == 200)
        let titles = try objects(try fixture.get("/api/v1/notifications?filter=urgent", as: manager)).compactMap {
            $0["title"] as? String
        }
        #expect(Set(titles) == ["Branch near capacity: Centro (at Entrada)", "Branch full: Centro (at Entrada)"])
    }
}
