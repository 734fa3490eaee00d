import PorteroModel
import SQLite

/// What the audit page asks for: rows by action, person, branch and time, a page at a time.
public struct AuditSearch: Sendable, Equatable {
    /// One action (`subscription.create`); nil: any.
    public var action: String?
    /// Part of the actor's name (a user's full name) or of the actor as written; nil: anyone.
    public var who: String?
    /// Rows about this branch only.
    public var branch: BranchID?
    public var from: Timestamp?
    /// Rows before this instant.
    public var until: Timestamp?
    /// Rows older than this id: the last row of the previous page.
    public var before: Int64?

    public init(
        action: String? = nil, who: String? = nil, branch: BranchID? = nil, from: Timestamp? = nil,
        until: Timestamp? = nil, before: Int64? = nil
    ) {
        self.action = action
        self.who = who
        self.branch = branch
        self.from = from
        self.until = until
        self.before = before
    }
}

extension SQLAuditStore {
    /// The newest rows that match, newest first, among those about `branches` (nil: all rows). The
    /// walk goes down the id (or the action's index) and stops at `limit`, so a page costs the rows
    /// it skips over, not the whole trail.
    public func search(_ search: AuditSearch, concerning branches: Set<BranchID>?, limit: Int) throws
        -> [AuditEntry]
    {
        var conditions: [String] = []
        var arguments: [any SQLiteBindable] = []
        func bind(_ value: any SQLiteBindable) -> String {
            arguments.append(value)
            return "?\(arguments.count)"
        }
        if let before = search.before { conditions.append("a.id < \(bind(before))") }
        if let action = search.action { conditions.append("a.action = \(bind(action))") }
        if let from = search.from { conditions.append("a.at >= \(bind(from.milliseconds))") }
        if let until = search.until { conditions.append("a.at < \(bind(until.milliseconds))") }
        if let who = search.who, !who.isEmpty {
            // LIKE without regard to case as the members' search does it: ILIKE on PostgreSQL,
            // LIKE (ASCII letters) on SQLite.
            let escaped = who.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            let pattern = bind("%\(escaped)%")
            let like = db.dialect.like
            conditions.append(
                """
                (a.actor \(like) \(pattern) ESCAPE '\\' OR a.actor IN (SELECT 'user:' || u.id FROM users u
                    WHERE (u.name || ' ' || u.paternal_surname || ' ' || u.maternal_surname) \(like) \(pattern)
                    ESCAPE '\\'))
                """)
        }
        var scope = branches
        if let branch = search.branch {
            scope = Set([branch]).intersection(branches ?? [branch])
        }
        if let scope {
            conditions.append(
                """
                EXISTS (SELECT 1 FROM audit_branches b WHERE b.audit_id = a.id
                        AND b.branch_id IN (\(db.dialect.integers(in: bind(SQLMemberStore.jsonList(scope))))))
                """)
        }
        let limitParameter = bind(Int64(limit))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try db.query(
            """
            SELECT a.id, a.at, a.actor, a.action, a.target, a.changes, a.previous_hash, a.hash FROM audit a
            \(filter) ORDER BY a.id DESC LIMIT \(limitParameter)
            """, arguments: arguments
        ) { try Self.entry($0) }
    }
}
