@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// The reports over the API: what each counts, who sees which branches, the call lists' pages,
/// and the same rows as CSV and XLSX.
@Suite struct ReportRouteTests {
    /// A granted entry of `user` on `subscription` at `branch` at `at`.
    static func entry(
        _ fixture: APIFixture, user: Int64, subscription: Int64, branch: BranchID, at: Timestamp, seed: UInt64
    ) -> AttendanceEvent {
        var generator = SplitMix64(seed: seed)
        return AttendanceEvent(
            id: EventID(time: at, using: &generator), at: at, branchID: branch, doorID: DoorID(1),
            direction: .entry, credentialKind: .card, cardNumber: nil, userID: UserID(user),
            subscriptionID: SubscriptionID(subscription), granted: true, reason: .granted)
    }

    static func sell(_ fixture: APIFixture, _ body: String, as caller: Caller) throws -> Int64 {
        let sold = try fixture.post("/api/v1/subscriptions", body, as: caller)
        #expect(sold.status == 201, "\(String(decoding: sold.body, as: UTF8.self))")
        return try #require(try object(sold)["id"] as? Int64)
    }

    @Test func salesAttendanceAndVisitsElsewhereAreCountedForTheBranchesTheCallerMaySee() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let north = try fixture.signIn(.reception, username: "norte", branches: [fixture.other])
        let plan = try fixture.plan("Mensual", as: root)
        let ana = try fixture.member("ana", as: reception)
        let beto = try fixture.member("beto", as: north, branch: fixture.other)
        let anaSale = try Self.sell(
            fixture, #"{"user": \#(ana), "plan": \#(plan), "branch": \#(fixture.own), "paymentMethod": "card"}"#,
            as: reception)
        let betoSale = try Self.sell(
            fixture,
            #"{"user": \#(beto), "plan": \#(plan), "branch": \#(fixture.other), "payment": "credit", "#
                + #""paymentDue": "2027-01-20"}"#,
            as: north)

        func rows(_ path: String, as caller: Caller) throws -> [[String: Any]] {
            let response = try fixture.get(path, as: caller)
            #expect(response.status == 200, "\(path): \(String(decoding: response.body, as: UTF8.self))")
            return try object(response)["rows"] as? [[String: Any]] ?? []
        }
        func grouped(_ path: String, as caller: Caller) throws -> [String: Int64] {
            Dictionary(
                try rows(path, as: caller).map { ($0["key"] as? String ?? "", $0["minorUnits"] as? Int64 ?? 0) },
                uniquingKeysWith: +)
        }
        #expect(try grouped("/api/v1/reports/sales?by=method", as: root) == ["card": 59900, "owed": 59900])
        // Paying later moves the sale from owed to the method it was paid with.
        let paid = try fixture.post(
            "/api/v1/subscriptions/\(betoSale)/payments", #"{"outcome": "paid", "method": "transfer"}"#, as: north)
        #expect(paid.status == 200)
        #expect(try grouped("/api/v1/reports/sales?by=method", as: root) == ["card": 59900, "transfer": 59900])
        // A charge-back puts it back under owed; paying again under the new method.
        let back = try fixture.post(
            "/api/v1/subscriptions/\(betoSale)/payments", #"{"outcome": "failed", "method": "card"}"#, as: north)
        #expect(back.status == 200)
        #expect(try grouped("/api/v1/reports/sales?by=method", as: root) == ["card": 59900, "owed": 59900])
        let again = try fixture.post(
            "/api/v1/subscriptions/\(betoSale)/payments", #"{"outcome": "paid", "method": "transfer"}"#, as: north)
        #expect(again.status == 200)
        #expect(try grouped("/api/v1/reports/sales?by=method", as: root) == ["card": 59900, "transfer": 59900])
        let branches = try rows("/api/v1/reports/sales?by=branch", as: admin)
        #expect(Set(branches.map { $0["label"] as? String }) == ["Centro", "Norte"])
        #expect(try grouped("/api/v1/reports/sales?by=branch", as: manager) == [String(fixture.own.rawValue): 59900])
        let cashiers = try rows("/api/v1/reports/sales?by=cashier", as: root)
        #expect(Set(cashiers.map { $0["label"] as? String }) == ["recepcion X", "norte X"])
        #expect(try grouped("/api/v1/reports/sales?by=month", as: root) == ["2027-01": 119800])
        #expect(try grouped("/api/v1/reports/sales?by=week", as: root) == ["2027-01-11": 119800], "Monday")
        #expect(try rows("/api/v1/reports/sales?by=plan", as: root).first?["label"] as? String == "Mensual")
        #expect(try fixture.get("/api/v1/reports/sales", as: reception).status == 403, "no reports privilege")
        #expect(try fixture.get("/api/v1/reports/sales?by=colour", as: root).status == 400)
        #expect(try fixture.get("/api/v1/reports/sales?from=2027-02-01&to=2027-01-01", as: root).status == 400)
        #expect(try fixture.get("/api/v1/reports/sales?branch=\(fixture.other)", as: manager).status == 403)

        // Entries at the own branch: Ana's, and Beto's on the subscription Norte sold him.
        let (token, _) = try fixture.enrolDevice(as: admin)
        let now = Timestamp(seconds: 1_800_000_000)  // 2027-01-15 08:00 UTC: 02:00 on a Friday in Mexico City
        let events = [
            Self.entry(fixture, user: ana, subscription: anaSale, branch: fixture.own, at: now, seed: 1),
            Self.entry(fixture, user: beto, subscription: betoSale, branch: fixture.own, at: now, seed: 2),
        ]
        #expect(try fixture.upload(events, token: token).status == 200)
        let heat = try object(try fixture.get("/api/v1/reports/attendance", as: root))["cells"] as? [[String: Any]]
        #expect(heat?.count == 168)
        let busy = heat?.filter { ($0["count"] as? Int64 ?? 0) > 0 }
        #expect(busy?.count == 1 && busy?.first?["weekday"] as? Int64 == 5 && busy?.first?["hour"] as? Int64 == 2)
        #expect(busy?.first?["count"] as? Int64 == 2)
        let visits = try rows("/api/v1/reports/interbranch", as: admin)
        #expect(visits.count == 1)
        #expect(visits.first?["visitedBranchName"] as? String == "Centro")
        #expect(visits.first?["homeBranchName"] as? String == "Norte" && visits.first?["visits"] as? Int64 == 1)
        #expect(try rows("/api/v1/reports/interbranch", as: manager).count == 1, "the visited branch sees it")

        // The same rows as files.
        let csv = try fixture.get("/api/v1/reports/sales?by=method&format=csv", as: root)
        #expect(csv.status == 200)
        let text = String(decoding: csv.body.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("method,name,sold,currency,amount\r\n"))
        #expect(text.contains("card,card,1,MXN,599.00\r\n"))
        let xlsx = try fixture.get("/api/v1/reports/interbranch?format=xlsx", as: root)
        #expect(xlsx.status == 200 && xlsx.body.starts(with: [0x50, 0x4B]))
        #expect(try fixture.get("/api/v1/reports/pos?format=pdf", as: root).status == 400)
        let occupancy = try fixture.get("/api/v1/reports/occupancy?format=csv", as: manager)
        let lines = String(decoding: occupancy.body.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
        #expect(occupancy.status == 200 && lines.first == "branch,inside,warn at,limit,state,counted from")
        #expect(lines.count == 2 && lines.last?.hasPrefix("Centro,") == true, "the manager's branch only")
    }

    @Test func theCallListsNameWhoToCallAndPageOnFromTheLastRow() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let monthly = try fixture.plan("Mensual", as: root)
        let created = try fixture.post(
            "/api/v1/plans", #"{"name": "Trimestral", "priceMinor": 159900, "currency": "MXN", "durationMonths": 3}"#,
            as: root)
        let quarterly = try #require(try object(created)["id"] as? Int64)
        var people: [String: Int64] = [:]
        var sales: [String: Int64] = [:]
        for (name, plan) in [("ana", monthly), ("beto", monthly), ("carla", quarterly), ("dani", quarterly)] {
            people[name] = try fixture.member(name, as: admin, extra: #", "phone": "55 1234 000\#(people.count)""#)
            sales[name] = try Self.sell(
                fixture, #"{"user": \#(people[name]!), "plan": \#(plan), "branch": \#(fixture.own)}"#, as: admin)
        }
        // Beto renews: only Ana is left to call about the month that ends.
        #expect(try fixture.post("/api/v1/subscriptions/\(sales["beto"]!)/renew", "{}", as: admin).status == 201)
        let expiring = try object(try fixture.get("/api/v1/reports/expiring?days=40", as: admin))
        let due = expiring["rows"] as? [[String: Any]] ?? []
        #expect(due.map { $0["name"] as? String } == ["Nombre ana Pérez"])
        #expect(due.first?["phone"] as? String == "55 1234 0000" && due.first?["daysLeft"] as? Int64 == 30)
        let soon = try object(try fixture.get("/api/v1/reports/expiring?days=7", as: admin))["rows"] as? [Any]
        #expect(soon?.isEmpty == true)

        // Dani comes on the first day; 40 days on, nobody else has. Carla never came at all.
        let (token, _) = try fixture.enrolDevice(as: admin)
        let first = Timestamp(seconds: 1_800_000_000)
        let entry = Self.entry(
            fixture, user: people["dani"]!, subscription: sales["dani"]!, branch: fixture.own, at: first, seed: 3)
        #expect(try fixture.upload([entry], token: token).status == 200)
        fixture.advance(seconds: 40 * 86_400)
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        func names(_ query: String) throws -> (names: [String?], next: String?, rows: [[String: Any]]) {
            let page = try object(try fixture.get("/api/v1/reports/absent?" + query, as: manager))
            let rows = page["rows"] as? [[String: Any]] ?? []
            return (rows.map { $0["name"] as? String }, page["next"] as? String, rows)
        }
        // Beto never came either: his renewal runs, his first month started before the cutoff.
        let first2 = try names("days=30&limit=2")
        #expect(first2.names == ["Nombre beto Pérez", "Nombre carla Pérez"], "never seen comes first")
        #expect(first2.rows.allSatisfy { $0["lastVisit"] == nil })
        let next = try #require(first2.next)
        let rest = try names("days=30&limit=2&after=\(next)")
        #expect(rest.names == ["Nombre dani Pérez"] && rest.next == nil)
        #expect(
            rest.rows.first?["daysAway"] as? Int64 == 40 && rest.rows.first?["lastBranchName"] as? String == "Centro")
        #expect(try names("days=30").names.count == 3, "Ana's month is over")
        #expect(try names("days=45").names.isEmpty, "Dani came 40 days ago; the others started 40 days ago")
        #expect(try fixture.get("/api/v1/reports/absent?after=bogus", as: manager).status == 400)
        let csv = try fixture.get("/api/v1/reports/absent?days=30&format=csv", as: manager)
        let text = String(decoding: csv.body.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("clave,name,phone,email,last visit,branch,days away\r\n"))
        #expect(text.contains(",never,,") && text.contains("Centro,40"))
    }

    @Test func shopSalesCountWhatWasSoldLessRefundsAndVoidsByProductAndCategory() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let category = try object(try fixture.post("/api/v1/pos/categories", #"{"name": "Snacks"}"#, as: admin))
        let snacks = try #require(category["id"] as? Int64)
        let bar = try fixture.posProduct(
            "BARRA", price: 3_000, stock: 20, as: admin, extra: #", "category": \#(snacks)"#)
        let water = try fixture.posProduct("AGUA", price: 1_500, stock: 20, as: admin)
        let shift = try fixture.openShift(try fixture.register("Caja", as: admin), as: reception)
        func sell(_ product: Int64, _ quantity: Int64, _ amount: Int64) throws -> Int64 {
            let sold = try fixture.sell(
                shift: shift, product: product, quantity: quantity,
                payments: #"[{"method": "cash", "amountMinor": \#(amount)}]"#, as: reception)
            #expect(sold.status == 201, "\(fixture.errorText(sold))")
            return try #require(try object(sold)["id"] as? Int64)
        }
        let first = try sell(bar, 3, 9_000)
        _ = try sell(water, 2, 3_000)
        let voided = try sell(water, 4, 6_000)
        let refund = try fixture.post(
            "/api/v1/pos/sales/\(first)/refunds",
            #"{"shift": \#(shift), "reason": "Caducada", "lines": [{"line": 1, "quantity": 1}]}"#, as: manager)
        #expect(refund.status == 201, "\(fixture.errorText(refund))")
        #expect(
            try fixture.post("/api/v1/pos/sales/\(voided)/void", #"{"reason": "Error de captura"}"#, as: manager)
                .status == 200)
        func rows(_ by: String) throws -> [String: (Int64, Int64)] {
            let answer = try object(try fixture.get("/api/v1/reports/pos?by=\(by)", as: manager))
            let list = answer["rows"] as? [[String: Any]] ?? []
            return Dictionary(
                uniqueKeysWithValues: list.map {
                    ($0["label"] as? String ?? "", ($0["quantity"] as? Int64 ?? 0, $0["minorUnits"] as? Int64 ?? 0))
                })
        }
        let products = try rows("product")
        #expect(products["Producto BARRA"]! == (2, 6_000), "three sold, one refunded")
        #expect(products["Producto AGUA"]! == (2, 3_000), "the voided ticket counts nothing")
        let categories = try rows("category")
        #expect(categories["Snacks"]! == (2, 6_000) && categories[""]! == (2, 3_000))
        #expect(try fixture.get("/api/v1/reports/pos?by=product", as: reception).status == 403)
    }
}
