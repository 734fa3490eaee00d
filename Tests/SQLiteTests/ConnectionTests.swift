import TestSupport
import CSQLite
import Foundation
import SQLite
import Testing

@Suite struct ConnectionTests {
    let directory: TemporaryDirectory
    let db: Connection

    init() throws {
        directory = try TemporaryDirectory()
        db = try Connection(path: directory.file("test.sqlite"))
        try db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount REAL, data BLOB, flag INTEGER) STRICT")
    }

    /// A view stands while one transaction lasts with nothing written through the connection:
    /// then nothing the connection reads can differ, whatever other connections commit.
    @Test func aViewStandsForOneTransactionUntilTheConnectionWritesOrRollsBack() throws {
        #expect(db.view == nil)  // outside a transaction each statement has its own snapshot
        try db.beginRead()
        let first = try #require(db.view)
        #expect(try db.scalar("SELECT count(*) FROM t", as: Int.self) == 0)
        let other = try Connection(path: directory.file("test.sqlite"))
        try other.run("INSERT INTO t (name) VALUES ('elsewhere')")
        #expect(db.view == first)
        #expect(try db.scalar("SELECT count(*) FROM t", as: Int.self) == 0)  // the same snapshot
        db.endRead()
        #expect(db.view == nil)
        try db.beginRead()
        let second = try #require(db.view)
        #expect(second != first)  // a new transaction, which may see other commits
        #expect(try db.scalar("SELECT count(*) FROM t", as: Int.self) == 1)
        db.endRead()
        // Inside a write transaction: each write moves the view, and so does a savepoint, which
        // may take writes back.
        try db.transaction {
            let before = try #require(db.view)
            try db.run("INSERT INTO t (name) VALUES ('here')")
            let written = try #require(db.view)
            #expect(written != before)
            var inside: Connection.View?
            _ = try? db.savepoint { () throws -> Void in
                try db.run("INSERT INTO t (name) VALUES ('taken back')")
                inside = db.view
                throw SQLiteError(code: SQLITE_CONSTRAINT, message: "test")
            }
            // The row counter stays where the write left it; the view still moves.
            #expect(db.view != inside)
            #expect(db.view != written)
        }
        #expect(try db.scalar("SELECT count(*) FROM t", as: Int.self) == 2)
    }

    @Test func opensInWALWithForeignKeysAndFullSync() throws {
        #expect(try db.scalar("PRAGMA journal_mode", as: String.self) == "wal")
        #expect(try db.scalar("PRAGMA foreign_keys", as: Int.self) == 1)
        #expect(try db.scalar("PRAGMA synchronous", as: Int.self) == 2)  // FULL
        #expect(FileManager.default.fileExists(atPath: directory.file("test.sqlite-wal")))
    }

    @Test func bindsAndReadsEveryStorageClass() throws {
        let blob: [UInt8] = [0, 1, 2, 255]
        try db.run(
            "INSERT INTO t (id, name, amount, data, flag) VALUES (?, ?, ?, ?, ?)", Int64.max, "Peña ñandú", 12.5, blob,
            true)
        let row = try #require(
            try db.queryFirst("SELECT id, name, amount, data, flag FROM t") { row in
                (
                    try row.get(0, as: Int64.self), try row.get(1, as: String.self), try row.get(2, as: Double.self),
                    try row.get(3, as: [UInt8].self), try row.get(4, as: Bool.self)
                )
            })
        #expect(row.0 == Int64.max && row.1 == "Peña ñandú" && row.2 == 12.5 && row.3 == blob && row.4)
    }

    @Test func nullsReadAsNilOptionals() throws {
        try db.run("INSERT INTO t (id, name) VALUES (?, ?)", 1, Optional<String>.none)
        let name = try db.scalar("SELECT name FROM t WHERE id = 1", as: String?.self)
        #expect(name == nil)
        #expect(try db.queryFirst("SELECT data FROM t") { $0.bytes(0) } == .some(nil))
    }

    @Test func textWithNULIsStoredWholeAndEmptyTextStaysText() throws {
        try db.run("INSERT INTO t (id, name) VALUES (1, ?)", "antes\u{0}después")
        #expect(try db.scalar("SELECT name FROM t WHERE id = 1", as: String.self) == "antes\u{0}después")
        #expect(
            try db.scalar("SELECT length(CAST(name AS BLOB)) FROM t WHERE id = 1", as: Int.self)
                == "antes\u{0}después".utf8.count)
        try db.run("INSERT INTO t (id, name) VALUES (2, ?)", "")
        #expect(try db.scalar("SELECT typeof(name) FROM t WHERE id = 2", as: String.self) == "text")
    }

    @Test func emptyBlobStaysABlob() throws {
        try db.run("INSERT INTO t (id, data) VALUES (1, ?)", [UInt8]())
        #expect(try db.scalar("SELECT typeof(data) FROM t", as: String.self) == "blob")
        #expect(try db.scalar("SELECT data FROM t", as: [UInt8].self) == [])
    }

    @Test func unsignedValuesRoundTripThroughSignedStorage() throws {
        try db.run("INSERT INTO t (id, flag) VALUES (1, ?)", UInt64.max)
        #expect(try db.scalar("SELECT flag FROM t", as: UInt64.self) == UInt64.max)
    }

    @Test func typeMismatchNamesColumnAndSQL() throws {
        try db.run("INSERT INTO t (id, name) VALUES (1, 'x')")
        #expect(
            throws: SQLiteUsageError.typeMismatch(
                column: 0, expected: "Int64", found: "text", sql: "SELECT name FROM t")
        ) {
            _ = try db.scalar("SELECT name FROM t", as: Int64.self)
        }
    }

    @Test func errorCarriesExtendedCodeMessageAndSQL() throws {
        try db.run("INSERT INTO t (id) VALUES (1)")
        let error = try #require(throws: SQLiteError.self) { try db.run("INSERT INTO t (id) VALUES (1)") }
        #expect(error.code == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY, a macro Swift does not import
        #expect(error.isConstraintViolation)
        #expect(error.message.contains("UNIQUE constraint failed"))
        #expect(error.sql == "INSERT INTO t (id) VALUES (1)")
    }

    @Test func syntaxErrorIsReportedWithSQL() {
        let error = #expect(throws: SQLiteError.self) { try db.run("SELEC 1") }
        #expect(error?.sql == "SELEC 1")
    }

    @Test func rejectsTwoStatementsInOneCall() {
        #expect(throws: SQLiteUsageError.trailingStatement(sql: "SELECT 1; SELECT 2")) {
            try db.run("SELECT 1; SELECT 2")
        }
    }

    @Test func statementCacheReusesAndEvicts() throws {
        var options = ConnectionOptions()
        options.statementCacheCapacity = 2
        let small = try Connection(path: directory.file("cache.sqlite"), options: options)
        let first = try small.statement("SELECT 1")
        #expect(try small.statement("SELECT 1") === first)
        _ = try small.statement("SELECT 2")
        _ = try small.statement("SELECT 3")
        #expect(small.cachedStatementCount == 2)
        #expect(try small.statement("SELECT 1") !== first)
    }

    @Test func transactionCommitsWhenBodyReturns() throws {
        try db.transaction { try db.run("INSERT INTO t (id) VALUES (1)") }
        #expect(try db.scalar("SELECT count(*) FROM t", as: Int.self) == 1)
        #expect(db.isAutocommit)
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t (id) VALUES (1)")
                throw Boom()
            }
        }
        #expect(try db.scalar("SELECT count(*) FROM t", as: Int.self) == 0)
        #expect(db.isAutocommit)
    }

    @Test func savepointRollsBackOnlyItsOwnChanges() throws {
        struct Boom: Error {}
        try db.transaction {
            try db.run("INSERT INTO t (id) VALUES (1)")
            #expect(throws: Boom.self) {
                try db.savepoint {
                    try db.run("INSERT INTO t (id) VALUES (2)")
                    try db.savepoint { try db.run("INSERT INTO t (id) VALUES (3)") }
                    throw Boom()
                }
            }
            try db.savepoint { try db.run("INSERT INTO t (id) VALUES (4)") }
        }
        #expect(try db.query("SELECT id FROM t ORDER BY id") { try $0.get(0, as: Int.self) } == [1, 4])
    }

    @Test func immediateTransactionWaitsForBusyTimeoutThenReportsBusy() throws {
        var options = ConnectionOptions()
        options.busyTimeoutMilliseconds = 50
        let other = try Connection(path: directory.file("test.sqlite"), options: options)
        try db.execute("BEGIN IMMEDIATE")
        defer { try? db.execute("ROLLBACK") }
        let error = #expect(throws: SQLiteError.self) {
            try other.transaction { try other.run("INSERT INTO t (id) VALUES (9)") }
        }
        #expect(error?.isBusy == true)
    }

    @Test func foreignAndDamagedFilesFailAtOpen() throws {
        let path = directory.file("not-a-database.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SQLiteError.self) { try Connection(path: path) }
        #expect(error?.isNotADatabase == true)
        #expect(error?.message.contains("not a database") == true)
    }

    @Test func readOnlyConnectionRefusesWrites() throws {
        var options = ConnectionOptions()
        options.readOnly = true
        let reader = try Connection(path: directory.file("test.sqlite"), options: options)
        let error = #expect(throws: SQLiteError.self) { try reader.run("INSERT INTO t (id) VALUES (1)") }
        #expect(error?.primaryCode == SQLITE_READONLY)
    }

    @Test func missingFileWithoutCreateIsAnError() {
        var options = ConnectionOptions()
        options.create = false
        #expect(throws: SQLiteError.self) { try Connection(path: directory.file("absent.sqlite"), options: options) }
    }

    @Test func integrityCheckIsCleanOnASoundFile() throws {
        #expect(try db.integrityProblems().isEmpty)
    }
}

@Suite struct NestedTransactionTests {
    @Test func aTransactionInsideATransactionIsASavepointAndTheOuterDecides() throws {
        let directory = try TemporaryDirectory()
        let db = try Connection(path: directory.file("nested.sqlite"))
        try db.execute("CREATE TABLE t (x INTEGER)")
        // The inner one fails alone: its row goes, the outer's stays.
        try db.transaction {
            try db.run("INSERT INTO t VALUES (1)")
            _ = try? db.transaction {
                try db.run("INSERT INTO t VALUES (2)")
                throw SQLiteError(code: 1, message: "inner")
            }
        }
        #expect(try db.query("SELECT x FROM t", map: { row -> Int in try row.get(0) }) == [1])
        // The outer one fails: the inner one's committed-looking work goes too.
        _ = try? db.transaction {
            try db.transaction { try db.run("INSERT INTO t VALUES (3)") }
            throw SQLiteError(code: 1, message: "outer")
        }
        #expect(try db.query("SELECT x FROM t", map: { row -> Int in try row.get(0) }) == [1])
        #expect(db.isAutocommit)
    }
}
