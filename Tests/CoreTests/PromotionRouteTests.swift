@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import Synchronization
import Testing

extension APIFixture {
    /// Creates a promotion through the API; its id.
    func promotion(_ body: String, as user: Caller) throws -> Int64 {
        let response = try post("/api/v1/promotions", body, as: user)
        #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(try object(response)["id"] as? Int64)
    }

    /// Enrols `member` on `plan` at `branch` (the own branch unless told) with `extra` fields.
    func enrol(_ member: Int64, _ plan: Int64, extra: String = "", branch: BranchID? = nil, as user: Caller) throws
        -> HTTPResponse
    {
        try post(
            "/api/v1/subscriptions", #"{"user": \#(member), "plan": \#(plan), "branch": \#(branch ?? own)\#(extra)}"#,
            as: user)
    }
}

func minor(_ subscription: [String: Any], _ key: String) -> Int64? {
    (subscription[key] as? [String: Any])?["minorUnits"] as? Int64
}

func errorText(_ response: HTTPResponse) -> String {
    ((try? object(response))?["error"] as? String) ?? ""
}

/// Promotions: who manages them, what a sale keeps of one, why one is refused, the automatic
/// choice, and caps that hold under parallel sales.
@Suite struct PromotionRouteTests {
    @Test func aCodeIsManagedByAdministratorsAndDiscountsTheSale() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let norte = try fixture.signIn(.administrator, username: "norte", branches: [fixture.other])
        let plan = try fixture.plan("Mensual", as: admin)
        let id = try fixture.promotion(
            #"{"code": "enero10", "name": "Enero", "kind": "percent", "value": 1000, "branches": [\#(fixture.own)]}"#,
            as: admin)
        let stored = try object(try fixture.get("/api/v1/promotions/\(id)", as: admin))
        #expect(stored["code"] as? String == "ENERO10" && stored["uses"] as? Int64 == 0)
        // Codes are unique without regard to case.
        let clash = try fixture.post(
            "/api/v1/promotions", #"{"code": "Enero10", "name": "Otra", "kind": "amount", "value": 100}"#, as: admin)
        #expect(clash.status == 409 && errorText(clash).contains("code"))
        let badValue = try fixture.post(
            "/api/v1/promotions", #"{"name": "Mucho", "kind": "percent", "value": 20000}"#, as: admin)
        #expect(badValue.status == 400 && errorText(badValue).contains("value"))
        // The matrix: Administrador and above manage; a promotion for every branch needs them all.
        #expect(try fixture.get("/api/v1/promotions", as: manager).status == 403)
        #expect(
            try fixture.post("/api/v1/promotions", #"{"name": "X", "kind": "amount", "value": 1}"#, as: reception)
                .status == 403)
        #expect(
            try fixture.post("/api/v1/promotions", #"{"name": "Todas", "kind": "amount", "value": 1}"#, as: norte)
                .status == 403)
        #expect(try fixture.get("/api/v1/promotions/\(id)", as: norte).status == 404, "another branch's promotion")
        #expect(try objects(try fixture.get("/api/v1/promotions", as: norte)).isEmpty)

        // A sale keeps the list price, the discount and the promotion; the code is case-insensitive.
        let member = try fixture.member("ana", as: reception)
        let sold = try fixture.enrol(member, plan, extra: #", "promotion": "enero10""#, as: reception)
        #expect(sold.status == 201, "\(errorText(sold))")
        let sale = try object(sold)
        #expect(minor(sale, "listPrice") == 59900 && minor(sale, "discount") == 5990)
        #expect(minor(sale, "pricePaid") == 53910)
        #expect(sale["promotion"] as? String == "ENERO10" && sale["promotionID"] as? Int64 == id)
        #expect(try object(try fixture.get("/api/v1/promotions/\(id)", as: admin))["uses"] as? Int64 == 1)
        // A price by hand and a promotion together are refused; a price by hand takes no promotion.
        let both = try fixture.enrol(member, plan, extra: #", "pricePaid": 100, "promotion": "ENERO10""#, as: reception)
        #expect(both.status == 400)
        let byHand = try object(try fixture.enrol(member, plan, extra: #", "pricePaid": 40000"#, as: reception))
        #expect(minor(byHand, "discount") == 0 && byHand["promotionID"] == nil && minor(byHand, "listPrice") == 59900)
        // Renewal takes a code too.
        let subscription = try #require(sale["id"] as? Int64)
        let renewed = try object(
            try fixture.post(
                "/api/v1/subscriptions/\(subscription)/renew", #"{"promotion": "ENERO10"}"#, as: reception))
        #expect(minor(renewed, "pricePaid") == 53910 && renewed["renews"] as? Int64 == subscription)

        // A change: amount off, a cap; the audit trail keeps it.
        let changed = try fixture.patch(
            "/api/v1/promotions/\(id)", #"{"kind": "amount", "value": 10000, "maxUses": 5}"#, as: admin)
        #expect(try changed.status == 200 && object(changed)["maxUses"] as? Int64 == 5)
        let amount = try object(changed)["amount"] as? [String: Any]
        #expect(amount?["minorUnits"] as? Int64 == 10000 && amount?["currency"] as? String == "MXN", "the chain's")
        // From 150.00 off to 25 %: the row's checks hold between the new kind and the new value.
        #expect(try fixture.patch("/api/v1/promotions/\(id)", #"{"value": 15000}"#, as: admin).status == 200)
        let percent = try fixture.patch("/api/v1/promotions/\(id)", #"{"kind": "percent", "value": 2500}"#, as: admin)
        #expect(try percent.status == 200 && object(percent)["value"] as? Int64 == 2500)
        let tooMuch = try fixture.patch("/api/v1/promotions/\(id)", #"{"value": 10001}"#, as: admin)
        #expect(tooMuch.status == 400 && errorText(tooMuch).contains("value"))
        let actions = try fixture.api.withDatabase { database in
            try database.db.query("SELECT action FROM audit WHERE target = ?", "promotion:\(id)") {
                try $0.get(0) as String
            }
        }
        #expect(actions == ["promotion.create"] + Array(repeating: "promotion.update", count: 3))
    }

    @Test func aPromotionThatDoesNotApplyIsRefusedWithTheReason() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: admin)
        let other = try fixture.plan("Anual", as: admin)
        let member = try fixture.member("ana", as: reception)
        let second = try fixture.member("beto", as: reception)
        func refusal(_ body: String, plan chosen: Int64? = nil, member who: Int64? = nil) throws -> (Int, String) {
            _ = try fixture.promotion(body, as: admin)
            let code = try #require(body.split(separator: "\"").dropFirst(3).first.map(String.init))
            let response = try fixture.enrol(
                who ?? member, chosen ?? plan, extra: #", "promotion": "\#(code)""#, as: reception)
            return (response.status, errorText(response))
        }
        let kind = #""kind": "amount", "value": 1000"#
        let expired = try refusal(#"{"code": "VIEJA", "name": "a", \#(kind), "validTo": "2027-01-14"}"#)
        #expect(expired.0 == 400 && expired.1.contains("promotion: VIEJA has expired"))
        let early = try refusal(#"{"code": "FUTURA", "name": "b", \#(kind), "validFrom": "2027-01-16"}"#)
        #expect(early.0 == 400 && early.1.contains("not valid yet"))
        let inactive = try refusal(#"{"code": "APAGADA", "name": "c", \#(kind), "active": false}"#)
        #expect(inactive.0 == 400 && inactive.1.contains("inactive"))
        let planNot = try refusal(#"{"code": "ANUAL", "name": "d", \#(kind), "plans": [\#(other)]}"#)
        #expect(planNot.0 == 400 && planNot.1.contains("does not cover plan"))
        let branchNot = try refusal(#"{"code": "NORTE", "name": "e", \#(kind), "branches": [\#(fixture.other)]}"#)
        #expect(branchNot.0 == 400 && branchNot.1.contains("does not cover branch"))
        let once = try refusal(#"{"code": "UNA", "name": "f", \#(kind), "maxUsesPerMember": 1}"#)
        #expect(once.0 == 201)
        let again = try fixture.enrol(member, plan, extra: #", "promotion": "UNA""#, as: reception)
        #expect(again.status == 409 && errorText(again).contains("used up by this member"))
        #expect(try fixture.enrol(second, plan, extra: #", "promotion": "UNA""#, as: reception).status == 201)
        let total = try refusal(#"{"code": "SOLO", "name": "g", \#(kind), "maxUses": 1}"#)
        #expect(total.0 == 201)
        let gone = try fixture.enrol(second, plan, extra: #", "promotion": "SOLO""#, as: reception)
        #expect(gone.status == 409 && errorText(gone).contains("promotion: SOLO is used up"))
        let unknown = try fixture.enrol(member, plan, extra: #", "promotion": "NADA""#, as: reception)
        #expect(unknown.status == 404 && errorText(unknown).contains("promotion"))
        // Nothing half-written: the refused sales left no subscription and counted no use.
        let sales = try objects(try fixture.get("/api/v1/users/\(member)/subscriptions", as: reception))
        #expect(sales.count == 2)
        let uses = try objects(try fixture.get("/api/v1/promotions", as: admin)).map { $0["uses"] as? Int64 ?? -1 }
        #expect(uses.reduce(0, +) == 3)
    }

    @Test func theBestAutomaticPromotionAppliesByItself() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: admin)
        let member = try fixture.member("ana", as: reception)
        _ = try fixture.promotion(#"{"name": "Cinco por ciento", "kind": "percent", "value": 500}"#, as: admin)
        let best = try fixture.promotion(
            #"{"name": "Cien pesos", "kind": "amount", "value": 10000, "validTo": "2027-01-31"}"#, as: admin)
        _ = try fixture.promotion(
            #"{"name": "Solo Norte", "kind": "percent", "value": 5000, "branches": [\#(fixture.other)]}"#, as: admin)
        let sale = try object(try fixture.enrol(member, plan, as: reception))
        #expect(sale["promotionID"] as? Int64 == best && sale["promotion"] as? String == "Cien pesos")
        #expect(minor(sale, "pricePaid") == 49900 && minor(sale, "discount") == 10000)
        // At the other branch the half-price one is the best.
        let elsewhere = try object(try fixture.enrol(member, plan, branch: fixture.other, as: admin))
        #expect(minor(elsewhere, "pricePaid") == 29950)
        // Once the best is switched off, the next best applies.
        _ = try fixture.patch("/api/v1/promotions/\(best)", #"{"active": false}"#, as: admin)
        let next = try object(try fixture.enrol(member, plan, as: reception))
        #expect(next["promotion"] as? String == "Cinco por ciento" && minor(next, "discount") == 2995)
    }

    @Test func parallelSalesNeverPassTheCap() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: admin)
        let members = try (0..<8).map { try fixture.member("socio\($0)", as: reception) }
        let id = try fixture.promotion(
            #"{"code": "TRES", "name": "Tres", "kind": "amount", "value": 100, "maxUses": 3}"#,
            as: admin)
        let statuses = Mutex<[Int]>([])
        // Requests only read the fixture (its router and API), as the server's loops do.
        nonisolated(unsafe) let shared = fixture
        DispatchQueue.concurrentPerform(iterations: members.count) { index in
            let status =
                (try? shared.enrol(members[index], plan, extra: #", "promotion": "TRES""#, as: reception))?
                .status ?? 0
            statuses.withLock { $0.append(status) }
        }
        let all = statuses.withLock { $0 }
        #expect(all.filter { $0 == 201 }.count == 3, "\(all)")
        #expect(all.filter { $0 == 409 }.count == 5, "\(all)")
        #expect(try object(try fixture.get("/api/v1/promotions/\(id)", as: admin))["uses"] as? Int64 == 3)
        let sold = try fixture.api.withDatabase { database in
            try database.db.scalar("SELECT count(*) FROM subscriptions WHERE promotion_id = ?", id, as: Int64.self)
        }
        #expect(sold == 3)

        // One member buying six times at once with a code of two uses each: two sales.
        _ = try fixture.promotion(
            #"{"code": "PAR", "name": "Par", "kind": "amount", "value": 100, "maxUsesPerMember": 2}"#, as: admin)
        let member = members[0]
        let perMember = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let status = (try? shared.enrol(member, plan, extra: #", "promotion": "PAR""#, as: reception))?.status ?? 0
            perMember.withLock { $0.append(status) }
        }
        let statusesForOne = perMember.withLock { $0 }
        #expect(statusesForOne.filter { $0 == 201 }.count == 2, "\(statusesForOne)")
        #expect(statusesForOne.filter { $0 == 409 }.count == 4, "\(statusesForOne)")
    }
}
