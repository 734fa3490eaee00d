import Foundation
import PorteroModel
import SQLite

/// The operations store in the core's SQLite database.
public final class SQLOperationsStore: OperationsStore {
    package let db: any SQLDatabase
    package let members: SQLMemberStore

    public init(connection: any SQLDatabase, members: SQLMemberStore) throws {
        db = connection
        self.members = members
    }

    // MARK: Attendance

    package static let attendanceColumns = """
        a.id, a.branch_id, a.door_id, a.at, a.local_day, a.direction, a.credential_kind, a.card_number, a.user_id,
        u.clave, u.name || ' ' || u.paternal_surname, a.subscription_id, a.granted, a.reason, a.recorded_by, a.note
        """

    package static func attendance(_ row: Row) throws -> AttendanceView {
        let id = row.bytes(0) ?? []
        return AttendanceView(
            id: EventID(bytes: id)?.description ?? "", branch: try row.get(1), door: try row.get(2),
            at: Timestamp(milliseconds: try row.get(3)),
            localDate: LocalDay(daysSinceEpoch: Int32(try row.get(4) as Int64)), direction: try row.get(5),
            credentialKind: try row.get(6),
            cardNumber: row.int64(7).map { CardNumber(rawValue: UInt64(bitPattern: $0)).description },
            userID: row.int64(8), clave: row.int64(9),
            userName: try row.get(10), subscriptionID: row.int64(11), granted: try row.get(12), reason: try row.get(13),
            recordedBy: row.int64(14), note: try row.get(15))
    }

    public func attendance(_ filter: AttendanceFilter, limit: Int) throws -> [AttendanceView] {
        var sql = "SELECT \(Self.attendanceColumns) FROM attendance a LEFT JOIN users u ON u.id = a.user_id WHERE 1 = 1"
        var arguments: [any SQLiteBindable] = []
        func add(_ clause: String, _ value: any SQLiteBindable) {
            arguments.append(value)
            sql += " AND " + clause.replacingOccurrences(of: "?", with: "?\(arguments.count)")
        }
        if let branches = filter.branches {
            add("a.branch_id IN (\(db.dialect.integers(in: "?")))", SQLMemberStore.jsonList(branches))
        }
        if let door = filter.door { add("a.door_id = ?", door) }
        if let from = filter.from { add("a.local_day >= ?", Int64(from.rawValue)) }
        if let to = filter.to { add("a.local_day <= ?", Int64(to.rawValue)) }
        if let user = filter.user { add("a.user_id = ?", user) }
        if let reason = filter.reason { add("a.reason = ?", reason) }
        if let granted = filter.granted { add("a.granted = ?", granted) }
        if let before = filter.before {
            arguments.append(before.at)
            arguments.append(before.id)
            sql += " AND (a.at, a.id) < (?\(arguments.count - 1), ?\(arguments.count))"
        }
        if let after = filter.after {
            arguments.append(after.at)
            arguments.append(after.id)
            sql += " AND (a.at, a.id) > (?\(arguments.count - 1), ?\(arguments.count))"
        }
        sql += " ORDER BY a.at DESC, a.id DESC LIMIT \(max(1, min(limit, 1_000)))"
        return try db.query(sql, arguments: arguments, map: Self.attendance)
    }

    @discardableResult
    public func record(
        _ event: AttendanceEvent, device: Int64?, recordedBy: Int64?, note: String, zone: ZoneRules, now: Timestamp
    ) throws -> Bool {
        let changed = try db.run(
            "INSERT INTO attendance \(Self.insertedColumns) VALUES \(Self.attendanceRow) ON CONFLICT(id) DO NOTHING",
            arguments: Self.attendanceValues(
                event, device: device, recordedBy: recordedBy, note: note, zone: zone, now: now))
        return changed == 1
    }

    public func recordUploaded(_ events: [AttendanceEvent], device: Int64, zone: ZoneRules, now: Timestamp) throws
        -> [EventID]
    {
        // Several rows a statement: one round trip per 250 events on PostgreSQL instead of one each.
        var stored: [EventID] = []
        var start = events.startIndex
        while start < events.endIndex {
            let chunk = events[start..<min(start + 250, events.endIndex)]
            start = chunk.endIndex
            let rows = Array(repeating: Self.attendanceRow, count: chunk.count).joined(separator: ", ")
            stored += try db.query(
                "INSERT INTO attendance \(Self.insertedColumns) VALUES \(rows) ON CONFLICT(id) DO NOTHING RETURNING id",
                arguments: chunk.flatMap {
                    Self.attendanceValues(
                        $0, device: device, recordedBy: nil, note: $0.note ?? "", zone: zone, now: now)
                }
            ) { row in EventID(bytes: row.bytes(0) ?? []) }.compactMap { $0 }
        }
        return stored
    }

    static let insertedColumns = """
        (id, branch_id, door_id, at, local_day, direction, credential_kind, card_number, user_id, subscription_id,
         granted, reason, device_id, recorded_by, note, received_at)
        """
    static let attendanceRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    static func attendanceValues(
        _ event: AttendanceEvent, device: Int64?, recordedBy: Int64?, note: String, zone: ZoneRules, now: Timestamp
    ) -> [any SQLiteBindable] {
        [
            event.id.bytes, event.branchID.rawValue, event.doorID.rawValue, event.at.milliseconds,
            Int64(zone.localDay(at: event.at).rawValue), event.direction.rawValue, event.credentialKind.rawValue,
            event.cardNumber.map { Int64(bitPattern: $0.rawValue) }, event.userID?.rawValue,
            event.subscriptionID?.rawValue, event.granted, event.reason.rawValue, device, recordedBy, note,
            now.milliseconds,
        ]
    }

    // MARK: Door commands

    public func addDoorCommand(
        branch: BranchID, door: Int64?, command: DoorCommand.Kind, reason: String, until: Timestamp?,
        by user: UserID, now: Timestamp
    ) throws -> DoorCommand {
        let id = try db.scalar(
            "INSERT INTO door_commands (branch_id, door_id, command, reason, created_by, created_at, until_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            branch.rawValue, door, command.rawValue, reason, user.rawValue, now.milliseconds, until?.milliseconds,
            as: Int64.self)
        try members.recordChange("door_command", id, now: now)
        return DoorCommand(
            id: id, branch: branch.rawValue, door: door, command: command, reason: reason, createdBy: user.rawValue,
            createdAt: now, deliveredAt: nil, until: until)
    }

    public func doorCommands(branches: Set<BranchID>?, limit: Int) throws -> [DoorCommand] {
        var sql =
            "SELECT id, branch_id, door_id, command, reason, created_by, created_at, delivered_at, until_at "
            + "FROM door_commands"
        var arguments: [any SQLiteBindable] = []
        if let branches {
            sql += " WHERE branch_id IN (\(db.dialect.integers(in: "?")))"
            arguments.append(SQLMemberStore.jsonList(branches))
        }
        sql += " ORDER BY id DESC LIMIT \(max(1, min(limit, 500)))"
        return try db.query(sql, arguments: arguments) {
            DoorCommand(
                id: try $0.get(0), branch: try $0.get(1), door: $0.int64(2),
                command: DoorCommand.Kind(rawValue: try $0.get(3)) ?? .release,
                reason: try $0.get(4), createdBy: try $0.get(5), createdAt: Timestamp(milliseconds: try $0.get(6)),
                deliveredAt: $0.int64(7).map(Timestamp.init(milliseconds:)),
                until: $0.int64(8).map(Timestamp.init(milliseconds:)))
        }
    }

    // MARK: Notifications

    @discardableResult
    public func notify(
        _ audience: NotificationAudience, level: String, title: String, body: String, source: String, by user: UserID?,
        now: Timestamp
    ) throws -> Int64 {
        guard ["info", "urgent"].contains(level) else { throw AccountError(field: "level", problem: "info or urgent") }
        try FieldRules.checkName(title, field: "title", required: true)
        guard body.count <= 4_000 else { throw AccountError(field: "body", problem: "at most 4,000 characters") }
        var kind = "system", role: String?, target: Int64?, branch: Int64?
        switch audience {
        case .system: break
        case let .role(value, branch: place): (kind, role, branch) = ("role", value.rawValue, place?.rawValue)
        case let .user(id): (kind, target) = ("user", id.rawValue)
        }
        do {
            let id = try db.attempt {
                try db.scalar(
                    """
                    INSERT INTO notifications (audience, role, user_id, branch_id, level, title, body, source,
                        created_by, created_at, kind)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                    """, kind, role, target, branch, level, title, body, source, user?.rawValue, now.milliseconds,
                    NotificationKind(source: source).rawValue, as: Int64.self)
            }
            try emailNotification(
                audience: audience, kind: NotificationKind(source: source), title: title, body: body, now: now)
            return id
        } catch let error as any SQLDatabaseError where error.isConstraintViolation {
            throw AccountError(field: target != nil ? "user" : "branch", problem: "does not exist", kind: .notFound)
        }
    }

    /// The clause selecting what `account` may see: everything for all, their roles (at their
    /// branches, or everywhere for a SuperAdministrador), and their own.
    package func visible(_ account: Account, _ arguments: inout [any SQLiteBindable]) -> String {
        Self.visibleSQL(first: appendVisibleArguments(account, &arguments), db.dialect)
    }

    /// The four arguments of `visibleSQL`; returns the number of the first.
    package func appendVisibleArguments(_ account: Account, _ arguments: inout [any SQLiteBindable]) -> Int {
        let first = arguments.count + 1
        arguments.append("[" + account.roles.roles.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]")
        arguments.append(SQLMemberStore.jsonList(account.branches))
        arguments.append(account.id.rawValue)
        arguments.append(account.roles.contains(.superAdministrator))
        return first
    }

    /// The condition `visible` adds, its four arguments numbered from `first`.
    package static func visibleSQL(first: Int, _ dialect: SQLDialect) -> String {
        let roles = dialect.strings(in: "?\(first)")
        let branches = dialect.integers(in: "?\(first + 1)")
        let superAdministrator = dialect == .postgres ? "?\(first + 3)::boolean" : "?\(first + 3)"
        return """
            (n.audience = 'system'
             OR (n.audience = 'role' AND n.role IN (\(roles))
                 AND (n.branch_id IS NULL OR \(superAdministrator) OR n.branch_id IN (\(branches))))
             OR (n.audience = 'user' AND n.user_id = ?\(first + 2)))
            AND n.kind NOT IN (SELECT p.kind FROM notification_preferences p
                               WHERE p.user_id = ?\(first + 2) AND p.in_app = 0)
            """
    }

    /// The unread count (on every page): its text made once, the visibility arguments after the user's.
    package static let unreadSQL = DialectText { dialect in
        "SELECT count(*) FROM notifications n WHERE \(visibleSQL(first: 2, dialect))"
            + " AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = ?1)"
    }

    public func notifications(for account: Account, filter: String, limit: Int) throws -> [NotificationView] {
        var arguments: [any SQLiteBindable] = []
        var sql = """
            SELECT n.id, n.audience, n.role, n.branch_id, n.level, n.title, n.body, n.source, n.created_at,
                   EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = ?1)
            FROM notifications n WHERE
            """
        arguments.append(account.id.rawValue)
        sql += visible(account, &arguments)
        switch filter {
        case "unread":
            sql +=
                " AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = ?1)"
        case "urgent": sql += " AND n.level = 'urgent'"
        default: break
        }
        sql += " ORDER BY n.id DESC LIMIT \(max(1, min(limit, 500)))"
        return try db.query(sql, arguments: arguments) {
            NotificationView(
                id: try $0.get(0), audience: try $0.get(1), role: try $0.get(2), branch: $0.int64(3),
                level: try $0.get(4), title: try $0.get(5),
                body: try $0.get(6), source: try $0.get(7), createdAt: Timestamp(milliseconds: try $0.get(8)),
                read: try $0.get(9))
        }
    }

    public func unreadCount(for account: Account) throws -> Int {
        var arguments: [any SQLiteBindable] = [account.id.rawValue]
        precondition(appendVisibleArguments(account, &arguments) == 2)
        return try db.query(Self.unreadSQL[db.dialect], arguments: arguments) { try $0.get(0) as Int }.first ?? 0
    }

    public func resolveNotifications(source: String, note: String) throws -> Int {
        try db.run(
            "UPDATE notifications SET level = 'info', title = title || ' — ' || ? "
                + "WHERE source = ? AND level = 'urgent'",
            note, source)
    }

    public func markRead(_ id: Int64?, for account: Account, now: Timestamp) throws -> Int {
        var arguments: [any SQLiteBindable] = [account.id.rawValue]
        var sql =
            "INSERT INTO notification_reads (notification_id, user_id, read_at) "
            + "SELECT n.id, ?1, \(now.milliseconds) FROM notifications n WHERE "
            + visible(account, &arguments)
        if let id {
            arguments.append(id)
            sql += " AND n.id = ?\(arguments.count)"
        }
        sql += " ON CONFLICT DO NOTHING"
        let changed = try db.run(sql, arguments: arguments)
        return changed
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLOperationsStore: Sendable {}
