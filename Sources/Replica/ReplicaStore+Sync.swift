import Foundation
import PorteroModel
import SQLite
import SyncWire

extension SyncItem {
    /// The replica change this item makes.
    public var replicaChange: ReplicaChange {
        switch self {
        case let .plan(plan):
            return .upsertPlan(plan)
        case let .removeUser(id):
            return .deleteUser(UserID(id))
        case let .chainMember(member):
            return .chainMember(member)
        case let .branchSetup(setup):
            return .branchSetup(setup)
        case let .user(user):
            func digest(_ hex: String?) -> PINDigest? {
                guard let hex, hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
                return PINDigest(bytes: bytes)
            }
            let replicaUser = ReplicaUser(
                id: UserID(user.id), clave: user.clave, displayName: user.displayName, active: user.active,
                roles: RoleSet(user.roles), grantedHere: user.grantedHere, pin: digest(user.pin),
                duressPIN: digest(user.duressPin), visitsElsewhere: user.visitsElsewhere)
            let cards = user.cards.map {
                Credential(
                    id: CredentialID($0.id), userID: UserID(user.id), card: CardNumber(rawValue: $0.number),
                    status: $0.status)
            }
            return .replaceUser(
                replicaUser, cards: cards, subscriptions: user.subscriptions,
                phones: (user.phones ?? []).compactMap(\.replicaPhone))
        }
    }
}

extension ReplicaStore {
    /// Applies a feed batch and its cursor in one transaction: all of it or none, and the cursor
    /// moves only with it. Returns whether plans changed (the door's store re-reads them).
    @discardableResult
    public func apply(_ batch: SyncBatch) throws -> AppliedBatch {
        try apply(batch.items.map(\.replicaChange) + batch.commands.map { .doorCommand($0) }, cursor: batch.cursor)
        return AppliedBatch(
            plansChanged: batch.items.contains { if case .plan = $0 { true } else { false } },
            setupChanged: batch.items.contains { if case .branchSetup = $0 { true } else { false } })
    }

    /// What an applied batch changed that the door loop keeps in memory.
    public struct AppliedBatch: Sendable, Equatable {
        public var plansChanged: Bool
        public var setupChanged: Bool
    }

    /// True once a whole snapshot has been applied (a new replica needs one, whatever its cursor).
    public func isBootstrapped() throws -> Bool {
        try db.queryFirst("SELECT 1 FROM replica_meta WHERE key = 'bootstrapped'", map: { _ in true }) ?? false
    }

    /// Where an unfinished snapshot stands: the sequence it follows from and the last user id
    /// staged. Nil when none is under way.
    public func snapshotProgress() throws -> (sequence: Int64, after: Int64)? {
        let sequence: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'snapshot_sequence'") {
            try $0.get(0)
        }
        let after: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'snapshot_after'") {
            try $0.get(0)
        }
        guard let sequence = sequence.flatMap({ Int64($0) }) else { return nil }
        return (sequence, after.flatMap { Int64($0) } ?? 0)
    }

    /// Stages one snapshot page (and where to resume) in one transaction; the live tables are
    /// untouched until `finishSnapshot`. The first page (after 0) starts a new snapshot.
    public func stage(_ page: SyncSnapshotPage, after: Int64) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try db.transaction {
            if after == 0 {
                for table in Self.snapshotTables { try db.execute("DELETE FROM \(table)") }
                // A snapshot carries no door commands: the modes in force are asked for after it.
                try markDoorModesPending()
                try markBranchSetupPending()
                try db.run(
                    "INSERT INTO replica_meta (key, value) VALUES ('snapshot_sequence', ?) ON CONFLICT(key) DO UPDATE "
                        + "SET value = excluded.value",
                    String(page.sequence))
            }
            for item in page.items {
                switch item.replicaChange {
                case let .replaceUser(user, cards, subscriptions, phones):
                    try writeUser(user, into: "snapshot_users")
                    try replacePhones(phones, of: user.id, in: "snapshot_phones")
                    for card in cards {
                        guard let number = card.cardNumber else { continue }
                        try db.run(
                            """
                            INSERT INTO snapshot_cards (card_number, id, user_id, status) VALUES (?, ?, ?, ?)
                            ON CONFLICT(card_number) DO UPDATE SET id = excluded.id, user_id = excluded.user_id,
                                status = excluded.status
                            WHERE excluded.status = 'active' OR snapshot_cards.status != 'active'
                            """, Int64(bitPattern: number.rawValue), card.id.rawValue, user.id.rawValue,
                            card.status.rawValue)
                    }
                    for s in subscriptions {
                        try insertSubscription(s, user: user.id, into: "snapshot_subscriptions", orReplace: true)
                    }
                case let .upsertPlan(plan):
                    try db.run(
                        "INSERT OR REPLACE INTO snapshot_plans (id, body) VALUES (?, ?)", plan.id.rawValue,
                        String(decoding: try encoder.encode(plan), as: UTF8.self))
                case let .chainMember(member):
                    try replaceChainMember(member, in: "snapshot_chain_cards")
                default:
                    break  // a snapshot page holds people, plans and the chain's card index only
                }
            }
            try db.run(
                "INSERT INTO replica_meta (key, value) VALUES ('snapshot_after', ?) ON CONFLICT(key) DO UPDATE "
                    + "SET value = excluded.value",
                String(page.nextAfter ?? Int64.max))
        }
    }

    /// Swaps the staged snapshot in, in one transaction: people not in it leave (their cards and
    /// subscriptions with them), those who stay keep their decision state (visit counters,
    /// presence, PIN attempts), cards, subscriptions, plans and the chain's card index are
    /// replaced, and the cursor becomes the snapshot's sequence.
    public func finishSnapshot() throws {
        guard let progress = try snapshotProgress() else { return }
        try db.transaction {
            try db.execute("DELETE FROM users WHERE id NOT IN (SELECT id FROM snapshot_users)")
            try db.execute(
                """
                INSERT INTO users (id, \(Self.userSyncColumns))
                SELECT id, \(Self.userSyncColumns) FROM snapshot_users WHERE true
                ON CONFLICT(id) DO UPDATE SET \(Self.userSyncUpdates)
                """)
            try db.execute("DELETE FROM cards")
            try db.execute(
                "INSERT INTO cards (card_number, id, user_id, status) SELECT card_number, id, user_id, status "
                    + "FROM snapshot_cards"
            )
            try db.execute("DELETE FROM subscriptions")
            try db.execute(
                """
                INSERT INTO subscriptions (user_id, id, plan_id, start_day, end_day, grace_days, status, freezes,
                    price_minor, currency, visits_elsewhere, unpaid_from)
                SELECT user_id, id, plan_id, start_day, end_day, grace_days, status, freezes, price_minor, currency,
                    visits_elsewhere, unpaid_from FROM snapshot_subscriptions
                """)
            try db.execute("DELETE FROM plans")
            try db.execute("INSERT INTO plans (id, body) SELECT id, body FROM snapshot_plans")
            // A phone that keeps its key keeps its last code used: a spent code stays spent.
            try db.execute(
                """
                DELETE FROM phones WHERE id NOT IN (SELECT id FROM snapshot_phones)
                    OR public_key != (SELECT public_key FROM snapshot_phones s WHERE s.id = phones.id)
                """)
            try db.execute(
                """
                INSERT INTO phones (id, user_id, public_key, active)
                SELECT id, user_id, public_key, active FROM snapshot_phones WHERE true
                ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, active = excluded.active
                """)
            try db.execute("DELETE FROM chain_cards")
            try db.execute(
                "INSERT INTO chain_cards (card_number, user_id, active, subscribed_through) "
                    + "SELECT card_number, user_id, active, subscribed_through FROM snapshot_chain_cards")
            for table in Self.snapshotTables { try db.execute("DELETE FROM \(table)") }
            try db.run(
                "INSERT INTO replica_meta (key, value) VALUES ('sync_cursor', ?) ON CONFLICT(key) DO UPDATE "
                    + "SET value = excluded.value",
                String(progress.sequence))
            try db.run(
                "INSERT INTO replica_meta (key, value) VALUES ('synced_at', ?) ON CONFLICT(key) DO UPDATE "
                    + "SET value = excluded.value",
                String(Timestamp.now().milliseconds))
            try db.run("DELETE FROM replica_meta WHERE key IN ('snapshot_sequence', 'snapshot_after')")
            try db.run("INSERT INTO replica_meta (key, value) VALUES ('bootstrapped', '1') ON CONFLICT(key) DO NOTHING")
        }
        try refreshPlans()
    }
}

/// Why a change asked for at the branch was refused there.
public struct LocalChangeError: Error, CustomStringConvertible, Sendable {
    public let status: Int
    public let message: String
    public var description: String { message }
}

extension ReplicaStore {
    /// True when the replica knows the user.
    public func knows(_ user: UserID) throws -> Bool {
        try db.queryFirst("SELECT 1 FROM users WHERE id = ?", user.rawValue, map: { _ in true }) ?? false
    }

    /// Gives `number` to `user` here at once (a provisional card, its id the command's, negative)
    /// and queues the command for the core, with the local account that asked (`by`), in one
    /// transaction. Refused when the number is an active card of someone else here.
    @discardableResult
    public func enrollLocalCard(user: UserID, number: CardNumber, now: Timestamp, by local: SyncLocalUser? = nil)
        throws -> Int64
    {
        try db.transaction {
            guard try knows(user) else {
                throw LocalChangeError(status: 404, message: "user \(user) is not in this branch's replica")
            }
            if let holder: Int64 = try db.queryFirst(
                "SELECT user_id FROM cards WHERE card_number = ? AND status = 'active'",
                Int64(bitPattern: number.rawValue), map: { try $0.get(0) }), holder != user.rawValue
            {
                throw LocalChangeError(status: 409, message: "card \(number) is active for user \(holder)")
            }
            try db.run(
                """
                INSERT INTO local_commands (kind, user_id, card_number, created_at, local_uid, local_name)
                VALUES ('card', ?, ?, ?, ?, ?)
                """, user.rawValue, Int64(bitPattern: number.rawValue), now.milliseconds, local.map { Int64($0.uid) },
                local?.name)
            let command = db.lastInsertRowID
            try db.run(
                """
                INSERT INTO cards (card_number, id, user_id, status) VALUES (?, ?, ?, 'active')
                ON CONFLICT(card_number) DO UPDATE SET id = excluded.id, user_id = excluded.user_id, status = 'active'
                """, Int64(bitPattern: number.rawValue), -command, user.rawValue)
            return command
        }
    }

    /// Commands not yet answered by the core, oldest first.
    public func pendingLocalCommands(limit: Int = 100) throws -> [SyncLocalCommand] {
        try db.query(
            """
            SELECT id, user_id, card_number, created_at, local_uid, local_name
            FROM local_commands ORDER BY id LIMIT ?
            """, limit
        ) { row in
            let uid: Int64? = try row.get(4)
            let name: String? = try row.get(5)
            return SyncLocalCommand(
                id: try row.get(0), kind: .card, user: try row.get(1), number: UInt64(bitPattern: try row.get(2)),
                at: Timestamp(milliseconds: try row.get(3)),
                localUser: uid.map { SyncLocalUser(uid: UInt32(truncatingIfNeeded: $0), name: name) })
        }
    }

    /// Drops commands the core has answered.
    public func acknowledgeLocalCommands(_ ids: [Int64]) throws {
        try db.transaction { for id in ids { try db.run("DELETE FROM local_commands WHERE id = ?", id) } }
    }
}
