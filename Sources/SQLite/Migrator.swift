/// One schema step. Versions are applied in ascending order, each in its own transaction.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Why a database cannot be brought to this program's schema.
public enum MigrationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file belongs to another application (its `application_id`, or tables without our migration table).
    case foreignDatabase(path: String, applicationID: Int32)
    /// The file was migrated by a newer program: it holds versions this one does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// A version recorded in the file has another name than this program's migration of that version.
    case divergentHistory(path: String, version: Int, recorded: String, expected: String)
    /// The migration list itself is out of order or has duplicates (a programmer error, reported as an error).
    case invalidMigrationList(String)

    public var description: String {
        switch self {
        case let .foreignDatabase(path, id):
            return "\(path) is not a Portero database (application_id \(id)); refusing to change it"
        case let .newerSchema(path, found, supported):
            return
                "\(path) has schema version \(found), newer than the \(supported) this program supports; "
                + "upgrade the program"
        case let .divergentHistory(path, version, recorded, expected):
            return "\(path) recorded migration \(version) as '\(recorded)' but this program's is '\(expected)'"
        case let .invalidMigrationList(reason):
            return "invalid migration list: \(reason)"
        }
    }
}

/// Applies migrations and records each in `schema_migrations`.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    /// Stamped into `PRAGMA application_id` so a foreign file is recognised before it is touched.
    public let applicationID: Int32

    public init(applicationID: Int32, migrations: [Migration]) {
        self.applicationID = applicationID
        self.migrations = migrations
    }

    /// The highest version this program knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Versions already recorded in the database.
    public func appliedVersions(_ db: Connection) throws -> [Int: String] {
        guard try db.tableNames().contains("schema_migrations") else { return [:] }
        let rows: [(Int, String)] = try db.query("SELECT version, name FROM schema_migrations") {
            (try $0.get(0), try $0.get(1))
        }
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }

    /// Checks without writing that the file is ours and not newer than this program;
    /// returns the versions still to apply (for read-only opens and diagnostics).
    public func pendingVersions(_ db: Connection) throws -> [Int] {
        let found = try db.applicationID()
        let tables = try db.tableNames()
        guard found == applicationID || (found == 0 && tables.isEmpty) else {
            throw MigrationError.foreignDatabase(path: db.path, applicationID: found)
        }
        let applied = try appliedVersions(db)
        if let newest = applied.keys.max(), newest > latestVersion {
            throw MigrationError.newerSchema(path: db.path, found: newest, supported: latestVersion)
        }
        for migration in migrations {
            if let recorded = applied[migration.version], recorded != migration.name {
                throw MigrationError.divergentHistory(
                    path: db.path, version: migration.version, recorded: recorded, expected: migration.name)
            }
        }
        return migrations.map(\.version).filter { applied[$0] == nil }
    }

    /// Brings the database to `latestVersion`; returns the versions it applied.
    @discardableResult
    public func migrate(_ db: Connection) throws -> [Int] {
        let versions = migrations.map(\.version)
        guard versions == versions.sorted(), Set(versions).count == versions.count, versions.allSatisfy({ $0 > 0 })
        else {
            throw MigrationError.invalidMigrationList("versions must be positive, unique and ascending: \(versions)")
        }
        return try db.transaction(.immediate) {
            let found = try db.applicationID()
            let tables = try db.tableNames()
            if found != applicationID {
                // A new file has application_id 0 and no tables; anything else belongs to someone else.
                guard found == 0, tables.isEmpty else {
                    throw MigrationError.foreignDatabase(path: db.path, applicationID: found)
                }
                try db.setApplicationID(applicationID)
            }
            try db.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                ) STRICT
                """)
            let applied = try appliedVersions(db)
            if let newest = applied.keys.max(), newest > latestVersion {
                throw MigrationError.newerSchema(path: db.path, found: newest, supported: latestVersion)
            }
            var done: [Int] = []
            for migration in migrations {
                if let recorded = applied[migration.version] {
                    guard recorded == migration.name else {
                        throw MigrationError.divergentHistory(
                            path: db.path, version: migration.version, recorded: recorded, expected: migration.name)
                    }
                    continue
                }
                try db.savepoint {
                    try db.execute(migration.sql)
                    try db.run(
                        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", migration.version, migration.name
                    )
                }
                done.append(migration.version)
            }
            return done
        }
    }
}
