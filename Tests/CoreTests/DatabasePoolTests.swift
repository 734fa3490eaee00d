@testable import Core
import Foundation
import HTTP
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
            try fixture.api.withDatabase { try $0.db.queryFirst("SELECT last_seen FROM sessions WHERE user_id = ?", user.id.rawValue) { try $0.get(0) } }
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
        decoder.append(Array("\(method) \(target) HTTP/1.1\r\nHost: core\r\nCookie: portero_session=\(cookie)\r\n\r\n".utf8))
        return try #require(try decoder.next())
    }
}
