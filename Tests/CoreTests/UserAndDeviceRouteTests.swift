@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import SQLite
import Testing

/// JSON of a response body as a dictionary (or an array of them).
func object(_ response: HTTPResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}

func objects(_ response: HTTPResponse) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
}

@Suite struct UserRouteTests {
    @Test func listingIsFilteredByTheCallersBranchesAndSearchIsLiteral() throws {
        let fixture = try APIFixture()
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        _ = try fixture.signIn(.reception, username: "ana_centro")
        // A user at the other branch only.
        let beto = try fixture.api.withDatabase {
            try $0.accounts.createAccount(
                username: "beto_norte", email: "beto@club.mx", password: "Secreto123", name: "Beto",
                paternalSurname: "N",
                roles: RoleSet([.reception]), branches: [fixture.other], now: Timestamp(seconds: 1_800_000_000))
        }
        let listed = try objects(fixture.send("GET", "/api/v1/users", cookie: manager.cookie)).compactMap {
            $0["username"] as? String
        }
        #expect(listed.contains("ana_centro") && listed.contains("gerente") && !listed.contains("beto_norte"))
        #expect(try fixture.send("GET", "/api/v1/users?branch=\(fixture.other)", cookie: manager.cookie).status == 403)
        let searched = try objects(fixture.send("GET", "/api/v1/users?q=ana", cookie: manager.cookie)).compactMap {
            $0["username"] as? String
        }
        #expect(searched == ["ana_centro"])
        // LIKE wildcards in the search text match only themselves.
        #expect(try objects(fixture.send("GET", "/api/v1/users?q=%25", cookie: manager.cookie)).isEmpty)
        #expect(try objects(fixture.send("GET", "/api/v1/users?q=ana%25centro", cookie: manager.cookie)).isEmpty)
        #expect(try objects(fixture.send("GET", "/api/v1/users?q=a_c", cookie: manager.cookie)).count == 1)
        #expect(try fixture.send("GET", "/api/v1/users?limit=0", cookie: manager.cookie).status == 400)
        // A user of another branch looks absent.
        #expect(try fixture.send("GET", "/api/v1/users/\(beto.id)", cookie: manager.cookie).status == 404)
        #expect(try fixture.send("GET", "/api/v1/users/not-a-number", cookie: manager.cookie).status == 404)
    }

    @Test func updateAndDeactivateEndTheSessionsAndAreAudited() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let ana = try fixture.signIn(.reception, username: "ana")
        let patched = try fixture.send(
            "PATCH", "/api/v1/users/\(ana.id)", body: #"{"name": "Ana María", "maternalSurname": "López"}"#,
            cookie: admin.cookie, csrf: admin.csrf)
        #expect(patched.status == 200)
        #expect(try object(patched)["name"] as? String == "Ana María")
        #expect(try fixture.send("GET", "/api/v1/me", cookie: ana.cookie).status == 200)
        let deactivated = try fixture.send(
            "PATCH", "/api/v1/users/\(ana.id)", body: #"{"active": false}"#, cookie: admin.cookie, csrf: admin.csrf)
        #expect(try object(deactivated)["active"] as? Bool == false)
        #expect(try fixture.send("GET", "/api/v1/me", cookie: ana.cookie).status == 401)
        #expect(
            try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "Secreto123"}"#).status
                == 401)
        let actions = try fixture.api.withDatabase { try $0.audit.recent(limit: 10).map(\.action) }
        #expect(actions.contains("user.update") && actions.contains("user.deactivate"))
        let verification = try fixture.api.withDatabase { try $0.audit.verify() }
        guard case .intact = verification else {
            Issue.record("audit chain: \(verification)")
            return
        }
        // Bad input names the field and changes nothing.
        let bad = try fixture.send(
            "PATCH", "/api/v1/users/\(ana.id)", body: #"{"email": "not-an-email"}"#, cookie: admin.cookie,
            csrf: admin.csrf)
        #expect(bad.status == 400 && String(decoding: bad.body, as: UTF8.self).contains("email"))
        let weak = try fixture.send(
            "PATCH", "/api/v1/users/\(ana.id)", body: #"{"password": "abc"}"#, cookie: admin.cookie, csrf: admin.csrf)
        #expect(weak.status == 400 && String(decoding: weak.body, as: UTF8.self).contains("password"))
        #expect(
            try fixture.send(
                "PATCH", "/api/v1/users/\(admin.id)", body: #"{"active": false}"#, cookie: admin.cookie,
                csrf: admin.csrf
            ).status == 409)
        #expect(
            try fixture.send(
                "PATCH", "/api/v1/users/999", body: #"{"name": "X"}"#, cookie: admin.cookie, csrf: admin.csrf
            ).status == 404)
    }

    @Test func rolesAndBranchesAreGrantedOnlyWithinTheCallersReach() throws {
        let fixture = try APIFixture()
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let admin = try fixture.signIn(.administrator, username: "admin")
        let ana = try fixture.signIn(.reception, username: "ana")
        func put(_ path: String, _ body: String, as user: (cookie: String, csrf: String, id: UserID)) throws -> Int {
            try fixture.send("PUT", path, body: body, cookie: user.cookie, csrf: user.csrf).status
        }
        #expect(try put("/api/v1/users/\(ana.id)/roles", #"{"roles": ["recepcion", "cliente"]}"#, as: manager) == 200)
        #expect(try put("/api/v1/users/\(ana.id)/roles", #"{"roles": ["administrador"]}"#, as: manager) == 403)
        #expect(try put("/api/v1/users/\(admin.id)/roles", #"{"roles": ["cliente"]}"#, as: manager) == 403)
        #expect(
            try put(
                "/api/v1/users/\(ana.id)/branches", #"{"branches": [\#(fixture.own), \#(fixture.other)]}"#, as: manager)
                == 403)
        #expect(
            try put(
                "/api/v1/users/\(ana.id)/branches", #"{"branches": [\#(fixture.own), \#(fixture.other)]}"#, as: admin)
                == 403)
        #expect(try put("/api/v1/users/\(ana.id)/roles", #"{"roles": ["emperador"]}"#, as: manager) == 400)
        #expect(try put("/api/v1/users/\(manager.id)/roles", #"{"roles": ["recepcion"]}"#, as: manager) == 409)
        let account = try #require(try fixture.api.withDatabase { try $0.accounts.account(ana.id) })
        #expect(account.roles == RoleSet([.reception, .client]) && account.branches == [fixture.own])
        let root = try fixture.signIn(.superAdministrator, username: "root")
        #expect(
            try put(
                "/api/v1/users/\(ana.id)/branches", #"{"branches": [\#(fixture.own), \#(fixture.other)]}"#, as: root)
                == 200)
        #expect(try put("/api/v1/users/\(ana.id)/branches", #"{"branches": [999]}"#, as: root) == 404)
        #expect(
            try fixture.api.withDatabase { try $0.accounts.account(ana.id) }?.branches == [fixture.own, fixture.other])
    }

    @Test func branchesAreListedAndChangedWithinReach() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let names = try objects(fixture.send("GET", "/api/v1/branches", cookie: admin.cookie)).compactMap {
            $0["name"] as? String
        }
        #expect(names == ["Centro"])
        #expect(try fixture.send("GET", "/api/v1/branches/\(fixture.other)", cookie: admin.cookie).status == 404)
        let patched = try fixture.send(
            "PATCH", "/api/v1/branches/\(fixture.own)", body: #"{"city": "Ciudad de México"}"#, cookie: admin.cookie,
            csrf: admin.csrf)
        #expect(patched.status == 200)
        #expect(try object(patched)["city"] as? String == "Ciudad de México")
        #expect(
            try fixture.send(
                "PATCH", "/api/v1/branches/\(fixture.own)", body: #"{"timeZone": "Europe/Atlantis"}"#,
                cookie: admin.cookie, csrf: admin.csrf
            ).status == 400)
        #expect(
            try fixture.send(
                "PATCH", "/api/v1/branches/\(fixture.other)", body: #"{"city": "X"}"#, cookie: admin.cookie,
                csrf: admin.csrf
            ).status == 404)
    }

    @Test func changingYourPasswordNeedsTheCurrentOne() throws {
        let fixture = try APIFixture()
        let ana = try fixture.signIn(.reception, username: "ana")
        #expect(
            try fixture.send(
                "POST", "/api/v1/me/password", body: #"{"current": "wrong", "password": "Nueva1234"}"#,
                cookie: ana.cookie, csrf: ana.csrf
            ).status == 403)
        #expect(
            try fixture.send(
                "POST", "/api/v1/me/password", body: #"{"current": "Secreto123", "password": "Nueva1234"}"#,
                cookie: ana.cookie, csrf: ana.csrf
            ).status == 204)
        #expect(
            try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "Secreto123"}"#).status
                == 401)
        #expect(
            try fixture.send("POST", "/api/v1/session", body: #"{"login": "ana", "password": "Nueva1234"}"#).status
                == 201)
    }
}

@Suite struct DeviceRouteTests {
    func register(
        _ fixture: APIFixture, _ user: (cookie: String, csrf: String, id: UserID), name: String = "torniquete"
    ) throws -> (id: Int64, code: String) {
        let response = try fixture.send(
            "POST", "/api/v1/devices", body: #"{"branch": \#(fixture.own), "name": "\#(name)"}"#, cookie: user.cookie,
            csrf: user.csrf)
        #expect(response.status == 201)
        let answer = try object(response)
        return (
            try #require((answer["device"] as? [String: Any])?["id"] as? Int64),
            try #require(answer["enrollmentCode"] as? String)
        )
    }

    @Test func aCodeIsTradedOnceForATokenThatWorksUntilRevoked() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (id, code) = try register(fixture, admin)
        let enrolled = try fixture.send(
            "POST", "/api/v1/enroll", body: #"{"code": "\#(code.lowercased())", "softwareVersion": "0.1.0"}"#)
        #expect(enrolled.status == 201)
        let token = try #require(try object(enrolled)["token"] as? String)
        #expect(token.hasPrefix("pd_"))
        #expect(((try object(enrolled)["branch"] as? [String: Any])?["timeZone"] as? String) == "America/Mexico_City")
        // Spent: the same code does not work twice.
        #expect(try fixture.send("POST", "/api/v1/enroll", body: #"{"code": "\#(code)"}"#).status == 401)
        #expect(try fixture.bearer("GET", "/api/v1/device", token).status == 200)
        #expect(
            try fixture.bearer(
                "POST", "/api/v1/device/report", token, body: #"{"replicaAgeSeconds": 3, "outboxDepth": 12}"#
            ).status == 204)
        #expect(try fixture.bearer("POST", "/api/v1/device/report", token, body: #"{"outboxDepth": -1}"#).status == 400)
        let listed = try objects(fixture.send("GET", "/api/v1/devices", cookie: admin.cookie))
        #expect(listed.first?["outboxDepth"] as? Int == 12 && listed.first?["softwareVersion"] as? String == "0.1.0")
        // A device token is not a user's, and a user's token is not a device's.
        #expect(try fixture.bearer("GET", "/api/v1/me", token).status == 401)
        #expect(
            try fixture.send("DELETE", "/api/v1/devices/\(id)", cookie: admin.cookie, csrf: admin.csrf).status == 204)
        #expect(try fixture.bearer("GET", "/api/v1/device", token).status == 401)
        #expect(
            try fixture.send("DELETE", "/api/v1/devices/\(id)", cookie: admin.cookie, csrf: admin.csrf).status == 409)
        // Only hashes are stored.
        let stored = try fixture.api.withDatabase {
            try $0.db.query("SELECT token_hash, enrollment_code_hash FROM devices") { row -> String? in
                // What is stored, as text: a hash never holds the token or the code.
                [row.bytes(0), row.bytes(1)].compactMap { $0 }.map { String(decoding: $0, as: UTF8.self) }.joined()
            }
        }
        #expect(!stored.contains { $0?.contains(token) == true || $0?.contains(code) == true })
        let actions = try fixture.api.withDatabase { try $0.audit.recent(limit: 10).map(\.action) }
        #expect(
            actions.contains("device.register") && actions.contains("device.enroll")
                && actions.contains("device.revoke"))
    }

    @Test func anExpiredCodeIsRefusedAndANewOneReplacesTheToken() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (id, code) = try register(fixture, admin)
        fixture.advance(seconds: 601)
        #expect(try fixture.send("POST", "/api/v1/enroll", body: #"{"code": "\#(code)"}"#).status == 401)
        let reissued = try fixture.send("POST", "/api/v1/devices/\(id)/code", cookie: admin.cookie, csrf: admin.csrf)
        let newCode = try #require(try object(reissued)["enrollmentCode"] as? String)
        #expect(try fixture.send("POST", "/api/v1/enroll", body: #"{"code": "\#(newCode)"}"#).status == 201)
        #expect(
            try fixture.send(
                "POST", "/api/v1/devices", body: #"{"branch": \#(fixture.own), "name": "torniquete"}"#,
                cookie: admin.cookie, csrf: admin.csrf
            ).status == 409)
        #expect(
            try fixture.send(
                "POST", "/api/v1/devices", body: #"{"branch": \#(fixture.other), "name": "x"}"#, cookie: admin.cookie,
                csrf: admin.csrf
            ).status == 403)
    }

    @Test func guessingCodesIsThrottled() throws {
        let fixture = try APIFixture()
        var statuses: [Int] = []
        for guess in 0..<21 {
            statuses.append(
                try fixture.send("POST", "/api/v1/enroll", body: #"{"code": "AAAAA-\#(10_000 + guess)"}"#).status)
        }
        #expect(statuses.prefix(20).allSatisfy { $0 == 401 })
        #expect(statuses.last == 429)
    }
}

@Suite struct DeviceAlarmTests {
    @Test func aSilentDeviceAndAStaleReplicaNotifyTheBranchOnce() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let registered = try object(
            try fixture.send(
                "POST", "/api/v1/devices", body: #"{"branch": \#(fixture.own), "name": "torniquete"}"#,
                cookie: admin.cookie, csrf: admin.csrf))
        let code = try #require(registered["enrollmentCode"] as? String)
        let token = try #require(
            try object(try fixture.send("POST", "/api/v1/enroll", body: #"{"code": "\#(code)"}"#))["token"] as? String)
        #expect(try fixture.api.maintain() == 0)
        fixture.advance(seconds: 11 * 60)
        #expect(try fixture.api.maintain() == 2)
        #expect(try fixture.api.maintain() == 0)
        let seen = try objects(try fixture.send("GET", "/api/v1/notifications?filter=urgent", cookie: manager.cookie))
        #expect(
            seen.count == 1 && (seen.first?["title"] as? String)?.contains("torniquete at Centro is offline") == true)
        #expect(
            try objects(try fixture.send("GET", "/api/v1/notifications?filter=urgent", cookie: reception.cookie))
                .isEmpty)
        // Back in contact, with a replica two hours old: the offline alarm is cleared and says
        // so, and the stale replica is a new alarm.
        #expect(
            try fixture.bearer("POST", "/api/v1/device/report", token, body: #"{"replicaAgeSeconds": 7200}"#).status
                == 204)
        #expect(try fixture.api.maintain() == 4)
        #expect(try fixture.api.maintain() == 0)
        let urgent = try objects(
            try fixture.send("GET", "/api/v1/notifications?filter=urgent", cookie: manager.cookie))
        #expect(urgent.map { $0["title"] as? String } == ["torniquete at Centro has a stale replica"])
        let all = try objects(try fixture.send("GET", "/api/v1/notifications", cookie: manager.cookie))
        #expect(all.contains { $0["title"] as? String == "torniquete at Centro is back online" })
        #expect(all.contains { $0["title"] as? String == "torniquete at Centro is offline — back online" })
        fixture.advance(seconds: 11 * 60)
        #expect(try fixture.api.maintain() == 2)  // silent again: a new outage
        // How long counts as offline is the chain's to choose.
        var quick = AlarmPolicy()
        quick.offlineAfterSeconds = 60
        _ = try fixture.bearer("GET", "/api/v1/device", token)
        #expect(try fixture.api.maintain(policy: quick) == 2, "back online")
        fixture.advance(seconds: 61)
        #expect(try fixture.api.maintain(policy: quick) == 2, "offline after a minute")
    }
}
