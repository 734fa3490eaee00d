import Foundation
import PorteroModel
@testable import Replica
import SQLite
import SyncWire
import TestSupport
import Testing

@Suite struct ReplicaSyncTests {
    static let plan = Plan(
        id: PlanID(7), name: "Mensual", price: Money(minorUnits: 59_900, currency: "MXN"), duration: .months(1))

    static func user(_ id: Int64, name: String, card: UInt64, status: Credential.Status = .active) -> SyncItem {
        let today = LocalDay(daysSinceEpoch: Int32(Timestamp.now().milliseconds / 86_400_000))
        return .user(
            SyncUser(
                id: id, clave: id, displayName: name, active: true, roles: [.client], grantedHere: true, pin: nil,
                cards: [SyncCard(id: id * 10, number: card, status: status)],
                subscriptions: [
                    Subscription(
                        id: SubscriptionID(id), userID: UserID(id), planID: plan.id, startDay: today.adding(days: -1),
                        endDay: today.adding(days: 30), pricePaid: plan.price)
                ]))
    }

    func count(_ db: Connection, _ sql: String) throws -> Int { try db.scalar(sql, as: Int.self) }

    @Test func aSnapshotIsStagedThenSwappedInWholeKeepingStateOfThoseWhoStay() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("replica.sqlite")
        let store = try ReplicaStore(path: path, branchID: BranchID(1), timeZone: "America/Mexico_City")
        try store.apply(
            SyncBatch(
                cursor: 5,
                items: [.plan(Self.plan), Self.user(1, name: "Ana", card: 111), Self.user(2, name: "Beto", card: 222)],
                commands: [], more: false, snapshotRequired: false, serverTime: Timestamp.now()))
        let db = try Connection(path: path)
        try db.run("UPDATE users SET day_count = 3 WHERE id = 1")
        // Page one of a new snapshot: the live tables do not change yet.
        try store.stage(
            SyncSnapshotPage(
                sequence: 40, items: [.plan(Self.plan), Self.user(1, name: "Ana María", card: 111)], nextAfter: 1,
                serverTime: Timestamp.now()), after: 0)
        #expect(try count(db, "SELECT count(*) FROM users") == 2)
        #expect(try store.snapshotProgress()?.after == 1)
        // A restart in between: a new connection sees where to resume.
        let reopened = try ReplicaStore(path: path, branchID: BranchID(1), timeZone: "America/Mexico_City")
        #expect(try reopened.snapshotProgress()?.sequence == 40)
        try reopened.stage(
            SyncSnapshotPage(
                sequence: 41, items: [Self.user(3, name: "Carla", card: 333)], nextAfter: nil,
                serverTime: Timestamp.now()), after: 1)
        try reopened.finishSnapshot()
        #expect(
            try db.query("SELECT display_name FROM users ORDER BY id", map: { row -> String in try row.get(0) }) == [
                "Ana María", "Carla",
            ])
        #expect(try count(db, "SELECT day_count FROM users WHERE id = 1") == 3)
        #expect(try count(db, "SELECT count(*) FROM cards WHERE card_number = 222") == 0)
        #expect(try reopened.syncCursor() == 40 && reopened.isBootstrapped() && reopened.snapshotProgress() == nil)
        #expect(try count(db, "SELECT count(*) FROM snapshot_users") == 0)
    }

    @Test func aRevokedCardOfOnePersonNeverDisplacesTheActiveHolder() throws {
        let directory = try TemporaryDirectory()
        let store = try ReplicaStore(
            path: directory.file("replica.sqlite"), branchID: BranchID(1), timeZone: "America/Mexico_City")
        try store.apply(
            SyncBatch(
                cursor: 1, items: [.plan(Self.plan), Self.user(2, name: "Beto", card: 555)], commands: [], more: false,
                snapshotRequired: false, serverTime: Timestamp.now()))
        // Ana once had 555 and lost it; her state comes after Beto's.
        try store.apply(
            SyncBatch(
                cursor: 2, items: [Self.user(1, name: "Ana", card: 555, status: .lost)], commands: [], more: false,
                snapshotRequired: false, serverTime: Timestamp.now()))
        let db = try Connection(path: directory.file("replica.sqlite"))
        #expect(
            try db.queryFirst(
                "SELECT user_id || ':' || status FROM cards WHERE card_number = 555",
                map: { row -> String in try row.get(0) }) == "2:active")
    }
}

@Suite struct ReplicaDoorModeTests {
    let now = Timestamp(seconds: 1_800_000_000)

    /// Modes arrive with their batch and its cursor, and a reopened replica has them.
    @Test func modesAreKeptWithTheirBatch() throws {
        let directory = try TemporaryDirectory()
        let lockdown = SyncDoorCommand(id: 4, door: nil, command: .lockdown, reason: "simulacro", createdAt: now)
        let unlock = SyncDoorCommand(id: 5, door: 1, command: .unlockOnce, reason: "proveedor", createdAt: now)
        do {
            let store = try openStore(directory)
            _ = try store.apply(
                SyncBatch(
                    cursor: 12, items: [], commands: [lockdown, unlock], more: false, snapshotRequired: false,
                    serverTime: now))
        }
        let reopened = try openStore(directory)
        #expect(try reopened.syncCursor() == 12)
        #expect(try reopened.doorModes().inForce(at: now) == [lockdown], "an unlock is of the moment: not kept")
    }

    /// A snapshot carries no commands: from its first page until the modes in force are taken,
    /// the replica says they must be asked for.
    @Test func aSnapshotAsksForTheModesInForce() throws {
        let directory = try TemporaryDirectory()
        let store = try openStore(directory)
        #expect(try store.doorModesPending(), "a new or upgraded replica asks too")
        try store.replaceDoorModes([])
        #expect(try !store.doorModesPending())
        try store.stage(SyncSnapshotPage(sequence: 3, items: [], nextAfter: nil, serverTime: now), after: 0)
        try store.finishSnapshot()
        #expect(try store.doorModesPending())
        let free = SyncDoorCommand(id: 2, door: 1, command: .freeAccess, reason: "clase", createdAt: now)
        try store.replaceDoorModes([free])
        #expect(try !store.doorModesPending())
        #expect(try store.doorModes().command(for: 1, at: now) == free)
    }

    /// The branch's doors and calendar: asked for after a snapshot (or an upgrade), replaced
    /// whole by a batch that brings them, and kept through a snapshot until new ones come.
    @Test func theBranchSetupIsAskedForAfterASnapshotAndReplacedWhole() throws {
        let directory = try TemporaryDirectory()
        let store = try openStore(directory)
        #expect(try store.branchSetupPending() && store.branchSetup() == nil)
        let first = SyncBranchSetup(
            doors: [SyncDoor(id: 1, name: "Entrada"), SyncDoor(id: 2, name: "Alberca", cardAndPin: true)],
            calendar: [CalendarDay(day: day(2027, 1, 1), hours: nil, note: "Año nuevo")])
        try store.replaceBranchSetup(first)
        #expect(try !store.branchSetupPending() && store.branchSetup() == first)
        let second = SyncBranchSetup(doors: [SyncDoor(id: 1, name: "Entrada", direction: .entryOnly)], calendar: [])
        let applied = try store.apply(
            SyncBatch(
                cursor: 4, items: [.branchSetup(second)], commands: [], more: false, snapshotRequired: false,
                serverTime: now))
        #expect(applied.setupChanged && !applied.plansChanged)
        #expect(try store.branchSetup() == second && store.syncCursor() == 4)
        try store.stage(SyncSnapshotPage(sequence: 9, items: [], nextAfter: nil, serverTime: now), after: 0)
        try store.finishSnapshot()
        #expect(try store.branchSetupPending() && store.branchSetup() == second, "kept until the core's comes")
    }
}

@Suite struct JournalRetentionTests {
    let day: Int64 = 86_400_000
    let start = Timestamp(seconds: 1_800_000_000)

    func event(_ at: Timestamp, subscription: Int64? = nil, granted: Bool = true) -> AttendanceEvent {
        AttendanceEvent(
            id: EventID(time: at), at: at, branchID: branch, doorID: DoorID(1), direction: .entry,
            credentialKind: .card, cardNumber: CardNumber(rawValue: 5), userID: UserID(1),
            subscriptionID: subscription.map { SubscriptionID($0) }, granted: granted,
            reason: granted ? .granted : .credentialUnknown)
    }

    /// Only what the core acknowledged goes, and never a granted entry of a visit pack the
    /// replica still has (the pack counts those); a monthly plan's entries go like the rest.
    @Test func onlyAcknowledgedHistoryGoes() throws {
        let directory = try TemporaryDirectory()
        let store = try openStore(directory)
        let pack = Plan(
            id: PlanID(2), name: "10 visitas", price: Money(minorUnits: 50_000, currency: "MXN"), duration: .months(3),
            visitLimit: VisitLimit(perSubscription: 10))
        try store.apply(
            [.upsertPlan(monthly), .upsertPlan(pack)] + member(1, card: 5)
                + [
                    .upsertSubscription(
                        Subscription(
                            id: SubscriptionID(101), userID: UserID(1), planID: PlanID(2),
                            startDay: ReplicaTests.day(2024, 1, 1), endDay: ReplicaTests.day(2024, 3, 31),
                            pricePaid: Money(minorUnits: 50_000, currency: "MXN")))
                ])
        let old = start
        let acknowledged = event(old)
        let waiting = event(old.adding(milliseconds: 1))
        let onPack = event(old.adding(milliseconds: 2), subscription: 101)
        let refusedOnPack = event(old.adding(milliseconds: 3), subscription: 101, granted: false)
        let onMonthly = event(old.adding(milliseconds: 4), subscription: 100)
        for next in [acknowledged, waiting, onPack, refusedOnPack, onMonthly] { try store.record(next, newState: nil) }
        try store.acknowledge([acknowledged.id, onPack.id, refusedOnPack.id, onMonthly.id])
        let recent = event(old.adding(milliseconds: 100 * day))
        try store.record(recent, newState: nil)
        try store.acknowledge([recent.id])

        #expect(try store.pruneJournalFully(before: old.adding(milliseconds: 90 * day)).pruned == 3)
        let kept = Set(try store.recentAttendance(limit: 10).map(\.id))
        #expect(kept == [waiting.id, onPack.id, recent.id])
        #expect(try store.outboxDepth() == 1)
    }

    /// A year at 5,000 entries a day with 90 days' retention: the journal holds 90 days and the
    /// file stays under 64 MiB (44 MiB measured) (pruned weekly here; the daemon prunes hourly). Event ids are
    /// time-ordered, as the daemon's UUIDv7 ids are.
    @Test func aYearOfEntriesStaysWithinItsSize() throws {
        let directory = try TemporaryDirectory()
        let store = try openStore(directory)
        var largest = 0
        for index in 0..<365 {
            let morning = start.adding(milliseconds: Int64(index) * day)
            try store.inTransaction {
                try store.db.run(
                    """
                    WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 4999)
                    INSERT INTO attendance (id, at, door_id, direction, credential_kind, card_number, user_id,
                        subscription_id, granted, reason)
                    SELECT CAST(printf('%013d%03d', ?1 + n * 17000, n % 1000) AS BLOB), ?1 + n * 17000, 1 + n % 3,
                        'in', 'card', 1000000 + n, 1 + n % 20000,
                        NULL, n % 10 != 0, CASE WHEN n % 10 = 0 THEN 'subscription.expired' ELSE 'granted' END
                    FROM seq
                    """, morning.milliseconds)
            }
            if index % 7 == 6 {
                try store.pruneJournalFully(before: morning.adding(milliseconds: -90 * day))
                largest = max(largest, store.sizeInBytes())
            }
        }
        let rows = try store.statistics().attendance
        #expect(rows <= 97 * 5_000 && rows >= 90 * 5_000, "about 90 days kept: \(rows)")
        #expect(largest < 64 << 20, "largest file \(largest >> 20) MiB")
    }
}

@Suite struct ReplicaPINMoveTests {
    /// A PIN that moves from one person to another, arriving for the new holder first (the feed
    /// sends people by id), or two people swapping theirs, never stops a batch.
    @Test func aPINMayMoveBetweenPeopleInAnyOrder() throws {
        let directory = try TemporaryDirectory()
        let store = try openStore(directory)
        func person(_ id: Int64, pin: String?) throws -> ReplicaChange {
            .replaceUser(
                ReplicaUser(
                    id: UserID(id), clave: id, displayName: "P\(id)", active: true, pin: try pin.map(pinDigest)),
                cards: [], subscriptions: [])
        }
        try store.apply([try person(5, pin: "1111"), try person(3, pin: "2222")])
        try store.apply([try person(3, pin: "1111"), try person(5, pin: "3333")])
        #expect(try store.facts(for: .pin(try pinDigest("1111"))).facts?.user.id == UserID(3))
        #expect(try store.facts(for: .pin(try pinDigest("3333"))).facts?.user.id == UserID(5))
        #expect(try store.facts(for: .pin(try pinDigest("2222"))).facts == nil)
        try store.apply([try person(3, pin: "3333"), try person(5, pin: "1111")])
        #expect(try store.facts(for: .pin(try pinDigest("1111"))).facts?.user.id == UserID(5))
    }
}
