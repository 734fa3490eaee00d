@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Synchronization
import Testing

extension APIFixture {
    /// Registers and enrols a device at the own branch (or `branch`); returns its token and identity.
    func enrolDevice(as admin: Caller, name: String = "torniquete", at branch: BranchID? = nil) throws -> (
        token: String, identity: [String: Any]
    ) {
        let registered = try object(
            try post("/api/v1/devices", #"{"branch": \#(branch ?? own), "name": "\#(name)"}"#, as: admin))
        let code = try #require(registered["enrollmentCode"] as? String)
        let enrolled = try object(try send("POST", "/api/v1/enroll", body: #"{"code": "\#(code)"}"#))
        return (try #require(enrolled["token"] as? String), try #require(enrolled["identity"] as? [String: Any]))
    }

    /// `count` refused entries of an unknown card at the own branch's door 1, a millisecond apart.
    func unknownCardEntries(_ count: Int, seed: UInt64) -> [AttendanceEvent] {
        var generator = SplitMix64(seed: seed)
        let now = Timestamp(seconds: 1_800_000_000)
        return (0..<count).map { index in
            AttendanceEvent(
                id: EventID(time: Timestamp(milliseconds: now.milliseconds + Int64(index)), using: &generator), at: now,
                branchID: own,
                doorID: DoorID(1), direction: .entry, credentialKind: .card, cardNumber: CardNumber(rawValue: 42),
                userID: nil, subscriptionID: nil,
                granted: false, reason: .credentialUnknown)
        }
    }

    /// Uploads `events` as the device with `token`.
    func upload(_ events: [AttendanceEvent], token: String) throws -> HTTPResponse {
        try bearer(
            "POST", "/api/v1/sync/attendance", token,
            body: String(decoding: try JSONEncoder().encode(SyncUpload(events: events)), as: UTF8.self))
    }

    /// A feed batch; `version` 2 is what a daemon that holds the chain's card index asks for.
    func batch(_ token: String, after: Int64, wait: Int = 0, version: Int? = nil) throws -> SyncBatch {
        let response = try bearer(
            "GET", "/api/v1/sync/changes?after=\(after)&wait=\(wait)" + (version.map { "&version=\($0)" } ?? ""), token)
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
    }
}

@Suite struct SyncRouteTests {
    @Test func snapshotThenFeedCarryWholeStatesForTheBranchOnly() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let (token, identity) = try fixture.enrolDevice(as: admin)
        #expect(identity["branchID"] as? Int64 == fixture.own.rawValue && (identity["pinKey"] as? String)?.count == 64)
        let local = try fixture.plan("Local", as: root, extra: #", "branches": [\#(fixture.own)]"#)
        let elsewhere = try fixture.plan("Solo Norte", as: root, extra: #", "branches": [\#(fixture.other)]"#)
        let ana = try fixture.member("ana", as: admin)
        _ = try fixture.post(
            "/api/v1/subscriptions", #"{"user": \#(ana), "plan": \#(local), "branch": \#(fixture.own)}"#, as: admin)
        let card = try object(try fixture.post("/api/v1/users/\(ana)/cards", #"{"number": "5551234"}"#, as: admin))
        // A member of the other branch only, on a plan that does not cover this one.
        let beto = try object(
            try fixture.post(
                "/api/v1/users",
                #"""
                {"username": "beto", "email": "beto@correo.mx", "name": "Beto", "paternalSurname": "N", \#
                "roles": ["cliente"], "branches": [\#(fixture.other)]}
                """#,
                as: root))
        let betoID = try #require(beto["id"] as? Int64)
        _ = try fixture.post(
            "/api/v1/subscriptions", #"{"user": \#(betoID), "plan": \#(elsewhere), "branch": \#(fixture.other)}"#,
            as: root)

        let page = try JSONDecoder().decode(
            SyncSnapshotPage.self,
            from: Data(try fixture.bearer("GET", "/api/v1/sync/snapshot?after=0&limit=1000", token).body))
        let users = page.items.compactMap { if case let .user(user) = $0 { user } else { nil } }
        #expect(users.contains { $0.id == ana } && !users.contains { $0.id == betoID })
        #expect(users.contains { $0.roles.contains(.superAdministrator) && $0.grantedHere })
        #expect(page.items.contains { if case .plan = $0 { true } else { false } })
        let anaState = try #require(users.first { $0.id == ana })
        #expect(anaState.cards.map(\.number) == [5_551_234] && anaState.subscriptions.count == 1)
        #expect(page.nextAfter == nil)

        // Revoke the card: the next batch carries Ana's whole state with the card revoked.
        #expect(
            try fixture.patch(
                "/api/v1/cards/\(try #require(card["id"] as? Int64))", #"{"status": "revoked"}"#, as: admin
            ).status == 200)
        let batch = try fixture.batch(token, after: page.sequence)
        #expect(batch.cursor > page.sequence && !batch.snapshotRequired)
        let changed = batch.items.compactMap { if case let .user(user) = $0 { user } else { nil } }
        #expect(changed.first { $0.id == ana }?.cards.first?.status == .revoked)
        // Changes to Beto concern the other branch only: they come as a removal here.
        _ = try fixture.patch("/api/v1/users/\(betoID)", #"{"notes": "x"}"#, as: root)
        let next = try fixture.batch(token, after: batch.cursor)
        #expect(next.items == [.removeUser(betoID)])
        // A door command for this branch arrives in the feed.
        _ = try fixture.post(
            "/api/v1/branches/\(fixture.own)/commands", #"{"command": "lockdown", "reason": "simulacro de sismo"}"#,
            as: admin)
        let commands = try fixture.batch(token, after: next.cursor).commands
        #expect(commands.map(\.command) == [.lockdown])
        // A cursor from the future, or a revoked device: refused.
        #expect(try fixture.batch(token, after: 1_000_000).snapshotRequired)
        #expect(try fixture.bearer("GET", "/api/v1/sync/changes?after=x", token).status == 400)
    }

    @Test func aLongPollIsAnsweredWhenAChangeConcernsTheBranch() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let ana = try fixture.member("ana", as: admin)
        let head = try fixture.batch(token, after: 0).cursor
        let waiting = try fixture.bearer("GET", "/api/v1/sync/changes?after=\(head)&wait=10", token)
        let deferred = try #require(waiting.deferred)
        let answer = Mutex<HTTPResponse?>(nil)
        let arrived = DispatchSemaphore(value: 0)
        deferred.whenComplete { response in
            answer.withLock { $0 = response }
            arrived.signal()
        }
        #expect(!deferred.isComplete)
        let started = Date()
        _ = try fixture.post("/api/v1/users/\(ana)/cards", #"{"number": "777"}"#, as: admin)
        #expect(arrived.wait(timeout: .now() + 5) == .success)
        #expect(Date().timeIntervalSince(started) < 1)
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(try #require(answer.withLock { $0 }).body))
        #expect(
            batch.items.contains { if case let .user(user) = $0 { user.cards.map(\.number) == [777] } else { false } })
    }

    @Test func aPacksEntriesElsewhereReachTheBranchAndItsOwnAreLeftToIt() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let (token, _) = try fixture.enrolDevice(as: root)
        let pack = try fixture.plan("Paquete 3", as: root, extra: #", "visitsTotal": 3"#)
        #expect(
            try fixture.post(
                "/api/v1/plans", #"{"name": "Mal", "priceMinor": 1, "durationMonths": 1, "visitsTotal": 0}"#, as: root
            ).status == 400)
        let ana = try fixture.member("ana", as: root)
        let sold = try object(
            try fixture.post(
                "/api/v1/subscriptions", #"{"user": \#(ana), "plan": \#(pack), "branch": \#(fixture.own)}"#, as: root))
        let subscription = try #require(sold["id"] as? Int64)
        let now = fixture.clock.now
        var generator = SplitMix64(seed: 11)
        func entry(_ branch: BranchID, _ offset: Int64) -> AttendanceEvent {
            AttendanceEvent(
                id: EventID(time: now.adding(milliseconds: offset), using: &generator),
                at: now.adding(milliseconds: offset), branchID: branch, doorID: DoorID(1),
                direction: .entry, credentialKind: .card, cardNumber: nil, userID: UserID(ana),
                subscriptionID: SubscriptionID(subscription), granted: true, reason: .granted)
        }
        // Two entries at the other branch, recorded at the core.
        let zone = try ZoneRules(identifier: "America/Mexico_City")
        try fixture.api.withDatabase { database in
            for offset in [1, 2] as [Int64] {
                try database.operations.record(
                    entry(fixture.other, offset), device: nil, recordedBy: nil, note: "", zone: zone, now: now)
            }
        }
        let page = try JSONDecoder().decode(
            SyncSnapshotPage.self, from: Data(try fixture.bearer("GET", "/api/v1/sync/snapshot?after=0", token).body))
        let state = try #require(
            page.items.compactMap { if case let .user(user) = $0, user.id == ana { user } else { nil } }.first)
        #expect(state.subscriptions.first?.visitsElsewhere == 2)
        // An entry uploaded by this branch's door: the member comes down again, and the count
        // elsewhere stays 2 (the branch counts its own from its journal).
        let upload = try fixture.bearer(
            "POST", "/api/v1/sync/attendance", token,
            body: String(decoding: try JSONEncoder().encode(SyncUpload(events: [entry(fixture.own, 3)])), as: UTF8.self)
        )
        #expect(upload.status == 200)
        let batch = try fixture.batch(token, after: page.sequence)
        let again = try #require(
            batch.items.compactMap { if case let .user(user) = $0, user.id == ana { user } else { nil } }.first)
        #expect(again.subscriptions.first?.visitsElsewhere == 2)
        // Another entry elsewhere comes down as 3.
        try fixture.api.withDatabase { database in
            try database.operations.record(
                entry(fixture.other, 4), device: nil, recordedBy: nil, note: "", zone: zone, now: now)
        }
        let later = try fixture.batch(token, after: batch.cursor)
        #expect(
            later.items.compactMap {
                if case let .user(user) = $0, user.id == ana { user.subscriptions.first?.visitsElsewhere } else { nil }
            } == [3])
    }

    @Test func uploadsAreStoredOnceAndStrayBranchesRefused() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let events = fixture.unknownCardEntries(50, seed: 7)
        func upload(_ events: [AttendanceEvent]) throws -> HTTPResponse { try fixture.upload(events, token: token) }
        let first = try JSONDecoder().decode(
            SyncUploadAnswer.self, from: Data(try upload(Array(events.prefix(30))).body))
        #expect(first.stored == 30 && first.acknowledged.count == 30)
        // A replay overlapping the first: only the new ones are stored, all are acknowledged.
        let second = try JSONDecoder().decode(
            SyncUploadAnswer.self, from: Data(try upload(Array(events.suffix(30))).body))
        #expect(second.stored == 20 && second.duplicates == 10 && second.acknowledged.count == 30)
        #expect(
            try fixture.api.withDatabase { try $0.db.scalar("SELECT count(*) FROM attendance", as: Int.self) } == 50)
        var stray = events[0]
        stray.branchID = fixture.other
        let refused = try upload([stray])
        #expect(refused.status == 400 && String(decoding: refused.body, as: UTF8.self).contains("belongs to branch"))
        #expect(try fixture.bearer("POST", "/api/v1/sync/attendance", token, body: "[1, 2]").status == 400)
    }

    @Test func aBranchCommandIsAppliedOncePerDeviceAndIDAndAnsweredTheSameWhenSentAgain() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let ana = try fixture.member("ana", as: admin)
        let beto = try fixture.member("beto", as: admin)
        let at = Timestamp(seconds: 1_800_000_000)
        func send(_ commands: [SyncLocalCommand]) throws -> [SyncCommandAnswer.Result] {
            let body = String(decoding: try JSONEncoder().encode(SyncCommandUpload(commands: commands)), as: UTF8.self)
            let response = try fixture.bearer("POST", "/api/v1/sync/commands", token, body: body)
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            return try JSONDecoder().decode(SyncCommandAnswer.self, from: Data(response.body)).results
        }
        let given = SyncLocalCommand(id: 1, kind: .card, user: ana, number: 7_770_001, at: at)
        let taken = SyncLocalCommand(id: 2, kind: .card, user: beto, number: 7_770_001, at: at)
        let first = try send([given, taken])
        #expect(first.map(\.applied) == [true, false] && first[1].message.contains("already in use"))
        // Sent again (the branch did not hear the answer): the same answers, nothing applied twice.
        #expect(try send([given, taken]) == first)
        let cards = try fixture.api.withDatabase { try $0.members.cards(number: CardNumber(rawValue: 7_770_001)) }
        #expect(cards.map(\.userID) == [ana])
    }

    /// The local account that made a change at the branch reaches the core as data: a JSON value
    /// in the audit row's changes, never part of its action or target, whatever its characters.
    @Test func theLocalUserOfABranchCommandIsAJSONValueInItsAuditRow() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, identity) = try fixture.enrolDevice(as: admin)
        let ana = try fixture.member("ana", as: admin)
        let at = Timestamp(seconds: 1_800_000_000)
        let who = SyncLocalUser(uid: 1_001, name: #"recepcion", "action": "user.delete"}"# + "\n")
        func send(_ body: String) throws {
            let response = try fixture.bearer("POST", "/api/v1/sync/commands", token, body: body)
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        }
        let command = SyncLocalCommand(id: 1, kind: .card, user: ana, number: 7_770_002, at: at, localUser: who)
        try send(String(decoding: try JSONEncoder().encode(SyncCommandUpload(commands: [command])), as: UTF8.self))
        // A daemon that does not know the field sends none.
        try send(
            #"{"commands": [{"id": 2, "kind": "card", "user": \#(ana), "number": 7770003, "at": \#(at.milliseconds)}]}"#
        )
        let rows = try fixture.api.withDatabase { try $0.audit.recent(limit: 10) }.filter { $0.action == "card.create" }
        #expect(rows.count == 2)
        let device = try #require(identity["deviceID"] as? Int64)
        #expect(rows.allSatisfy { $0.actor == "device:\(device)" && $0.target == "user:\(ana)" })
        func changes(_ row: AuditEntry) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(row.changes.utf8)) as? [String: Any])
        }
        let given = try changes(try #require(rows.last))
        let local = try #require(given["localUser"] as? [String: Any])
        #expect(local["name"] as? String == who.name && local["uid"] as? Int == 1_001)
        #expect(Set(given.keys) == ["card", "number", "at", "localUser"])
        #expect(try changes(try #require(rows.first))["localUser"] == nil)
    }

    /// A manual check-in made at the branch goes up with its note (the reason and who made it),
    /// which the core keeps with the attendance row.
    @Test func aCheckInsNoteIsStoredWithTheAttendanceRow() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let ana = try fixture.member("ana", as: admin)
        let now = Timestamp(seconds: 1_800_000_000)
        var checkIn = AttendanceEvent(
            id: EventID(time: now), at: now, branchID: fixture.own, doorID: DoorID(1), direction: .entry,
            credentialKind: .manual, cardNumber: nil, userID: UserID(ana), subscriptionID: nil, granted: true,
            reason: .grantedManual)
        checkIn.note = "olvidó su tarjeta; at the desk by recepcion (uid 1001)"
        let body = String(decoding: try JSONEncoder().encode(SyncUpload(events: [checkIn])), as: UTF8.self)
        let response = try fixture.bearer("POST", "/api/v1/sync/attendance", token, body: body)
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        let rows = try objects(try fixture.get("/api/v1/attendance?user=\(ana)", as: admin))
        #expect(rows.first?["note"] as? String == checkIn.note)
    }

    @Test func aForcedDoorNotifiesTheBranchsManagers() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let body = String(
            decoding: try JSONEncoder().encode(
                SyncAlarmUpload(alarms: [
                    SyncAlarm(door: 1, doorName: "Entrada", alarm: "forced", at: Timestamp(seconds: 1_800_000_000))
                ])), as: UTF8.self)
        #expect(try fixture.bearer("POST", "/api/v1/sync/alarms", token, body: body).status == 200)
        let seen = try objects(try fixture.get("/api/v1/notifications?filter=urgent", as: manager))
        #expect((seen.first?["title"] as? String) == "Door forced: Entrada at Centro")
        #expect(
            try fixture.bearer(
                "POST", "/api/v1/sync/alarms", token,
                body: #"{"alarms": [{"door": 1, "doorName": "x", "alarm": "party", "at": 0}]}"#
            ).status == 400)
    }
}
