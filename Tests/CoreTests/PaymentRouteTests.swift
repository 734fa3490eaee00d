@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// The chain's settings, and subscriptions sold on credit or with a payment to come: what the API
/// takes and refuses, and what the feed tells the door.
@Suite struct PaymentRouteTests {
    static let settings = #"""
        {"currency": "MXN", "paymentGraceDays": 2, "taxRateBasisPoints": 1600, "legalName": "Club Sur SA de CV", \#
        "taxID": "CSU010101AB1", "fiscalAddress": "Av. Juárez 10, Puebla"}
        """#

    @Test func theChainsSettingsAreReadByAllAndChangedWithConfigurationAtEveryBranch() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let admin = try fixture.signIn(.administrator, username: "admin")
        let member = try fixture.signIn(.client, username: "socio")
        let defaults = try object(try fixture.get("/api/v1/settings", as: member))
        #expect(defaults["currency"] as? String == "MXN" && defaults["paymentGraceDays"] as? Int == 3)
        #expect(try fixture.put("/api/v1/settings", Self.settings, as: admin).status == 403, "one branch only")
        let saved = try fixture.put("/api/v1/settings", Self.settings, as: root)
        #expect(saved.status == 200)
        #expect(
            try object(try fixture.get("/api/v1/settings", as: admin))["legalName"] as? String == "Club Sur SA de CV")
        func refusal(_ from: String, _ to: String) throws -> String {
            let response = try fixture.put(
                "/api/v1/settings", Self.settings.replacingOccurrences(of: from, with: to), as: root)
            #expect(response.status == 400)
            return try object(response)["error"] as? String ?? ""
        }
        #expect(try refusal(#""MXN""#, #""mxn""#).contains("currency"))
        #expect(try refusal(#""paymentGraceDays": 2"#, #""paymentGraceDays": 61"#).contains("paymentGraceDays"))
        #expect(try refusal(#""taxRateBasisPoints": 1600"#, #""taxRateBasisPoints": -1"#).contains("taxRate"))
        #expect(try refusal(#""CSU010101AB1""#, #""CSU 01""#).contains("taxID"))
        #expect(try refusal(#""taxID": "CSU010101AB1", "#, "").contains("taxID"), "every field is required")
        // One currency per chain: a plan is priced in it, and once one is, it stays.
        let euros = Self.settings.replacingOccurrences(of: "MXN", with: "EUR")
        #expect(try fixture.put("/api/v1/settings", euros, as: root).status == 200, "nothing priced yet")
        let plan = try fixture.post(
            "/api/v1/plans", #"{"name": "Mensual", "priceMinor": 4500, "currency": "MXN", "durationMonths": 1}"#,
            as: root)
        #expect(plan.status == 400)
        #expect((try object(plan)["error"] as? String ?? "").contains("EUR"))
        let priced = try fixture.post(
            "/api/v1/plans", #"{"name": "Mensual", "priceMinor": 4500, "durationMonths": 1}"#, as: root)
        #expect(priced.status == 201, "\(String(decoding: priced.body, as: UTF8.self))")
        #expect(((try object(priced)["price"] as? [String: Any])?["currency"] as? String) == "EUR")
        #expect(try fixture.put("/api/v1/settings", Self.settings, as: root).status == 409, "a plan is priced")
        let audit = try fixture.api.withDatabase { try $0.audit.recent(limit: 100) }
        #expect(audit.contains { $0.action == "settings.update" && $0.changes.contains("Club Sur") })
    }

    @Test func aSaleOnCreditOwesUntilPaidAndTheFeedCarriesTheDayTheDoorRefuses() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let elsewhere = try fixture.signIn(.reception, username: "norte", branches: [fixture.other])
        #expect(try fixture.put("/api/v1/settings", Self.settings, as: root).status == 200)
        let plan = try fixture.plan("Mensual", as: admin)
        let ana = try fixture.member("ana", as: reception)
        let (token, _) = try fixture.enrolDevice(as: admin)
        // The fixture's clock: 2027-01-15.
        let sale = #"{"user": \#(ana), "plan": \#(plan), "branch": \#(fixture.own)"#
        let paidWithDue = try fixture.post(
            "/api/v1/subscriptions", sale + #", "paymentDue": "2027-01-20"}"#, as: reception)
        #expect(paidWithDue.status == 400)
        #expect((try object(paidWithDue)["error"] as? String ?? "").contains("paymentDue"))
        let bogus = try fixture.post("/api/v1/subscriptions", sale + #", "payment": "bogus"}"#, as: reception)
        #expect(bogus.status == 400)
        #expect((try object(bogus)["error"] as? String ?? "").contains("payment"))
        let bitcoin = try fixture.post("/api/v1/subscriptions", sale + #", "paymentMethod": "bitcoin"}"#, as: reception)
        #expect(bitcoin.status == 400)
        #expect((try object(bitcoin)["error"] as? String ?? "").contains("paymentMethod"))
        let late = try fixture.post(
            "/api/v1/subscriptions", sale + #", "payment": "credit", "paymentDue": "2028-02-01"}"#, as: reception)
        #expect(late.status == 400, "a due day more than a year away")
        let credit = try fixture.post(
            "/api/v1/subscriptions", sale + #", "payment": "credit", "paymentDue": "2027-01-10"}"#, as: reception)
        #expect(credit.status == 201, "\(String(decoding: credit.body, as: UTF8.self))")
        let sold = try object(credit)
        let id = try #require(sold["id"] as? Int64)
        #expect(sold["paymentStatus"] as? String == "credit" && sold["paymentDue"] as? String == "2027-01-10")
        #expect(sold["doorRefusesFrom"] as? String == "2027-01-13", "due, then two days of grace")
        let owed = try objects(try fixture.get("/api/v1/payments/owed", as: reception))
        #expect(owed.map { $0["id"] as? Int64 } == [id])
        #expect(try objects(try fixture.get("/api/v1/payments/owed", as: elsewhere)).isEmpty, "another branch's")
        let feed = try fixture.batch(token, after: 0)
        let carried = feed.items.compactMap { item -> Subscription? in
            guard case let .user(user) = item, user.id == ana else { return nil }
            return user.subscriptions.first { $0.id.rawValue == id }
        }
        #expect(carried.first?.unpaidFrom == LocalDay(year: 2027, month: 1, day: 13)!)
        #expect(carried.first?.isOverdue(on: LocalDay(year: 2027, month: 1, day: 15)!) == true)

        // A failed charge leaves it owing; a payment settles it and the member goes to the doors again.
        let path = "/api/v1/subscriptions/\(id)/payments"
        #expect(try fixture.post(path, #"{"outcome": "failed", "method": "card"}"#, as: reception).status == 200)
        #expect(try fixture.post(path, #"{"outcome": "paid", "method": "cheque"}"#, as: reception).status == 400)
        #expect(try fixture.post(path, #"{"outcome": "paid", "method": "card"}"#, as: elsewhere).status == 404)
        let paid = try fixture.post(
            path, #"{"outcome": "paid", "method": "cash", "amountMinor": 59900, "reference": "REC-7"}"#,
            as: reception)
        #expect(paid.status == 200)
        let settled = try object(paid)
        #expect(settled["paymentStatus"] as? String == "paid" && settled["doorRefusesFrom"] == nil)
        #expect(try fixture.post(path, #"{"outcome": "paid", "method": "cash"}"#, as: reception).status == 409)
        let records = try objects(try fixture.get(path, as: reception))
        #expect(records.map { $0["outcome"] as? String } == ["failed", "paid"])
        #expect(records.last?["reference"] as? String == "REC-7")
        #expect(try objects(try fixture.get("/api/v1/payments/owed", as: reception)).isEmpty)
        let after = try fixture.batch(token, after: feed.cursor)
        let again = after.items.compactMap { item -> Subscription? in
            guard case let .user(user) = item, user.id == ana else { return nil }
            return user.subscriptions.first { $0.id.rawValue == id }
        }
        #expect(again.count == 1 && again.first?.unpaidFrom == nil)
        // Once sold, the currency stays.
        let euros = try fixture.put(
            "/api/v1/settings", Self.settings.replacingOccurrences(of: "MXN", with: "EUR"), as: root)
        #expect(euros.status == 409)
    }

    @Test func aNewPaymentGraceReachesEveryMemberWhoOwes() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: root)
        let ana = try fixture.member("ana", as: reception)
        let (token, _) = try fixture.enrolDevice(as: root)
        let sold = try fixture.post(
            "/api/v1/subscriptions",
            #"{"user": \#(ana), "plan": \#(plan), "branch": \#(fixture.own), "payment": "pending"}"#,
            as: reception)
        #expect(try object(sold)["doorRefusesFrom"] as? String == "2027-01-19", "today and the default three days")
        let cursor = try fixture.batch(token, after: 0).cursor
        #expect(try fixture.put("/api/v1/settings", Self.settings, as: root).status == 200)
        let items = try fixture.batch(token, after: cursor).items
        let unpaid = items.compactMap { item -> LocalDay? in
            guard case let .user(user) = item, user.id == ana else { return nil }
            return user.subscriptions.first?.unpaidFrom
        }
        #expect(unpaid == [LocalDay(year: 2027, month: 1, day: 18)!])
    }
}

/// The networks each role may sign in from (seed 002's IP restrictions), keyed on the real peer.
@Suite struct SignInNetworkTests {
    @Test func aRoleWithNetworksSignsInOnlyFromThemAndTheRefusalIsAudited() throws {
        let fixture = try APIFixture(trustedProxies: ["192.0.2.1"])
        let root = try fixture.signIn(.superAdministrator, username: "root")
        _ = try fixture.signIn(.reception, username: "recepcion")
        let settings = PaymentRouteTests.settings.replacingOccurrences(
            of: "}", with: #", "signInNetworks": {"superadministrador": ["198.51.100.0/24", "2001:db8::/32"]}}"#)
        let lockout = try fixture.put("/api/v1/settings", settings, as: root)
        #expect(lockout.status == 400)
        #expect((try object(lockout)["error"] as? String ?? "").contains("your own address"))
        let saved = try fixture.send(
            "PUT", "/api/v1/settings", body: settings, cookie: root.cookie, csrf: root.csrf, peer: "198.51.100.9")
        #expect(saved.status == 200)
        func signIn(_ login: String, peer: String, forwarded: String? = nil) throws -> HTTPResponse {
            try fixture.send(
                "POST", "/api/v1/session", body: #"{"login": "\#(login)", "password": "Secreto123"}"#, peer: peer,
                headers: forwarded.map { [("X-Forwarded-For", $0)] } ?? [])
        }
        let outside = try signIn("root", peer: "203.0.113.5")
        #expect(outside.status == 403)
        #expect((try object(outside)["error"] as? String ?? "").contains("SuperAdministrador"))
        #expect(outside.header("Set-Cookie") == nil, "no session is left behind")
        #expect(try signIn("root", peer: "203.0.113.5", forwarded: "198.51.100.7").status == 403, "not a proxy")
        #expect(try signIn("root", peer: "192.0.2.1", forwarded: "198.51.100.7").status == 201, "behind the proxy")
        #expect(try signIn("root", peer: "198.51.100.20").status == 201)
        #expect(try signIn("recepcion", peer: "203.0.113.5").status == 201, "a role without networks")
        let audit = try fixture.api.withDatabase { try $0.audit.recent(limit: 50) }
        #expect(audit.contains { $0.action == "login.network_refused" && $0.changes.contains("203.0.113.5") })
        // A network that is not one is named; what is not sent stays.
        let bad = PaymentRouteTests.settings.replacingOccurrences(
            of: "}", with: #", "signInNetworks": {"recepcion": ["10.0.0.0/33"]}}"#)
        let refused = try fixture.put("/api/v1/settings", bad, as: root)
        #expect(refused.status == 400)
        #expect((try object(refused)["error"] as? String ?? "").contains("recepcion[0]"))
        let unchanged = try fixture.send(
            "PUT", "/api/v1/settings", body: PaymentRouteTests.settings, cookie: root.cookie, csrf: root.csrf,
            peer: "198.51.100.9")
        #expect(unchanged.status == 200)
        let member = try fixture.signIn(.client, username: "socio")
        let seen = try object(try fixture.get("/api/v1/settings", as: member))["signInNetworks"] as? [String: [String]]
        #expect(seen?.isEmpty == true, "who signs in from where is not a member's business")
        let kept = try object(try fixture.get("/api/v1/settings", as: root))["signInNetworks"] as? [String: [String]]
        #expect(kept?["superadministrador"] == ["198.51.100.0/24", "2001:db8::/32"])
    }
}
