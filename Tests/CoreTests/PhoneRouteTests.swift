@testable import BackOffice
@testable import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// Members' pass phones over the API: a member adds and revokes their own, staff revoke a lost one,
/// a bad key is refused naming the field, and every change is audited.
@Suite struct PhoneRouteTests {
    /// A new P-256 key's coordinates as a JWK writes them, and the key.
    static func phoneKey() throws -> (x: String, y: String, key: SigningKey) {
        let key = try SigningKey.p256()
        let point = try key.publicCoordinates()
        return (
            Authenticator.base64URL(point.x), Authenticator.base64URL(point.y), key
        )
    }

    static func addBody(_ name: String, _ key: (x: String, y: String, key: SigningKey)) -> String {
        #"{"name": "\#(name)", "x": "\#(key.x)", "y": "\#(key.y)"}"#
    }

    @Test func aMemberAddsListsAndRevokesTheirPhones() throws {
        let f = try APIFixture()
        let member = try f.signIn(.client, username: "socia")
        let key = try Self.phoneKey()
        let added = try f.post("/api/v1/me/phones", Self.addBody("Mi teléfono", key), as: member)
        #expect(added.status == 201)
        let phone = try object(added)
        #expect(phone["user"] as? Int64 == member.id.rawValue && phone["x"] as? String == key.x)
        #expect(phone["revokedAt"] is NSNull)
        let id = try #require(phone["id"] as? Int64)

        let pass = try object(try f.get("/api/v1/me/pass", as: member))
        #expect(pass["member"] as? Int64 == member.id.rawValue && pass["renewSeconds"] as? Int64 == 5)
        #expect(try objects(try f.get("/api/v1/me/phones", as: member)).map { $0["id"] as? Int64 } == [id])

        // The same key twice is one phone; a key off the curve is no key.
        #expect(try f.post("/api/v1/me/phones", Self.addBody("Otra", key), as: member).status == 409)
        var bad = Array(key.y.utf8)
        bad[5] = bad[5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let offCurve = try f.post(
            "/api/v1/me/phones", Self.addBody("Rota", (key.x, String(decoding: bad, as: UTF8.self), key.key)),
            as: member)
        #expect(offCurve.status == 400 && String(decoding: offCurve.body, as: UTF8.self).contains("x"))
        #expect(
            try f.post("/api/v1/me/phones", #"{"name": "a", "x": "short", "y": "\#(key.y)"}"#, as: member).status == 400
        )
        // 31 flags are 62 code points: over the 60 the schema counts, refused as the name's, not the key's.
        let flags = try f.post(
            "/api/v1/me/phones", Self.addBody(String(repeating: "🇲🇽", count: 31), try Self.phoneKey()), as: member)
        #expect(flags.status == 400 && String(decoding: flags.body, as: UTF8.self).contains("name"))
        let sixty = try f.post(
            "/api/v1/me/phones", Self.addBody(String(repeating: "🇲🇽", count: 30), try Self.phoneKey()), as: member)
        #expect(sixty.status == 201, "60 code points")

        let revoked = try f.send("DELETE", "/api/v1/me/phones/\(id)", cookie: member.cookie, csrf: member.csrf)
        #expect(revoked.status == 204)
        #expect(try f.send("DELETE", "/api/v1/me/phones/\(id)", cookie: member.cookie, csrf: member.csrf).status == 404)
        let listed = try objects(try f.get("/api/v1/me/phones", as: member))
        #expect(listed.first { $0["id"] as? Int64 == id }?["revokedAt"] as? Int64 != nil)

        let actions = try f.api.withDatabase { try $0.audit.recent(limit: 10).map(\.action) }
        #expect(actions.contains("phone.add") && actions.contains("phone.revoke"))
    }

    @Test func aMemberHoldsAtMostFivePhonesAndNobodyElsesCanBeRevoked() throws {
        let f = try APIFixture()
        let member = try f.signIn(.client, username: "socia")
        let other = try f.signIn(.client, username: "otra")
        for number in 1...5 {
            let response = try f.post(
                "/api/v1/me/phones", Self.addBody("Tel \(number)", try Self.phoneKey()), as: member)
            #expect(response.status == 201)
        }
        #expect(try f.post("/api/v1/me/phones", Self.addBody("Sexto", try Self.phoneKey()), as: member).status == 409)
        let first = try #require(try objects(try f.get("/api/v1/me/phones", as: member)).last?["id"] as? Int64)
        #expect(
            try f.send("DELETE", "/api/v1/me/phones/\(first)", cookie: other.cookie, csrf: other.csrf).status == 404)
        #expect(try f.get("/api/v1/users/\(member.id)/phones", as: other).status == 403)
    }

    @Test func theDeskRevokesALostPhoneOfAMemberOfItsBranch() throws {
        let f = try APIFixture()
        let member = try f.signIn(.client, username: "socia")
        let desk = try f.signIn(.reception, username: "recepcion")
        let elsewhere = try f.signIn(.reception, username: "lejos", branches: [f.other])
        let id = try #require(
            try object(try f.post("/api/v1/me/phones", Self.addBody("Perdido", try Self.phoneKey()), as: member))["id"]
                as? Int64)
        #expect(try objects(try f.get("/api/v1/users/\(member.id)/phones", as: desk)).count == 1)
        #expect(try f.get("/api/v1/users/\(member.id)/phones", as: elsewhere).status == 404)
        let path = "/api/v1/users/\(member.id)/phones/\(id)"
        #expect(try f.send("DELETE", path, cookie: elsewhere.cookie, csrf: elsewhere.csrf).status == 404)
        #expect(try f.send("DELETE", path, cookie: desk.cookie, csrf: desk.csrf).status == 204)
        #expect(try objects(try f.get("/api/v1/me/phones", as: member)).first?["revokedAt"] as? Int64 != nil)

        // A member of two branches: the desk of either revokes a lost phone (it only takes access away).
        let both = try f.signIn(.client, username: "doble", branches: [f.own, f.other])
        let lost = try #require(
            try object(try f.post("/api/v1/me/phones", Self.addBody("Perdido", try Self.phoneKey()), as: both))["id"]
                as? Int64)
        let theirs = "/api/v1/users/\(both.id)/phones/\(lost)"
        #expect(try f.send("DELETE", theirs, cookie: elsewhere.cookie, csrf: elsewhere.csrf).status == 204)

        // Never the phone of someone who outranks the desk.
        let manager = try f.signIn(.branchManager, username: "gerente")
        let managers = try #require(
            try object(try f.post("/api/v1/me/phones", Self.addBody("Del gerente", try Self.phoneKey()), as: manager))[
                "id"] as? Int64)
        let above = "/api/v1/users/\(manager.id)/phones/\(managers)"
        #expect(try f.send("DELETE", above, cookie: desk.cookie, csrf: desk.csrf).status == 403)
    }

    @Test func theFeedCarriesActivePhonesAndOnlyTheNewestRevokedOnes() throws {
        let f = try APIFixture()
        let member = try f.signIn(.client, username: "socia")
        var revoked: [Int64] = []
        for number in 1...12 {
            let added = try object(
                try f.post("/api/v1/me/phones", Self.addBody("Tel \(number)", try Self.phoneKey()), as: member))
            let id = try #require(added["id"] as? Int64)
            #expect(
                try f.send("DELETE", "/api/v1/me/phones/\(id)", cookie: member.cookie, csrf: member.csrf).status == 204)
            revoked.append(id)
        }
        let kept = try #require(
            try object(try f.post("/api/v1/me/phones", Self.addBody("Activo", try Self.phoneKey()), as: member))["id"]
                as? Int64)
        let items = try f.api.withDatabase {
            try SQLSyncStore(connection: $0.db).items(
                users: [member.id.rawValue], branch: f.own, zone: try ZoneRules(identifier: "America/Mexico_City"),
                now: Timestamp(seconds: 1_800_000_000))
        }
        guard case let .user(user)? = items.first else {
            Issue.record("no user item: \(items)")
            return
        }
        let phones = user.phones ?? []
        #expect(phones.filter(\.active).map(\.id) == [kept])
        #expect(phones.filter { !$0.active }.map(\.id) == Array(revoked.suffix(10)), "the ten newest revoked")
        #expect(phones.allSatisfy { $0.key.count == 128 })
    }
}
