import Foundation
import PorteroModel
import SQLite
import SyncWire

/// The sync store in the core's SQLite database.
public final class SQLSyncStore: SyncStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) throws {
        db = connection
    }

    /// The newest sequence in the change log (0 when empty).
    public func head() throws -> Int64 { try db.scalar("SELECT coalesce(max(seq), 0) FROM change_log", as: Int64.self) }

    /// The oldest sequence a cursor may be behind of; older cursors need a snapshot.
    public func horizon() throws -> Int64 {
        let oldest: Int64? = try db.queryFirst("SELECT min(seq) FROM change_log") { $0.int64(0) } ?? nil
        let pruned: Int64 =
            Int64(
                try db.queryFirst("SELECT value FROM core_meta WHERE key = 'change_log_pruned_through'") {
                    try $0.get(0) as String
                } ?? "0") ?? 0
        return max(pruned, (oldest ?? 1) - 1)
    }

    public func prune(before cutoff: Timestamp) throws {
        try db.transaction {
            guard
                let last: Int64 = try db.queryFirst(
                    "SELECT max(seq) FROM change_log WHERE at < ?", cutoff.milliseconds, map: { $0.int64(0) }) ?? nil
            else { return }
            try db.run("DELETE FROM change_log WHERE seq <= ?", last)
            try db.run(
                "INSERT INTO core_meta (key, value) VALUES ('change_log_pruned_through', ?) ON CONFLICT(key) DO UPDATE "
                    + "SET value = excluded.value",
                String(last))
        }
    }

    /// Users among `ids` that concern `branch` today: anyone granted the branch, every
    /// SuperAdministrador, and members with a subscription (running or ended less than 60 days
    /// ago) whose plan covers it.
    package func concerned(_ ids: [Int64], branch: BranchID, today: LocalDay) throws -> Set<Int64> {
        guard let low = ids.min(), let high = ids.max() else { return [] }
        let rows: [Int64] = try db.query(
            """
            SELECT u.id FROM users u WHERE u.id BETWEEN ?1 AND ?2 AND (
                EXISTS (SELECT 1 FROM user_branches b WHERE b.user_id = u.id AND b.branch_id = ?3)
                OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'superadministrador')
                OR EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = u.id AND s.status = 'active'
                           AND s.paid_through_day >= ?4 - 60
                           AND (NOT EXISTS (SELECT 1 FROM plan_branches p WHERE p.plan_id = s.plan_id)
                                OR EXISTS (SELECT 1 FROM plan_branches p
                                           WHERE p.plan_id = s.plan_id AND p.branch_id = ?3))))
            """, low, high, branch.rawValue, Int64(today.rawValue)
        ) { try $0.get(0) }
        return Set(rows).intersection(ids)
    }

    /// The items for these users at `branch`: their whole state, or a removal. Members whose plan
    /// limits visits per period get their entries elsewhere in the branch's current day, week and
    /// month.
    public func items(users ids: [Int64], branch: BranchID, zone: ZoneRules, now: Timestamp) throws -> [SyncItem] {
        let today = zone.localDay(at: now)
        let wanted = try concerned(ids, branch: branch, today: today)
        guard let low = wanted.min(), let high = wanted.max() else { return ids.map { .removeUser($0) } }
        // A few range queries for the whole set rather than a few queries per person.
        struct Base {
            var clave: Int64
            var name: String
            var active: Bool
            var pin: [UInt8]?
            var duress: [UInt8]?
        }
        var bases: [Int64: Base] = [:]
        for row in try db.query(
            """
            SELECT id, clave, name || ' ' || paternal_surname, active, pin_digest, duress_digest FROM users
                WHERE id BETWEEN ? AND ?
            """,
            low, high,
            map: {
                (
                    try $0.get(0) as Int64,
                    Base(
                        clave: try $0.get(1), name: try $0.get(2), active: try $0.get(3), pin: $0.bytes(4),
                        duress: $0.bytes(5))
                )
            }) where wanted.contains(row.0)
        {
            bases[row.0] = row.1
        }
        var roles: [Int64: [Role]] = [:]
        for (user, role) in try db.query(
            "SELECT user_id, role FROM user_roles WHERE user_id BETWEEN ? AND ?", low, high,
            map: { (try $0.get(0) as Int64, try $0.get(1) as String) })
        {
            if let role = Role(rawValue: role) { roles[user, default: []].append(role) }
        }
        var granted: Set<Int64> = []
        for user in try db.query(
            "SELECT user_id FROM user_branches WHERE branch_id = ? AND user_id BETWEEN ? AND ?", branch.rawValue, low,
            high, map: { try $0.get(0) as Int64 })
        {
            granted.insert(user)
        }
        var cards: [Int64: [SyncCard]] = [:]
        for (user, card) in try db.query(
            "SELECT user_id, id, number, status FROM cards WHERE user_id BETWEEN ? AND ? ORDER BY id", low, high,
            map: {
                (
                    try $0.get(0) as Int64,
                    SyncCard(
                        id: try $0.get(1), number: UInt64(bitPattern: try $0.get(2)),
                        status: Credential.Status(rawValue: try $0.get(3)) ?? .revoked)
                )
            })
        { cards[user, default: []].append(card) }
        var phones: [Int64: [SyncPhone]] = [:]
        for (user, phone) in try db.query(
            // The active phones and the newest revoked ones (a revoked phone's codes are refused as
            // revoked); older revoked ones are left out, so no one grows a page past what a branch reads.
            """
            SELECT user_id, id, public_key, active FROM (
                SELECT user_id, id, public_key, revoked_at IS NULL AS active, row_number() OVER (
                    PARTITION BY user_id, revoked_at IS NULL ORDER BY id DESC) AS newest
                FROM member_phones WHERE user_id BETWEEN ? AND ?) p
            WHERE active OR newest <= 10 ORDER BY id
            """, low, high,
            map: {
                (
                    try $0.get(0) as Int64,
                    SyncPhone(
                        id: try $0.get(1), key: ($0.bytes(2) ?? []).map { String(format: "%02x", $0) }.joined(),
                        active: try $0.get(3))
                )
            })
        { phones[user, default: []].append(phone) }
        var freezes: [Int64: [FreezePeriod]] = [:]
        for (subscription, period) in try db.query(
            """
            SELECT f.subscription_id, f.start_day, f.end_day FROM freezes f JOIN subscriptions s
                ON s.id = f.subscription_id
            WHERE s.user_id BETWEEN ? AND ? ORDER BY f.start_day
            """, low, high,
            map: {
                (
                    try $0.get(0) as Int64,
                    FreezePeriod(
                        start: LocalDay(daysSinceEpoch: Int32(try $0.get(1) as Int64)),
                        end: $0.int64(2).map { LocalDay(daysSinceEpoch: Int32($0)) })
                )
            })
        {
            freezes[subscription, default: []].append(period)
        }
        var subscriptions: [Int64: [Subscription]] = [:]
        var limited: Set<Int64> = []
        let paymentGrace = try SQLSettingsStore(connection: db).chain().paymentGraceDays
        // Subscriptions that can still matter at a door: not ended more than 60 days ago.
        // A pack's entries made anywhere but at this branch's doors (those the branch counts itself).
        for (row, perPeriod) in try db.query(
            """
            SELECT s.id, s.user_id, s.plan_version_id, s.start_day, s.end_day, s.grace_days, s.status, s.price_minor,
                s.currency, CASE WHEN v.visits_total IS NULL THEN NULL ELSE (
                    SELECT count(*) FROM attendance a WHERE a.user_id = s.user_id AND a.subscription_id = s.id
                        AND a.granted = 1 AND a.direction = 'in'
                        AND NOT (a.branch_id = ?4 AND a.device_id IS NOT NULL)) END, v.visits_per_period,
                s.payment_due_day
            FROM subscriptions s JOIN plan_versions v ON v.id = s.plan_version_id
            WHERE s.user_id BETWEEN ?1 AND ?2 AND s.paid_through_day >= ?3 - 60 ORDER BY s.id
            """, low, high, Int64(today.rawValue), branch.rawValue,
            map: { row -> (Subscription, Bool) in
                let id: Int64 = try row.get(0)
                let subscription = Subscription(
                    id: SubscriptionID(id), userID: UserID(try row.get(1)), planID: PlanID(try row.get(2)),
                    startDay: LocalDay(daysSinceEpoch: Int32(try row.get(3) as Int64)),
                    endDay: LocalDay(daysSinceEpoch: Int32(try row.get(4) as Int64)),
                    graceDays: try row.get(5), status: Subscription.Status(rawValue: try row.get(6)) ?? .cancelled,
                    freezes: [],
                    pricePaid: Money(minorUnits: try row.get(7), currency: try row.get(8)),
                    visitsElsewhere: row.int64(9).map { Int($0) },
                    unpaidFrom: row.int64(11).map {
                        Subscription.unpaidFrom(due: LocalDay(daysSinceEpoch: Int32($0)), graceDays: paymentGrace)
                    })
                return (subscription, try row.get(10) as Bool)
            })
        {
            var subscription = row
            subscription.freezes = freezes[row.id.rawValue] ?? []
            subscriptions[row.userID.rawValue, default: []].append(subscription)
            if perPeriod && wanted.contains(row.userID.rawValue) { limited.insert(row.userID.rawValue) }
        }
        let elsewhere = try visitsElsewhere(users: limited, branch: branch, zone: zone, now: now)
        return ids.map { id in
            guard let base = bases[id] else { return .removeUser(id) }
            let userRoles = roles[id] ?? []
            return .user(
                SyncUser(
                    id: id, clave: base.clave, displayName: base.name, active: base.active, roles: userRoles,
                    grantedHere: granted.contains(id) || userRoles.contains(.superAdministrator),
                    pin: base.pin.map { $0.map { String(format: "%02x", $0) }.joined() },
                    duressPin: base.duress.map { $0.map { String(format: "%02x", $0) }.joined() },
                    cards: cards[id] ?? [],
                    subscriptions: subscriptions[id] ?? [], visitsElsewhere: elsewhere[id], phones: phones[id] ?? []))
        }
    }

    /// Every plan version (plans are few; every branch gets all of them).
    public func planItems(ids: [Int64]? = nil) throws -> [SyncItem] {
        let rows: [String]
        if let ids {
            rows = try db.query(
                "SELECT body FROM plan_versions WHERE id IN (\(db.dialect.integers(in: "?"))) ORDER BY id",
                "[" + ids.map(String.init).joined(separator: ",") + "]"
            ) { try $0.get(0) }
        } else {
            rows = try db.query("SELECT body FROM plan_versions ORDER BY id") { try $0.get(0) }
        }
        let decoder = JSONDecoder()
        return try rows.map { .plan(try decoder.decode(SQLSalesStore.StoredTerms.self, from: Data($0.utf8)).plan) }
    }

    public func batch(
        branch: BranchID, after cursor: Int64, limit: Int, zone: ZoneRules, now: Timestamp, chainIndex: Bool
    ) throws -> SyncBatch {
        try db.read {
            let horizon = try horizon(), head = try head()
            if cursor < horizon || cursor > head {
                return SyncBatch(
                    cursor: cursor, items: [], commands: [], more: false, snapshotRequired: true, serverTime: now)
            }
            let entries: [(Int64, String, Int64)] = try db.query(
                "SELECT seq, entity, entity_id FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?", cursor, limit + 1
            ) {
                (try $0.get(0), try $0.get(1), try $0.get(2))
            }
            let more = entries.count > limit
            let taken = entries.prefix(limit)
            var users: Set<Int64> = []
            var counted: Set<Int64> = []
            var plans: [Int64] = []
            var commands: [Int64] = []
            var setupChanged = false
            for (_, entity, id) in taken {
                switch entity {
                case "user": users.insert(id)
                // Entries other branches count: only a branch that holds the member takes them.
                case "visits": counted.insert(id)
                case "plan_version": plans.append(id)
                case "door_command": commands.append(id)
                // Id 0: a chain setting every branch's setup carries (occupancy, journal retention).
                case "branch_setup" where id == branch.rawValue || id == 0: setupChanged = true
                default: break
                }
            }
            var items = try planItems(ids: plans)
            if setupChanged {
                let yesterday = zone.localDay(at: now).adding(days: -1)
                items.append(.branchSetup(try SQLDoorStore(connection: db).setup(branch: branch, from: yesterday)))
            }
            items += try self.items(users: users.sorted(), branch: branch, zone: zone, now: now)
            if chainIndex { items += try chainItems(users: users.sorted()) }
            let holders = try concerned(
                Array(counted.subtracting(users)), branch: branch, today: zone.localDay(at: now))
            items += try self.items(users: holders.sorted(), branch: branch, zone: zone, now: now)
            let doorCommands =
                try commands.isEmpty
                ? []
                : self.doorCommands(
                    "WHERE c.branch_id = ? AND c.id IN (\(db.dialect.integers(in: "?")))", branch.rawValue,
                    "[" + commands.map(String.init).joined(separator: ",") + "]")
            return SyncBatch(
                cursor: taken.last?.0 ?? cursor, items: items, commands: doorCommands, more: more,
                snapshotRequired: false, serverTime: now)
        }
    }

    public func snapshotPage(branch: BranchID, after: Int64, limit: Int, zone: ZoneRules, now: Timestamp) throws
        -> SyncSnapshotPage
    {
        try db.read {
            let sequence = try head()
            let candidates: [Int64] = try db.query(
                "SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?", after, limit
            ) { try $0.get(0) }
            var items = after == 0 ? try planItems() : []
            let wanted = try concerned(candidates, branch: branch, today: zone.localDay(at: now))
            items += try self.items(
                users: candidates.filter { wanted.contains($0) }, branch: branch, zone: zone, now: now)
            if let low = candidates.first, let high = candidates.last {
                items += try chainItems(from: low, through: high, excluding: wanted)
            }
            return SyncSnapshotPage(
                sequence: sequence, items: items, nextAfter: candidates.count < limit ? nil : candidates.last,
                serverTime: now)
        }
    }

    public func store(
        _ events: [AttendanceEvent], device: Int64, zone: ZoneRules, operations: any OperationsStore, now: Timestamp
    ) throws -> Int {
        try db.transaction {
            try operations.recordUploaded(events, device: device, zone: zone, now: now).count
        }
    }

    public func commandResult(device: Int64, localID: Int64) throws -> SyncCommandAnswer.Result? {
        try db.queryFirst(
            "SELECT applied, message FROM device_commands WHERE device_id = ? AND local_id = ?", device, localID
        ) { SyncCommandAnswer.Result(id: localID, applied: try $0.get(0), message: try $0.get(1)) }
    }

    public func recordCommand(
        _ command: SyncLocalCommand, device: Int64, applied: Bool, message: String, now: Timestamp
    ) throws {
        // The body as JSON the encoder writes: the local user's name is a string value, whatever it holds.
        struct Body: Encodable {
            let user: Int64
            let number: UInt64
            let localUser: SyncLocalUser?
        }
        let body = try JSONEncoder().encode(
            Body(user: command.user, number: command.number, localUser: command.localUser))
        try db.run(
            "INSERT INTO device_commands (device_id, local_id, kind, body, applied, message, received_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)",
            device, command.id, command.kind.rawValue, String(decoding: body, as: UTF8.self), applied, message,
            now.milliseconds)
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLSyncStore: Sendable {}
