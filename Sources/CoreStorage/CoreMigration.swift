import Foundation
import PostgreSQL
import SQLite

/// Copies a core's SQLite database into an empty PostgreSQL database, so a chain that outgrows
/// one machine keeps its history: every table, row for row, in one PostgreSQL transaction (all
/// or nothing), from one snapshot of the file (the core may keep running; what it writes after
/// the snapshot is not copied). The copy is then checked: each table's count, and the audit
/// trail's hash chain on the target.
public enum CoreMigration {
    public struct Report: Sendable, Equatable {
        /// Rows copied, by table.
        public var rows: [String: Int]
        public var audit: AuditVerification
    }

    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters in one).
    static let batch = 500

    public static func copy(
        from path: String, to url: String, progress: (String, Int) -> Void = { _, _ in }
    ) throws -> Report {
        var options = ConnectionOptions()
        options.readOnly = true
        let source = try Connection(path: path, options: options)
        let pending = try CoreSchema.migrator.pendingVersions(source)
        guard pending.isEmpty else {
            throw Refusal(description: "\(path) needs schema steps \(pending): open it with this portero-core first")
        }
        let target = try PGConnection(url: url)
        let tables = try target.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ) { try $0.get(0) as String }
        guard tables.isEmpty else {
            throw Refusal(description: "\(target.displayURL) is not empty; migrate into a new database")
        }
        try CoreSchema.postgresMigrator.migrate(target)
        let copied = Set(
            try source.query("SELECT name FROM sqlite_master WHERE type = 'table'") { try $0.get(0) as String }
        )
        .subtracting(["schema_migrations", "sqlite_sequence", "sqlite_stat1"])
        // Parents before children (foreign keys), then the rest.
        let first = [
            "core_meta", "branches", "branch_occupancy", "agreements", "users", "support_requests", "plans",
            "plan_versions", "promotions",
            "subscriptions",
            "invoices", "devices", "audit", "notifications", "pos_categories", "pos_products", "cash_registers",
            "cash_shifts", "pos_sales", "pos_refunds", "pos_purchases", "webhooks",
            "oidc_links",
        ]
        let order = first.filter(copied.contains) + copied.subtracting(first).sorted()
        var rows: [String: Int] = [:]
        try source.read {
            try target.transaction {
                for table in order { try target.execute("ALTER TABLE \(table) DISABLE TRIGGER USER") }
                for table in order {
                    // What the schema seeded (the sign-in generation's row) gives way to the copy.
                    try target.execute("DELETE FROM \(table)")
                    rows[table] = try copyTable(table, from: source, to: target)
                    progress(table, rows[table] ?? 0)
                }
                for table in order { try target.execute("ALTER TABLE \(table) ENABLE TRIGGER USER") }
                // Identity columns go on from the largest id copied.
                let identities = try target.query(
                    """
                    SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND is_identity = 'YES'
                    """
                ) { (try $0.get(0) as String, try $0.get(1) as String) }
                for (table, column) in identities {
                    try target.execute(
                        "SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), "
                            + "coalesce((SELECT max(\(column)) FROM \(table)), 0) + 1, false)")
                }
                for table in order {
                    let count: Int64 = try target.scalar("SELECT count(*) FROM \(table)")
                    guard count == Int64(rows[table] ?? 0) else {
                        throw Refusal(description: "\(table): \(rows[table] ?? 0) rows read, \(count) written")
                    }
                }
            }
        }
        let audit = try SQLAuditStore(connection: PostgresDatabase(target)).verify()
        return Report(rows: rows, audit: audit)
    }

    /// Copies one table in batches; returns the rows copied.
    static func copyTable(_ table: String, from source: Connection, to target: PGConnection) throws -> Int {
        let columns = try target.query(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
            """, table
        ) { try $0.get(0) as String }
        let list = columns.joined(separator: ", ")
        var total = 0
        var pending: [[SQLiteValue]] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            let placeholders = pending.map { row in "(" + row.map { _ in "?" }.joined(separator: ", ") + ")" }
            // Identity columns are written as they were: the ids the branches and the audit know.
            try target.run(
                "INSERT INTO \(table) (\(list)) OVERRIDING SYSTEM VALUE VALUES \(placeholders.joined(separator: ", "))",
                arguments: pending.flatMap { $0 })
            total += pending.count
            pending.removeAll(keepingCapacity: true)
        }
        let statement = try source.statement("SELECT \(list) FROM \(table)")
        defer { statement.reset() }
        while try statement.step() {
            let row = statement.row
            pending.append((0..<Int32(columns.count)).map { row.value(at: $0) })
            if pending.count == batch { try flush() }
        }
        try flush()
        return total
    }
}
