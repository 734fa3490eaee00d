import Foundation
import PorteroModel
import Replica
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
        #expect(try !store.doorModesPending())
        try store.stage(SyncSnapshotPage(sequence: 3, items: [], nextAfter: nil, serverTime: now), after: 0)
        try store.finishSnapshot()
        #expect(try store.doorModesPending())
        let free = SyncDoorCommand(id: 2, door: 1, command: .freeAccess, reason: "clase", createdAt: now)
        try store.replaceDoorModes([free])
        #expect(try !store.doorModesPending())
        #expect(try store.doorModes().command(for: 1, at: now) == free)
    }
}
