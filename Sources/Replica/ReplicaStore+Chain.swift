import PorteroModel
import SQLite
import SyncWire

/// What the replica knows of the rest of the chain: the card index (every active card of the
/// chain, with its holder's id and standing only) and, for members whose plan limits visits per
/// period, the entries the core counted at other branches.
extension ReplicaStore {
    /// The staging tables a snapshot fills before it is swapped in.
    static let snapshotTables = [
        "snapshot_users", "snapshot_cards", "snapshot_subscriptions", "snapshot_plans", "snapshot_chain_cards",
        "snapshot_phones",
    ]

    /// The columns of a user's row that sync writes (the rest is this branch's decision state).
    static let userSyncColumnList = [
        "clave", "display_name", "active", "roles", "granted_here", "pin_digest", "duress_digest", "elsewhere_day",
        "elsewhere_day_count", "elsewhere_week", "elsewhere_week_count", "elsewhere_month", "elsewhere_month_count",
    ]
    static let userSyncColumns = userSyncColumnList.joined(separator: ", ")
    static let userSyncUpdates = userSyncColumnList.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")

    /// Writes a user's row into `table` (the live one, or the snapshot's staging one), keeping
    /// their decision state (visit counters, presence, PIN attempts).
    func writeUser(_ user: ReplicaUser, into table: String = "users") throws {
        let elsewhere = user.visitsElsewhere
        try db.run(
            """
            INSERT INTO \(table) (id, \(Self.userSyncColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET \(Self.userSyncUpdates)
            """, user.id.rawValue, user.clave, user.displayName, user.active, Int64(user.roles.rawValue),
            user.grantedHere, user.pin?.bytes, user.duressPIN?.bytes, elsewhere?.day.map { Int64($0.rawValue) },
            elsewhere?.dayCount ?? 0, elsewhere?.weekStart.map { Int64($0.rawValue) }, elsewhere?.weekCount ?? 0,
            elsewhere?.month.map { Int64($0) }, elsewhere?.monthCount ?? 0)
    }

    /// Reads the six columns of visits elsewhere starting at `first`.
    static func visitsElsewhere(from row: Row, at first: Int32) throws -> VisitCounters {
        func day(_ column: Int32) -> LocalDay? {
            row.int64(first + column).map { LocalDay(rawValue: Int32(truncatingIfNeeded: $0)) }
        }
        return VisitCounters(
            day: day(0), dayCount: Int(try row.requiredInt64(first + 1)), weekStart: day(2),
            weekCount: Int(try row.requiredInt64(first + 3)),
            month: row.int64(first + 4).map { Int32(truncatingIfNeeded: $0) },
            monthCount: Int(try row.requiredInt64(first + 5)))
    }

    /// Replaces a person's entries in the chain's card index (`chain_cards`, or the snapshot's
    /// staging table) with exactly their active cards now. A number another person held before
    /// moves to this one.
    func replaceChainMember(_ member: SyncChainMember, in table: String) throws {
        try db.run("DELETE FROM \(table) WHERE user_id = ?", member.id)
        for number in member.cards {
            try db.run(
                "INSERT OR REPLACE INTO \(table) (card_number, user_id, active, subscribed_through) "
                    + "VALUES (?, ?, ?, ?)",
                Int64(bitPattern: number), member.id, member.active,
                member.subscribedThrough.map { Int64($0.rawValue) })
        }
    }

    /// The facts for a card this branch does not hold, from the chain's card index (nil: a
    /// stranger's card).
    func chainFacts(_ number: CardNumber) throws -> AccessFacts? {
        try db.queryFirst(
            "SELECT user_id, active, subscribed_through FROM chain_cards WHERE card_number = ?",
            Int64(bitPattern: number.rawValue)
        ) { row in
            AccessFacts.chainMember(
                UserID(try row.requiredInt64(0)), active: try row.requiredInt64(1) != 0,
                standing: ChainStanding(
                    subscribedThrough: row.int64(2).map { LocalDay(rawValue: Int32(truncatingIfNeeded: $0)) }))
        }
    }
}
