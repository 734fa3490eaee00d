import SQLite

/// Applies migrations to a PostgreSQL database and records each in `schema_migrations`, as the
/// SQLite `Migrator` does for a file. A whole run holds an advisory lock: instances starting
/// together migrate one after the other, and the later ones find nothing left to do.
public struct PGMigrator: Sendable {
    public let migrations: [Migration]
    /// Marks the database as this application's (`COMMENT ON DATABASE` would need its name; a
    /// row in `schema_owner` does not): a database of something else is refused untouched.
    public let owner: String

    public init(owner: String, migrations: [Migration]) {
        self.owner = owner
        self.migrations = migrations
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database to `latestVersion`; returns the versions it applied.
    @discardableResult
    public func migrate(_ db: PGConnection) throws -> [Int] {
        let versions = migrations.map(\.version)
        guard versions == versions.sorted(), Set(versions).count == versions.count, versions.allSatisfy({ $0 > 0 })
        else {
            throw MigrationError.invalidMigrationList("versions must be positive, unique and ascending: \(versions)")
        }
        return try db.transaction {
            _ = try db.query("SELECT pg_advisory_xact_lock(7300)") { _ in () }
            let tables: [String] = try db.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ) { try $0.get(0) }
            if tables.contains("schema_owner") {
                let found: String = try db.scalar("SELECT name FROM schema_owner")
                guard found == owner else {
                    throw MigrationError.invalidMigrationList("\(db.displayURL) belongs to \(found), not \(owner)")
                }
            } else {
                guard tables.isEmpty else {
                    let some = tables.sorted().prefix(3).joined(separator: ", ")
                    throw MigrationError.invalidMigrationList("\(db.displayURL) has tables of something else (\(some))")
                }
                try db.execute(
                    """
                    CREATE TABLE schema_owner (name TEXT NOT NULL);
                    CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
                    """)
                try db.run("INSERT INTO schema_owner (name) VALUES (?)", owner)
            }
            let applied = Dictionary(
                try db.query("SELECT version, name FROM schema_migrations") {
                    (try $0.get(0) as Int, try $0.get(1) as String)
                },
                uniquingKeysWith: { first, _ in first })
            if let newest = applied.keys.max(), newest > latestVersion {
                throw MigrationError.newerSchema(path: db.displayURL, found: newest, supported: latestVersion)
            }
            var done: [Int] = []
            for migration in migrations {
                if let recorded = applied[migration.version] {
                    guard recorded == migration.name else {
                        throw MigrationError.divergentHistory(
                            path: db.displayURL, version: migration.version, recorded: recorded,
                            expected: migration.name)
                    }
                    continue
                }
                try db.execute(migration.sql)
                try db.run(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", migration.version, migration.name)
                done.append(migration.version)
            }
            return done
        }
    }
}
