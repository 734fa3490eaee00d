import TestSupport
import SQLite
import Testing

@Suite struct MigratorTests {
    let directory: TemporaryDirectory
    static let appID: Int32 = 0x7465_7374

    init() throws { directory = try TemporaryDirectory() }

    func migrations(_ count: Int) -> [Migration] {
        (1...count).map { Migration(version: $0, name: "step \($0)", sql: "CREATE TABLE t\($0) (x INTEGER) STRICT") }
    }

    @Test func appliesPendingStepsOnceAndRecordsThem() throws {
        let db = try Connection(path: directory.file("m.sqlite"))
        #expect(try Migrator(applicationID: Self.appID, migrations: migrations(2)).migrate(db) == [1, 2])
        #expect(try Migrator(applicationID: Self.appID, migrations: migrations(3)).migrate(db) == [3])
        #expect(try Migrator(applicationID: Self.appID, migrations: migrations(3)).migrate(db) == [])
        #expect(try db.scalar("SELECT count(*) FROM schema_migrations", as: Int.self) == 3)
        #expect(try db.applicationID() == Self.appID)
    }

    @Test func aFailingStepLeavesNothingBehind() throws {
        let db = try Connection(path: directory.file("m.sqlite"))
        var steps = migrations(1)
        steps.append(Migration(version: 2, name: "broken", sql: "CREATE TABLE t2 (x INTEGER); CREATE TABLE oops ("))
        #expect(throws: SQLiteError.self) { try Migrator(applicationID: Self.appID, migrations: steps).migrate(db) }
        #expect(try db.tableNames().isEmpty)
        #expect(try db.applicationID() == 0)
    }

    @Test func refusesNewerSchema() throws {
        let db = try Connection(path: directory.file("m.sqlite"))
        try Migrator(applicationID: Self.appID, migrations: migrations(3)).migrate(db)
        #expect(throws: MigrationError.newerSchema(path: db.path, found: 3, supported: 2)) {
            try Migrator(applicationID: Self.appID, migrations: migrations(2)).migrate(db)
        }
        #expect(throws: MigrationError.newerSchema(path: db.path, found: 3, supported: 2)) {
            try Migrator(applicationID: Self.appID, migrations: migrations(2)).pendingVersions(db)
        }
    }

    @Test func refusesAnotherApplicationsDatabase() throws {
        let db = try Connection(path: directory.file("other.sqlite"))
        try db.execute("CREATE TABLE customers (id INTEGER)")
        #expect(throws: MigrationError.foreignDatabase(path: db.path, applicationID: 0)) {
            try Migrator(applicationID: Self.appID, migrations: migrations(1)).migrate(db)
        }
        try db.setApplicationID(42)
        #expect(throws: MigrationError.foreignDatabase(path: db.path, applicationID: 42)) {
            try Migrator(applicationID: Self.appID, migrations: migrations(1)).migrate(db)
        }
        #expect(try db.tableNames() == ["customers"])
    }

    @Test func refusesDivergentHistory() throws {
        let db = try Connection(path: directory.file("m.sqlite"))
        try Migrator(applicationID: Self.appID, migrations: migrations(1)).migrate(db)
        let renamed = [Migration(version: 1, name: "something else", sql: "SELECT 1")]
        #expect(
            throws: MigrationError.divergentHistory(
                path: db.path, version: 1, recorded: "step 1", expected: "something else")
        ) {
            try Migrator(applicationID: Self.appID, migrations: renamed).migrate(db)
        }
    }

    @Test func refusesUnorderedMigrationList() throws {
        let db = try Connection(path: directory.file("m.sqlite"))
        let steps = [
            Migration(version: 2, name: "b", sql: "SELECT 1"), Migration(version: 1, name: "a", sql: "SELECT 1"),
        ]
        #expect(throws: MigrationError.self) { try Migrator(applicationID: Self.appID, migrations: steps).migrate(db) }
    }

    @Test func pendingVersionsDoesNotWrite() throws {
        let db = try Connection(path: directory.file("m.sqlite"))
        #expect(try Migrator(applicationID: Self.appID, migrations: migrations(2)).pendingVersions(db) == [1, 2])
        #expect(try db.tableNames().isEmpty)
    }
}
