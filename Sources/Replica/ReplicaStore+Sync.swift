import Foundation
import PorteroModel
import SQLite

extension SyncItem {
    /// The replica change this item makes.
    public var replicaChange: ReplicaChange {
        switch self {
        case let .plan(plan):
            return .upsertPlan(plan)
        case let .removeUser(id):
            return .deleteUser(UserID(id))
        case let .user(user):
            let pin = user.pin.flatMap { hex -> PINDigest? in
                let characters = Array(hex.utf8)
                guard characters.count == 64 else { return nil }
                var bytes: [UInt8] = []
                for index in stride(from: 0, to: 64, by: 2) {
                    guard let byte = UInt8(String(decoding: characters[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
                    bytes.append(byte)
                }
                return PINDigest(bytes: bytes)
            }
            let replicaUser = ReplicaUser(id: UserID(user.id), clave: user.clave, displayName: user.displayName, active: user.active,
                                          roles: RoleSet(user.roles), grantedHere: user.grantedHere, pin: pin)
            let cards = user.cards.map { Credential(id: CredentialID($0.id), userID: UserID(user.id), card: CardNumber(rawValue: $0.number), status: $0.status) }
            return .replaceUser(replicaUser, cards: cards, subscriptions: user.subscriptions)
        }
    }
}

extension ReplicaStore {
    /// Applies a feed batch and its cursor in one transaction: all of it or none, and the cursor
    /// moves only with it. Returns whether plans changed (the door's store re-reads them).
    @discardableResult
    public func apply(_ batch: SyncBatch) throws -> Bool {
        try apply(batch.items.map(\.replicaChange), cursor: batch.cursor)
        return batch.items.contains { if case .plan = $0 { true } else { false } }
    }

    /// True once a whole snapshot has been applied (a new replica needs one, whatever its cursor).
    public func isBootstrapped() throws -> Bool {
        try db.queryFirst("SELECT 1 FROM replica_meta WHERE key = 'bootstrapped'", map: { _ in true }) ?? false
    }

    /// Where an unfinished snapshot stands: the sequence it follows from and the last user id
    /// staged. Nil when none is under way.
    public func snapshotProgress() throws -> (sequence: Int64, after: Int64)? {
        let sequence: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'snapshot_sequence'") { try $0.get(0) }
        let after: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'snapshot_after'") { try $0.get(0) }
        guard let sequence = sequence.flatMap({ Int64($0) }) else { return nil }
        return (sequence, after.flatMap { Int64($0) } ?? 0)
    }

    /// Stages one snapshot page (and where to resume) in one transaction; the live tables are
    /// untouched until `finishSnapshot`. The first page (after 0) starts a new snapshot.
    public func stage(_ page: SyncSnapshotPage, after: Int64) throws {
        let encoder = JSONEncoder()
        try db.transaction {
            if after == 0 {
                try db.run("DELETE FROM snapshot_stage")
                try db.run("INSERT INTO replica_meta (key, value) VALUES ('snapshot_sequence', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", String(page.sequence))
            }
            for item in page.items {
                try db.run("INSERT INTO snapshot_stage (item) VALUES (?)", String(decoding: try encoder.encode(item), as: UTF8.self))
            }
            try db.run("INSERT INTO replica_meta (key, value) VALUES ('snapshot_after', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       String(page.nextAfter ?? Int64.max))
        }
    }

    /// Swaps the staged snapshot in, in one transaction: users not in it leave (their cards and
    /// subscriptions with them), plans are replaced, the decision state of users who stay is kept,
    /// and the cursor becomes the snapshot's sequence.
    public func finishSnapshot() throws {
        guard let progress = try snapshotProgress() else { return }
        let decoder = JSONDecoder()
        try db.transaction {
            var changes: [ReplicaChange] = []
            var keep: [Int64] = []
            var plans: [Int64] = []
            let rows: [String] = try db.query("SELECT item FROM snapshot_stage ORDER BY seq") { try $0.get(0) }
            for row in rows {
                let item = try decoder.decode(SyncItem.self, from: Data(row.utf8))
                switch item {
                case let .user(user): keep.append(user.id)
                case let .plan(plan): plans.append(plan.id.rawValue)
                case .removeUser: break
                }
                changes.append(item.replicaChange)
            }
            try db.execute("CREATE TEMP TABLE IF NOT EXISTS snapshot_keep (id INTEGER PRIMARY KEY)")
            try db.execute("DELETE FROM temp.snapshot_keep")
            for id in keep { try db.run("INSERT OR IGNORE INTO temp.snapshot_keep (id) VALUES (?)", id) }
            try db.run("DELETE FROM users WHERE id NOT IN (SELECT id FROM temp.snapshot_keep)")
            try db.run("DELETE FROM plans WHERE id NOT IN (SELECT value FROM json_each(?))", "[" + plans.map(String.init).joined(separator: ",") + "]")
            try apply(changes, cursor: progress.sequence)
            try db.run("DELETE FROM snapshot_stage")
            try db.run("DELETE FROM replica_meta WHERE key IN ('snapshot_sequence', 'snapshot_after')")
            try db.run("INSERT INTO replica_meta (key, value) VALUES ('bootstrapped', '1') ON CONFLICT(key) DO NOTHING")
        }
        try refreshPlans()
    }
}
