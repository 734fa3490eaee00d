import Foundation
import PorteroModel
import SQLite

/// The attendance journal, the outbox of events for the core, and the users' decision state
/// (visit counters, presence, PIN attempts) that each decision updates.
extension ReplicaStore {
    /// Reads the eleven state columns starting at `first`.
    static func state(from row: Row, at first: Int32) throws -> AccessState {
        func day(_ column: Int32) -> LocalDay? {
            row.int64(first + column).map { LocalDay(rawValue: Int32(truncatingIfNeeded: $0)) }
        }
        let visits = VisitCounters(
            day: day(0), dayCount: Int(try row.requiredInt64(first + 1)), weekStart: day(2),
            weekCount: Int(try row.requiredInt64(first + 3)),
            month: row.int64(first + 4).map { Int32(truncatingIfNeeded: $0) },
            monthCount: Int(try row.requiredInt64(first + 5)))
        var presence: Presence?
        if let inside = row.int64(first + 6), let since = row.int64(first + 7) {
            presence = Presence(
                inside: inside != 0, since: Timestamp(milliseconds: since),
                lastEntry: row.int64(first + 8).map { Timestamp(milliseconds: $0) })
        }
        let attempts = PINAttempts(
            failures: Int(try row.requiredInt64(first + 9)),
            lockedUntil: row.int64(first + 10).map { Timestamp(milliseconds: $0) })
        return AccessState(visits: visits, presence: presence, pinAttempts: attempts)
    }

    /// Writes the decision's event, queues it for the core, stores the user's new state and spends
    /// the phone pass that opened the door, in one transaction. When this returns the event is on
    /// disk (synchronous=FULL); when it throws (a full disk, say) nothing of it was written.
    public func record(_ event: AttendanceEvent, newState: AccessState?, spending pass: PassCode? = nil) throws {
        try db.transaction {
            try insertEvent(event)
            if let pass { try spend(pass) }
            if let newState, let userID = event.userID {
                try saveState(newState, for: userID)
            }
        }
    }

    func insertEvent(_ event: AttendanceEvent) throws {
        try db.run(
            """
            INSERT INTO attendance (id, at, door_id, direction, credential_kind, card_number, user_id, subscription_id,
                granted, reason, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, event.id.bytes, event.at.milliseconds, event.doorID.rawValue, event.direction.rawValue,
            event.credentialKind.rawValue,
            event.cardNumber.map { Int64(bitPattern: $0.rawValue) }, event.userID?.rawValue,
            event.subscriptionID?.rawValue,
            event.granted, event.reason.rawValue, event.note ?? "")
        try db.run("INSERT INTO outbox (event_id, queued_at) VALUES (?, ?)", event.id.bytes, event.at.milliseconds)
    }

    func saveState(_ state: AccessState, for userID: UserID) throws {
        // A user deleted by sync since the look-up simply has no row to update.
        try db.run(
            """
            UPDATE users SET visit_day = ?, day_count = ?, visit_week = ?, week_count = ?, visit_month = ?,
                month_count = ?, inside = ?, presence_since = ?, last_entry = ?, pin_failures = ?, pin_locked_until = ?
            WHERE id = ?
            """,
            state.visits.day.map { Int64($0.rawValue) }, state.visits.dayCount,
            state.visits.weekStart.map { Int64($0.rawValue) }, state.visits.weekCount,
            state.visits.month.map { Int64($0) }, state.visits.monthCount,
            state.presence.map { $0.inside }, state.presence?.since.milliseconds,
            state.presence?.lastEntry?.milliseconds,
            state.pinAttempts.failures, state.pinAttempts.lockedUntil?.milliseconds, userID.rawValue)
    }

    /// Counts a passage confirmed by a turnstile's sensor for `user` (visits, anti-passback presence).
    public func recordPassage(of user: UserID, direction: Direction, now: Timestamp) throws {
        try db.transaction {
            guard
                let row = try db.queryFirst(
                    """
                    SELECT visit_day, day_count, visit_week, week_count, visit_month, month_count,
                           inside, presence_since, last_entry, pin_failures, pin_locked_until FROM users WHERE id = ?
                    """, user.rawValue, map: { try Self.state(from: $0, at: 0) })
            else { return }
            try saveState(row.recordingPassage(direction, context: context, now: now), for: user)
            if direction == .entry { occupancyEstimate.entries += 1 }
        }
    }

    /// The newest events first, at most `limit`.
    public func recentAttendance(limit: Int = 50) throws -> [AttendanceEvent] {
        try db.query(
            """
            SELECT id, at, door_id, direction, credential_kind, card_number, user_id, subscription_id, granted, reason,
                note
            FROM attendance ORDER BY at DESC, id DESC LIMIT ?
            """, limit
        ) { try Self.event(from: $0, branch: branchID) }
    }

    /// The oldest events waiting for the core: ids are UUIDv7, time first, so the outbox's own key
    /// order is the order they happened in, and a batch reads `limit` rows, not the whole outbox.
    public func outboxBatch(after: EventID? = nil, limit: Int) throws -> [AttendanceEvent] {
        try db.query(
            """
            SELECT a.id, a.at, a.door_id, a.direction, a.credential_kind, a.card_number, a.user_id, a.subscription_id,
                a.granted, a.reason, a.note
            FROM outbox o JOIN attendance a ON a.id = o.event_id WHERE o.event_id > ? ORDER BY o.event_id LIMIT ?
            """, after?.bytes ?? [], limit
        ) { try Self.event(from: $0, branch: branchID) }
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
        guard let id = EventID(bytes: idBytes) else {
            throw ReplicaError.invalidStoredValue(table: "attendance", column: "id", value: "\(idBytes.count) bytes")
        }
        let directionText: String = try row.get(3)
        let kindText: String = try row.get(4)
        let reasonText: String = try row.get(9)
        guard let direction = Direction(rawValue: directionText) else {
            throw ReplicaError.invalidStoredValue(table: "attendance", column: "direction", value: directionText)
        }
        guard let kind = CredentialKind(rawValue: kindText) else {
            throw ReplicaError.invalidStoredValue(table: "attendance", column: "credential_kind", value: kindText)
        }
        guard let reason = ReasonCode(rawValue: reasonText) else {
            throw ReplicaError.invalidStoredValue(table: "attendance", column: "reason", value: reasonText)
        }
        let at: Int64 = try row.get(1)
        let door: Int64 = try row.get(2)
        let granted: Bool = try row.get(8)
        let card: CardNumber? = row.int64(5).map { CardNumber(rawValue: UInt64(bitPattern: $0)) }
        let user: UserID? = row.int64(6).map { UserID($0) }
        let subscription: SubscriptionID? = row.int64(7).map { SubscriptionID($0) }
        let note: String = try row.get(10)
        return AttendanceEvent(
            id: id, at: Timestamp(milliseconds: at), branchID: branch, doorID: DoorID(door), direction: direction,
            credentialKind: kind, cardNumber: card, userID: user, subscriptionID: subscription, granted: granted,
            reason: reason, note: note.isEmpty ? nil : note)
    }
}
