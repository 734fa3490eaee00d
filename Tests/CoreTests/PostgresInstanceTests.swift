@testable import BackOffice
@testable import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel
import PostgreSQL
import SQLite
import SyncWire
import TestSupport
import Synchronization
import Testing

/// Several core instances over one PostgreSQL database: the feed's order under concurrent
/// writers, long polls woken by another instance's change, and a database that goes away.
@Suite(.enabled(if: PostgresTestServer.available)) struct PostgresInstanceTests {
    /// Two writers of the change log: the second waits for the first to commit, so the sequence
    /// numbers become visible in order and a cursor can never pass the first.
    @Test func aLaterChangeNeverBecomesVisibleBeforeAnEarlierOne() throws {
        let scratch = try #require(try CoreTestDatabase.make(always: true))
        let first = try PGConnection(url: scratch.url)
        let second = try PGConnection(url: scratch.url)
        let reader = try PGConnection(url: scratch.url)
        try first.execute("BEGIN")
        try first.run("INSERT INTO change_log (at, entity, entity_id) VALUES (1, 'user', 1)")
        let committed = DispatchSemaphore(value: 0)
        let url = scratch.url
        Thread.detachNewThread {
            // A connection of its own, on its own thread.
            if let other = try? PGConnection(url: url) {
                _ = try? other.run("INSERT INTO change_log (at, entity, entity_id) VALUES (2, 'user', 2)")
            }
            committed.signal()
        }
        #expect(committed.wait(timeout: .now() + 0.5) == .timedOut, "the second writer waits for the first")
        #expect(try reader.query("SELECT seq FROM change_log") { try $0.get(0) as Int64 }.isEmpty)
        try first.execute("COMMIT")
        #expect(committed.wait(timeout: .now() + 5) == .success)
        let seen = try reader.query("SELECT seq, entity_id FROM change_log ORDER BY seq") {
            (try $0.get(0) as Int64, try $0.get(1) as Int64)
        }
        #expect(seen.map(\.1) == [1, 2], "numbers in commit order")
        _ = second
    }

    /// A device long-polling one instance hears a change made through another within a second.
    @Test func aLongPollOnOneInstanceWakesForAChangeThroughAnother() throws {
        let scratch = try #require(try CoreTestDatabase.make(always: true))
        let clock = TestClock()
        let hasher = PasswordHasher(logN: 8, r: 8, p: 1)
        let one = try CoreAPI(path: scratch.url, hasher: hasher, clock: { clock.now })
        let two = try CoreAPI(path: scratch.url, hasher: hasher, clock: { clock.now })
        defer {
            one.stopWaiting()
            two.stopWaiting()
        }
        let branch = try one.withDatabase {
            try $0.accounts.createBranch(name: "Centro", city: "CDMX", timeZone: "America/Mexico_City")
        }
        let (token, cursor) = try one.withDatabase { database -> (String, Int64) in
            let registered = try database.write {
                try database.devices.register(branch: branch, name: "torniquete", now: clock.now, validFor: 600)
            }
            let enrolled = try database.write { try database.devices.enroll(code: registered.code, now: clock.now) }
            return (enrolled.token, try (database.sync as? SQLSyncStore)?.head() ?? 0)
        }
        #expect(eventually { one.listener?.isListening == true })
        let answered = DispatchSemaphore(value: 0)
        let router = one.router()
        Thread.detachNewThread {
            var decoder = HTTPRequestDecoder()
            decoder.append(
                Array(
                    "GET /api/v1/sync/changes?after=\(cursor)&wait=20 HTTP/1.1\r\nHost: core\r\nAuthorization: Bearer \(token)\r\n\r\n"
                        .utf8))
            if let request = try? decoder.next() { _ = router.respond(to: request) }
            answered.signal()
        }
        #expect(eventually { one.feed.waiting == 1 }, "the poll is parked on instance one")
        // A door defined through the other instance: the branch's feed carries its setup.
        let started = Date()
        try two.withDatabase { database in
            try database.write {
                _ = try database.doors.addDoor(SyncDoor(id: 1, name: "Entrada"), id: 1, branch: branch, now: clock.now)
            }
        }
        #expect(answered.wait(timeout: .now() + 5) == .success)
        #expect(Date().timeIntervalSince(started) < 1.5, "woken by the other instance's commit")
        #expect(
            eventually(within: 5) { (one.listener?.notificationsHeard ?? 0) >= 1 },
            "the commit was heard through LISTEN")
    }

    /// The database cuts every connection (a restart): the request in flight answers 503 with
    /// nothing written, and the next one works on a new connection.
    @Test func aDatabaseThatGoesAwayAnswers503AndTheNextRequestReconnects() throws {
        let scratch = try #require(try CoreTestDatabase.make(always: true))
        let api = try CoreAPI(path: scratch.url, hasher: PasswordHasher(logN: 8, r: 8, p: 1))
        defer { api.stopWaiting() }
        let router = api.router()
        func health() throws -> Int {
            var decoder = HTTPRequestDecoder()
            decoder.append(Array("GET /api/v1/openapi.json HTTP/1.1\r\nHost: core\r\n\r\n".utf8))
            return router.respond(to: try #require(try decoder.next())).status
        }
        _ = try api.withDatabase { try $0.accounts.branches() }
        let admin = try PGConnection(url: try #require(PostgresTestServer.url))
        _ = try admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()",
            scratch.name
        ) { _ in () }
        #expect {
            try api.withDatabase { try $0.accounts.branches() }
        } throws: { ($0 as? any SQLDatabaseError)?.isUnavailable == true }
        #expect(try api.withDatabase { try $0.accounts.branches() }.isEmpty, "a new connection, after the dead one")
        #expect(try health() == 200)
    }

    /// Two instances starting at once on an empty database: one migrates, the other waits for it
    /// and finds nothing left to do; both serve.
    @Test func twoInstancesMigratingAtOnceBothEndOnTheSameSchema() throws {
        let scratch = try #require(try CoreTestDatabase.make(always: true))
        let url = try #require(try scratch.empty("race"))
        let results = Mutex<[Result<[Int], any Error>]>([])
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread.detachNewThread {
                let result = Result { try CoreSchema.postgresMigrator.migrate(try PGConnection(url: url)) }
                results.withLock { $0.append(result) }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        let applied = try results.withLock { try $0.map { try $0.get() } }
        let every = CoreSchema.postgresMigrator.migrations.map(\.version)
        #expect(applied.sorted { $0.count < $1.count } == [[], every], "one applied the schema, the other nothing")
    }
}
