import Foundation
import PostgreSQL
import SQLite
import TestSupport
import Testing

/// A database of its own on the test cluster, dropped when released.
final class ScratchDatabase {
    let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let url: String
    private let admin: PGConnection

    init() throws {
        admin = try PGConnection(url: try #require(PostgresTestServer.url))
        try admin.execute("CREATE DATABASE \(name)")
        url = try #require(PostgresTestServer.url(database: name))
    }

    func connect() throws -> PGConnection { try PGConnection(url: url) }

    deinit { try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
}

@Suite struct PGPlaceholderTests {
    @Test(arguments: [
        ("SELECT ?", "SELECT $1"),
        ("SELECT ?, ?, ?", "SELECT $1, $2, $3"),
        ("WHERE a = ?2 AND b = ?1 AND c = ?", "WHERE a = $2 AND b = $1 AND c = $3"),
        ("SELECT '?', \"col?\", ? -- what?\n, ?", "SELECT '?', \"col?\", $1 -- what?\n, $2"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"),
    ])
    func sqliteStylePlaceholdersBecomeNumberedOnes(sql: String, expected: String) {
        #expect(PGPlaceholders.translate(sql) == expected)
    }

    @Test func aPasswordNeverReachesAMessage() {
        #expect(PGConnection.redacted("postgres://ana:s3cr3t@db:5432/core") == "postgres://ana:***@db:5432/core")
        #expect(PGConnection.redacted("host=db password=s3cr3t user=ana") == "host=db password=*** user=ana")
        #expect(PGConnection.redacted("postgresql:///core?host=/run/pg") == "postgresql:///core?host=/run/pg")
    }

    @Test func anUnreachableServerIsAClearError() {
        #expect {
            try PGConnection(url: "postgres://ana:s3cr3t@127.0.0.1:1/core?connect_timeout=2")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("connecting to postgres://ana:***@127.0.0.1:1/core") && !text.contains("s3cr3t")
        }
    }
}

@Suite(.enabled(if: PostgresTestServer.available)) struct PGConnectionTests {
    @Test func valuesGoAndComeBackAsTheSQLiteWrapperGivesThem() throws {
        let scratch = try ScratchDatabase()
        let db = try scratch.connect()
        try db.execute(
            """
            CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n BIGINT, r DOUBLE PRECISION,
                s TEXT, b BYTEA, f BOOLEAN)
            """)
        let bytes = (0...255).map(UInt8.init)
        let text = "Año 'nuevo' \"🎉\" \\ ? $1"
        let id: Int64 = try db.scalar(
            "INSERT INTO t (n, r, s, b, f) VALUES (?, ?, ?, ?, ?) RETURNING id", Int64.min, 2.5, text, bytes, true)
        let row = try #require(
            try db.queryFirst("SELECT n, r, s, b, f, id FROM t WHERE id = ?", id) { row in
                (
                    try row.get(0) as Int64, try row.get(1) as Double, try row.get(2) as String,
                    row.bytes(3), try row.get(4) as Bool, row.int64(5)
                )
            })
        #expect(row.0 == Int64.min && row.1 == 2.5 && row.2 == text && row.3 == bytes && row.4 && row.5 == id)
        #expect(try db.run("INSERT INTO t (n, s) VALUES (?, ?)", nil as Int64?, "x") == 1)
        #expect(try db.query("SELECT n FROM t ORDER BY id") { $0.int64(0) } == [Int64.min, nil])
        // A text parameter takes the type of where it is used, as SQLite lets it.
        #expect(try db.scalar("SELECT count(*) FROM t WHERE n > ?", "0", as: Int64.self) == 0)
    }

    @Test func aTransactionCommitsWholeOrNotAtAllAndNestsAsSavepoints() throws {
        let scratch = try ScratchDatabase()
        let db = try scratch.connect()
        try db.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (?)", "a")
                throw Stop()
            }
        }
        try db.transaction {
            try db.run("INSERT INTO t VALUES (?)", "b")
            _ = try? db.transaction {
                try db.run("INSERT INTO t VALUES (?)", "c")
                throw Stop()
            }
        }
        #expect(try db.query("SELECT k FROM t ORDER BY k") { try $0.get(0) as String } == ["b"])
        #expect {
            try db.run("INSERT INTO t VALUES (?)", "b")
        } throws: { ($0 as? PGError)?.isUniqueViolation == true }
        #expect(!db.inTransaction)
    }

    @Test func aNotificationReachesAnotherConnectionAtCommit() throws {
        let scratch = try ScratchDatabase()
        let listener = try scratch.connect()
        let writer = try scratch.connect()
        try listener.listen("changes")
        try writer.transaction {
            try writer.notify("changes", payload: "42")
            #expect(try listener.notifications(waitingMilliseconds: 200).isEmpty, "not before the commit")
        }
        let started = Date()
        let received = try listener.notifications(waitingMilliseconds: 2_000)
        #expect(received.map(\.payload) == ["42"] && received.first?.channel == "changes")
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(throws: PGError.self) { try listener.listen("no; DROP TABLE x") }
    }

    @Test func aLostConnectionSaysSo() throws {
        let scratch = try ScratchDatabase()
        let victim = try scratch.connect()
        let other = try scratch.connect()
        let pid: Int64 = try victim.scalar("SELECT pg_backend_pid()")
        _ = try other.scalar("SELECT pg_terminate_backend(?::int)", pid, as: Bool.self)
        #expect {
            try victim.scalar("SELECT 1", as: Int64.self)
        } throws: { ($0 as? PGError)?.isConnectionLost == true }
        #expect(!victim.isAlive)
    }
}
