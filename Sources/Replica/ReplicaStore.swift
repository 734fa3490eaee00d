import Foundation
import PorteroModel
import SQLite

/// The branch's local copy of members, credentials, plans and subscriptions, with the per-user
/// decision state, the attendance journal and the outbox, in one SQLite file (WAL).
///
/// Not thread-safe: the daemon owns one store per connection thread (see `SerialConnection`).
/// Writes of decisions are durable when `record` returns: the connection runs
/// `synchronous=FULL`, so each commit fsyncs the write-ahead log.
public final class ReplicaStore {
    public let path: String
    public let branchID: BranchID
    public let context: AccessContext
    let db: Connection
    private var plans: [PlanID: Plan] = [:]

    /// Opens (creating and migrating) the replica of `branchID` at `path`.
    /// A file of another branch, another application or a newer schema is refused untouched.
    public init(path: String, branchID: BranchID, timeZone: String, policy: AccessPolicy = AccessPolicy(), options: ConnectionOptions = ReplicaStore.defaultOptions) throws {
        let zone = try ZoneRules(identifier: timeZone)
        let db = try Connection(path: path, options: options)
        if options.readOnly {
            let pending = try ReplicaSchema.migrator.pendingVersions(db)
            guard pending.isEmpty else { throw ReplicaError.needsMigration(path: path, pending: pending) }
            let stored: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'branch_id'") { try $0.get(0) }
            guard stored == String(branchID.rawValue) else {
                throw ReplicaError.branchMismatch(path: path, expected: branchID, found: stored ?? "none")
            }
        } else {
            try ReplicaSchema.migrator.migrate(db)
            try db.transaction {
                let stored: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'branch_id'") { try $0.get(0) }
                if let stored {
                    guard stored == String(branchID.rawValue) else {
                        throw ReplicaError.branchMismatch(path: path, expected: branchID, found: stored)
                    }
                } else {
                    try db.run("INSERT INTO replica_meta (key, value) VALUES ('branch_id', ?)", String(branchID.rawValue))
                }
                try db.run("INSERT INTO replica_meta (key, value) VALUES ('time_zone', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", timeZone)
            }
        }
        self.path = path
        self.branchID = branchID
        self.context = AccessContext(branchID: branchID, zone: zone, policy: policy)
        self.db = db
        try reloadPlans()
    }

    /// WAL, synchronous=FULL, foreign keys, a bounded 8 MiB page cache.
    public static var defaultOptions: ConnectionOptions {
        var options = ConnectionOptions()
        options.synchronous = .full
        options.cacheSizeKiB = 8_192
        return options
    }

    private func reloadPlans() throws {
        let decoder = JSONDecoder()
        let rows: [(Int64, String)] = try db.query("SELECT id, body FROM plans") { (try $0.get(0), try $0.get(1)) }
        var loaded: [PlanID: Plan] = [:]
        for (id, body) in rows {
            do {
                loaded[PlanID(id)] = try decoder.decode(Plan.self, from: Data(body.utf8))
            } catch {
                throw ReplicaError.invalidStoredValue(table: "plans", column: "body", value: "plan \(id): \(error)")
            }
        }
        plans = loaded
    }

    // MARK: Sync

    /// The last change-feed sequence applied (0 for a new replica).
    public func syncCursor() throws -> Int64 {
        let text: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'sync_cursor'") { try $0.get(0) }
        return text.flatMap { Int64($0) } ?? 0
    }

    /// Applies a batch of changes and the new cursor in one transaction: all of it or none.
    public func apply(_ changes: [ReplicaChange], cursor: Int64? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var plansChanged = false
        do {
            try db.transaction {
                for change in changes {
                    switch change {
                    case let .upsertUser(user):
                        try db.run("""
                            INSERT INTO users (id, clave, display_name, active, roles, granted_here, pin_digest, duress_digest)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT(id) DO UPDATE SET clave = excluded.clave, display_name = excluded.display_name,
                                active = excluded.active, roles = excluded.roles, granted_here = excluded.granted_here,
                                pin_digest = excluded.pin_digest, duress_digest = excluded.duress_digest
                            """, user.id.rawValue, user.clave, user.displayName, user.active, Int64(user.roles.rawValue), user.grantedHere,
                            user.pin?.bytes, user.duressPIN?.bytes)
                    case let .deleteUser(id):
                        try db.run("DELETE FROM users WHERE id = ?", id.rawValue)
                    case let .upsertCredential(credential):
                        try db.run("""
                            INSERT INTO credentials (id, user_id, kind, card_number, pin_digest, status) VALUES (?, ?, ?, ?, ?, ?)
                            ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, kind = excluded.kind,
                                card_number = excluded.card_number, pin_digest = excluded.pin_digest, status = excluded.status
                            """, credential.id.rawValue, credential.userID.rawValue, credential.kind.rawValue,
                            credential.cardNumber.map { Int64(bitPattern: $0.rawValue) }, credential.pinDigest?.bytes, credential.status.rawValue)
                    case let .deleteCredential(id):
                        try db.run("DELETE FROM credentials WHERE id = ?", id.rawValue)
                    case let .upsertPlan(plan):
                        let body = String(decoding: try encoder.encode(plan), as: UTF8.self)
                        try db.run("INSERT INTO plans (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body", plan.id.rawValue, body)
                        plansChanged = true
                    case let .deletePlan(id):
                        try db.run("DELETE FROM plans WHERE id = ?", id.rawValue)
                        plansChanged = true
                    case let .upsertSubscription(s):
                        try db.run("""
                            INSERT INTO subscriptions (id, user_id, plan_id, start_day, end_day, grace_days, status, freezes, price_minor, currency)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, plan_id = excluded.plan_id,
                                start_day = excluded.start_day, end_day = excluded.end_day, grace_days = excluded.grace_days,
                                status = excluded.status, freezes = excluded.freezes, price_minor = excluded.price_minor,
                                currency = excluded.currency
                            """, s.id.rawValue, s.userID.rawValue, s.planID.rawValue, Int64(s.startDay.rawValue), Int64(s.endDay.rawValue),
                            s.graceDays, s.status.rawValue, FreezeCodec.encode(s.freezes), s.pricePaid.minorUnits, s.pricePaid.currency)
                    case let .deleteSubscription(id):
                        try db.run("DELETE FROM subscriptions WHERE id = ?", id.rawValue)
                    }
                }
                if let cursor {
                    try db.run("INSERT INTO replica_meta (key, value) VALUES ('sync_cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", String(cursor))
                }
            }
        } catch {
            if plansChanged { try? reloadPlans() }
            throw error
        }
        if plansChanged { try reloadPlans() }
    }

    // MARK: Look-up

    /// Gathers the facts for one presented credential (nil facts: unknown) and its user's state.
    public func facts(for presented: PresentedCredential) throws -> (facts: AccessFacts?, state: AccessState) {
        let statement: Statement
        switch presented {
        case let .card(number):
            statement = try db.statement("SELECT id, user_id, status FROM credentials WHERE card_number = ?")
            try statement.bind(int64: Int64(bitPattern: number.rawValue), at: 1)
        case let .pin(digest):
            statement = try db.statement("SELECT id, user_id, status FROM credentials WHERE pin_digest = ?")
            try statement.bind(bytes: digest.bytes, at: 1)
        }
        defer { statement.reset() }
        guard try statement.step() else { return (nil, .initial) }
        let row = statement.row
        let credentialID = CredentialID(try row.get(0, as: Int64.self))
        let userID = UserID(try row.get(1, as: Int64.self))
        let statusText: String = try row.get(2)
        guard let status = Credential.Status(rawValue: statusText) else {
            throw ReplicaError.invalidStoredValue(table: "credentials", column: "status", value: statusText)
        }
        guard let user = try loadUser(userID) else {
            // The foreign key makes this impossible unless the file was edited by hand.
            throw ReplicaError.invalidStoredValue(table: "credentials", column: "user_id", value: String(userID.rawValue))
        }
        let facts = AccessFacts(
            credentialID: credentialID, credentialStatus: status,
            user: AccessUser(id: userID, active: user.active, roles: user.roles, branches: user.grantedHere ? [branchID] : []),
            subscriptions: try loadSubscriptions(userID).map { SubscriptionFacts(subscription: $0, plan: plans[$0.planID]) },
            pin: user.pin, duressPIN: user.duressPIN)
        return (facts, try loadState(userID))
    }

    func loadUser(_ id: UserID) throws -> ReplicaUser? {
        try db.queryFirst("SELECT clave, display_name, active, roles, granted_here, pin_digest, duress_digest FROM users WHERE id = ?", id.rawValue) { row in
            ReplicaUser(id: id, clave: try row.get(0), displayName: try row.get(1), active: try row.get(2),
                        roles: RoleSet(rawValue: UInt8(truncatingIfNeeded: try row.get(3, as: Int64.self))),
                        grantedHere: try row.get(4), pin: row.bytes(5).map(PINDigest.init), duressPIN: row.bytes(6).map(PINDigest.init))
        }
    }

    func loadSubscriptions(_ userID: UserID) throws -> [Subscription] {
        try db.query("""
            SELECT id, plan_id, start_day, end_day, grace_days, status, freezes, price_minor, currency
            FROM subscriptions WHERE user_id = ?
            """, userID.rawValue) { row in
            let statusText: String = try row.get(5)
            guard let status = Subscription.Status(rawValue: statusText) else {
                throw ReplicaError.invalidStoredValue(table: "subscriptions", column: "status", value: statusText)
            }
            let freezeText: String = try row.get(6)
            guard let freezes = FreezeCodec.decode(freezeText) else {
                throw ReplicaError.invalidStoredValue(table: "subscriptions", column: "freezes", value: freezeText)
            }
            return Subscription(id: SubscriptionID(try row.get(0)), userID: userID, planID: PlanID(try row.get(1)),
                                startDay: LocalDay(rawValue: try row.get(2)), endDay: LocalDay(rawValue: try row.get(3)),
                                graceDays: try row.get(4), status: status, freezes: freezes,
                                pricePaid: Money(minorUnits: try row.get(7), currency: try row.get(8)))
        }
    }

    func loadState(_ userID: UserID) throws -> AccessState {
        try db.queryFirst("""
            SELECT visit_day, day_count, visit_week, week_count, visit_month, month_count,
                   inside, presence_since, last_entry, pin_failures, pin_locked_until
            FROM access_state WHERE user_id = ?
            """, userID.rawValue) { row in
            let visits = VisitCounters(
                day: row.int64(0).map { LocalDay(rawValue: Int32(truncatingIfNeeded: $0)) }, dayCount: try row.get(1),
                weekStart: row.int64(2).map { LocalDay(rawValue: Int32(truncatingIfNeeded: $0)) }, weekCount: try row.get(3),
                month: row.int64(4).map { Int32(truncatingIfNeeded: $0) }, monthCount: try row.get(5))
            var presence: Presence?
            if let inside = row.int64(6), let since = row.int64(7) {
                presence = Presence(inside: inside != 0, since: Timestamp(milliseconds: since), lastEntry: row.int64(8).map(Timestamp.init(milliseconds:)))
            }
            let attempts = PINAttempts(failures: try row.get(9), lockedUntil: row.int64(10).map(Timestamp.init(milliseconds:)))
            return AccessState(visits: visits, presence: presence, pinAttempts: attempts)
        } ?? .initial
    }

    // MARK: Journal

    /// Writes the decision's event, queues it for the core and stores the user's new state, in one
    /// transaction. When this returns the event is on disk (synchronous=FULL); when it throws
    /// (a full disk, say) nothing of it was written.
    public func record(_ event: AttendanceEvent, newState: AccessState?) throws {
        try db.transaction {
            try insertEvent(event)
            if let newState, let userID = event.userID {
                try saveState(newState, for: userID)
            }
        }
    }

    func insertEvent(_ event: AttendanceEvent) throws {
        try db.run("""
            INSERT INTO attendance (id, at, door_id, direction, credential_kind, card_number, user_id, subscription_id, granted, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, event.id.bytes, event.at.milliseconds, event.doorID.rawValue, event.direction.rawValue, event.credentialKind.rawValue,
            event.cardNumber.map { Int64(bitPattern: $0.rawValue) }, event.userID?.rawValue, event.subscriptionID?.rawValue,
            event.granted, event.reason.rawValue)
        try db.run("INSERT INTO outbox (event_id, queued_at) VALUES (?, ?)", event.id.bytes, event.at.milliseconds)
    }

    func saveState(_ state: AccessState, for userID: UserID) throws {
        try db.run("""
            INSERT INTO access_state (user_id, visit_day, day_count, visit_week, week_count, visit_month, month_count,
                                      inside, presence_since, last_entry, pin_failures, pin_locked_until)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(user_id) DO UPDATE SET visit_day = excluded.visit_day, day_count = excluded.day_count,
                visit_week = excluded.visit_week, week_count = excluded.week_count, visit_month = excluded.visit_month,
                month_count = excluded.month_count, inside = excluded.inside, presence_since = excluded.presence_since,
                last_entry = excluded.last_entry, pin_failures = excluded.pin_failures, pin_locked_until = excluded.pin_locked_until
            """, userID.rawValue,
            state.visits.day.map { Int64($0.rawValue) }, state.visits.dayCount,
            state.visits.weekStart.map { Int64($0.rawValue) }, state.visits.weekCount,
            state.visits.month.map { Int64($0) }, state.visits.monthCount,
            state.presence.map { $0.inside }, state.presence?.since.milliseconds, state.presence?.lastEntry?.milliseconds,
            state.pinAttempts.failures, state.pinAttempts.lockedUntil?.milliseconds)
    }

    /// The newest events first, at most `limit`.
    public func recentAttendance(limit: Int = 50) throws -> [AttendanceEvent] {
        try db.query("""
            SELECT id, at, door_id, direction, credential_kind, card_number, user_id, subscription_id, granted, reason
            FROM attendance ORDER BY at DESC, id DESC LIMIT ?
            """, limit) { try Self.event(from: $0, branch: branchID) }
    }

    /// The oldest unacknowledged events, at most `limit`, for the uplink.
    public func outboxBatch(limit: Int) throws -> [AttendanceEvent] {
        try db.query("""
            SELECT a.id, a.at, a.door_id, a.direction, a.credential_kind, a.card_number, a.user_id, a.subscription_id, a.granted, a.reason
            FROM outbox o JOIN attendance a ON a.id = o.event_id ORDER BY o.queued_at, o.event_id LIMIT ?
            """, limit) { try Self.event(from: $0, branch: branchID) }
    }

    /// Drops acknowledged events from the outbox (the journal keeps them). Unknown ids are ignored,
    /// so a repeated acknowledgement is harmless.
    public func acknowledge(_ ids: [EventID]) throws {
        try db.transaction {
            for id in ids { try db.run("DELETE FROM outbox WHERE event_id = ?", id.bytes) }
        }
    }

    /// Events waiting for the core.
    public func outboxDepth() throws -> Int { try db.scalar("SELECT count(*) FROM outbox", as: Int.self) }

    static func event(from row: Row, branch: BranchID) throws -> AttendanceEvent {
        let idBytes = row.bytes(0) ?? []
        guard let id = EventID(bytes: idBytes) else { throw ReplicaError.invalidStoredValue(table: "attendance", column: "id", value: "\(idBytes.count) bytes") }
        let directionText: String = try row.get(3)
        let kindText: String = try row.get(4)
        let reasonText: String = try row.get(9)
        guard let direction = Direction(rawValue: directionText) else { throw ReplicaError.invalidStoredValue(table: "attendance", column: "direction", value: directionText) }
        guard let kind = CredentialKind(rawValue: kindText) else { throw ReplicaError.invalidStoredValue(table: "attendance", column: "credential_kind", value: kindText) }
        guard let reason = ReasonCode(rawValue: reasonText) else { throw ReplicaError.invalidStoredValue(table: "attendance", column: "reason", value: reasonText) }
        let at: Int64 = try row.get(1)
        let door: Int64 = try row.get(2)
        let granted: Bool = try row.get(8)
        let card: CardNumber? = row.int64(5).map { CardNumber(rawValue: UInt64(bitPattern: $0)) }
        let user: UserID? = row.int64(6).map { UserID($0) }
        let subscription: SubscriptionID? = row.int64(7).map { SubscriptionID($0) }
        return AttendanceEvent(id: id, at: Timestamp(milliseconds: at), branchID: branch, doorID: DoorID(door), direction: direction,
                               credentialKind: kind, cardNumber: card, userID: user, subscriptionID: subscription, granted: granted, reason: reason)
    }

    // MARK: Inspection

    /// Row counts and file size, for status endpoints and `porterod --check-replica`.
    public struct Statistics: Sendable, Equatable {
        public var users: Int
        public var credentials: Int
        public var plans: Int
        public var subscriptions: Int
        public var attendance: Int
        public var outbox: Int
        public var schemaVersion: Int
        public var syncCursor: Int64
    }

    public func statistics() throws -> Statistics {
        func count(_ table: String) throws -> Int { try db.scalar("SELECT count(*) FROM \(table)", as: Int.self) }
        let version = try db.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations", as: Int.self)
        return Statistics(users: try count("users"), credentials: try count("credentials"), plans: plans.count,
                          subscriptions: try count("subscriptions"), attendance: try count("attendance"), outbox: try count("outbox"),
                          schemaVersion: version, syncCursor: try syncCursor())
    }

    /// Runs SQLite's integrity check; empty when the file is sound.
    public func integrityProblems() throws -> [String] { try db.integrityProblems() }

    /// Runs `body` in one transaction on the store's connection (bulk loads, maintenance).
    public func inTransaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(.immediate, body) }
}

@available(*, unavailable, message: "A replica store belongs to one thread; share it through a queue")
extension ReplicaStore: Sendable {}

/// Freeze periods as text: `start-end` day numbers, comma separated; an open period is `start-`.
enum FreezeCodec {
    static func encode(_ freezes: [FreezePeriod]) -> String {
        freezes.map { "\($0.start.rawValue)-\($0.end.map { String($0.rawValue) } ?? "")" }.joined(separator: ",")
    }

    static func decode(_ text: String) -> [FreezePeriod]? {
        if text.isEmpty { return [] }
        var result: [FreezePeriod] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let start = Int32(parts[0]) else { return nil }
            if parts[1].isEmpty {
                result.append(FreezePeriod(start: LocalDay(rawValue: start)))
            } else {
                guard let end = Int32(parts[1]), end >= start else { return nil }
                result.append(FreezePeriod(start: LocalDay(rawValue: start), end: LocalDay(rawValue: end)))
            }
        }
        return result
    }
}
