@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import Server
import Synchronization
import TestSupport
import Testing

@Suite struct DatabasePoolTests {
    @Test func aThreadKeepsItsConnectionAndANestedCallGetsAnother() throws {
        let fixture = try APIFixture()
        let (first, nested) = try fixture.api.withDatabase { outer in
            (ObjectIdentifier(outer), try fixture.api.withDatabase { inner in ObjectIdentifier(inner) })
        }
        #expect(first != nested)  // a nested call never joins the outer call's transaction
        #expect(try fixture.api.withDatabase { ObjectIdentifier($0) } == first)
    }

    @Test func noConnectionIsLentToTwoThreadsAtOnce() throws {
        let fixture = try APIFixture()
        let api = fixture.api
        let inUse = Mutex(Set<ObjectIdentifier>())
        let doubled = Atomic<Int>(0)
        let lent = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 {
                try? api.withDatabase { database in
                    let id = ObjectIdentifier(database)
                    if !inUse.withLock({ $0.insert(id).inserted }) { doubled.add(1, ordering: .relaxed) }
                    lent.add(1, ordering: .relaxed)
                    _ = try database.db.scalar("SELECT count(*) FROM users", as: Int.self)
                    inUse.withLock { _ = $0.remove(id) }
                }
            }
        }
        #expect(lent.load(ordering: .relaxed) == 1_600)
        withExtendedLifetime(fixture) {}  // its directory holds the database
        #expect(doubled.load(ordering: .relaxed) == 0)
    }
}

/// A signed-in read checks its session inside the handler's read transaction; the session's
/// upkeep is written after it.
@Suite struct SessionUpkeepTests {
    @Test func aReadMovesTheIdleClockAndAnExpiredSessionIsDeletedAfterTheRead() throws {
        let fixture = try APIFixture()
        let user = try fixture.signIn(.administrator, username: "ana")
        func lastSeen() throws -> Int64? {
            try fixture.api.withDatabase {
                try $0.db.queryFirst("SELECT last_seen FROM sessions WHERE user_id = ?", user.id.rawValue) {
                    try $0.get(0)
                }
            }
        }
        let signedInAt = try #require(try lastSeen())
        #expect(fixture.router.respond(to: try request("GET", "/api/v1/me", cookie: user.cookie)).status == 200)
        #expect(try lastSeen() == signedInAt)  // under a minute: no write at all
        fixture.advance(seconds: 20 * 60)
        #expect(fixture.router.respond(to: try request("GET", "/api/v1/me", cookie: user.cookie)).status == 200)
        #expect(try lastSeen() == signedInAt + 20 * 60 * 1000)
        fixture.advance(seconds: 31 * 60)
        #expect(fixture.router.respond(to: try request("GET", "/api/v1/me", cookie: user.cookie)).status == 401)
        #expect(try lastSeen() == nil)
    }

    func request(_ method: String, _ target: String, cookie: String) throws -> HTTPRequest {
        var decoder = HTTPRequestDecoder()
        decoder.append(
            Array("\(method) \(target) HTTP/1.1\r\nHost: core\r\nCookie: portero_session=\(cookie)\r\n\r\n".utf8))
        return try #require(try decoder.next())
    }
}

/// The read an event loop keeps for its batch: one snapshot until the batch ends, let go
/// before anything else uses the connection.
@Suite struct KeptReadTests {
    static func count(_ api: CoreAPI, keepingRead: Bool) throws -> Int {
        try api.pool.with(keepingRead: keepingRead) { database in
            try database.db.beginRead()
            return try database.db.scalar("SELECT count(*) FROM branches", as: Int.self)
        }
    }

    /// A branch added on another thread (another event loop).
    static func addBranchElsewhere(_ api: CoreAPI, _ name: String) {
        let done = DispatchSemaphore(value: 0)
        Thread {
            _ = try? api.withDatabase {
                try $0.accounts.createBranch(name: name, city: "CDMX", timeZone: "America/Mexico_City")
            }
            done.signal()
        }.start()
        done.wait()
    }

    @Test func aBatchReadsOneSnapshotAndTheNextBatchSeesNewWrites() throws {
        let fixture = try APIFixture()
        let api = fixture.api
        let before = try Self.count(api, keepingRead: true)
        Self.addBranchElsewhere(api, "Sur")
        #expect(try Self.count(api, keepingRead: true) == before)  // same batch, same snapshot
        api.pool.endBatch()
        #expect(try Self.count(api, keepingRead: true) == before + 1)
        Self.addBranchElsewhere(api, "Oriente")
        // Any other use of the connection ends the kept read first.
        #expect(try Self.count(api, keepingRead: false) == before + 2)
        api.pool.endBatch()
    }

    @Test func aWriteAfterAKeptReadIsNotRefusedForAStaleSnapshot() throws {
        let fixture = try APIFixture()
        let api = fixture.api
        _ = try Self.count(api, keepingRead: true)
        Self.addBranchElsewhere(api, "Sur")  // the database moves on past the kept snapshot
        // A write on the same thread ends the kept read first, so SQLite does not refuse it.
        let added = try api.withDatabase { database in
            try database.write {
                try database.accounts.createBranch(name: "Norte 2", city: "Tijuana", timeZone: "America/Tijuana")
            }
        }
        #expect(added.rawValue > 0)
        api.pool.endBatch()
    }

    /// Through the server: a read, a write and a read pipelined on one connection are served in
    /// one batch of the one loop; the write is not refused and the last read sees it.
    @Test func aReadAWriteAndAReadInOneBatchOfTheServer() throws {
        let fixture = try APIFixture()
        let user = try fixture.signIn(.administrator, username: "ana")
        let serving = try ServedRouter(fixture.router, eventLoops: 1)
        let client = try LoopbackClient(port: serving.server.port)
        // All three in one write: the loop reads them together and serves them one after another.
        client.send(
            "GET /api/v1/me HTTP/1.1\r\nHost: core\r\nCookie: portero_session=\(user.cookie)\r\n\r\n"
                + "PATCH /api/v1/me HTTP/1.1\r\nHost: core\r\nCookie: portero_session=\(user.cookie)\r\n"
                + "X-CSRF-Token: \(user.csrf)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 21\r\n\r\n{\"name\": \"Ana Maria\"}"
                + "GET /api/v1/me HTTP/1.1\r\nHost: core\r\nCookie: portero_session=\(user.cookie)\r\n\r\n")
        let text = client.receive { $0.components(separatedBy: "HTTP/1.1 ").count > 3 && $0.hasSuffix("}") }.text
        let session = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { "HTTP/1.1 " + $0 }
        #expect(session.filter { $0.hasPrefix("HTTP/1.1 200") }.count == 3)
        #expect(session.last?.contains("Ana Maria") == true)
    }
}
