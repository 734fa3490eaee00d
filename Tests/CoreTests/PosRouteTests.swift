@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import Synchronization
import Testing

extension APIFixture {
    /// The answer's error text.
    func errorText(_ response: HTTPResponse) -> String { (try? object(response))?["error"] as? String ?? "" }

    /// A stocked product made through the API, with `stock` units bought at the own branch.
    func posProduct(_ sku: String, price: Int64, stock: Int64, as admin: Caller, extra: String = "") throws -> Int64 {
        let created = try post(
            "/api/v1/pos/products",
            #"{"name": "Producto \#(sku)", "sku": "\#(sku)", "priceMinor": \#(price), "#
                + #""taxRateBasisPoints": 1600\#(extra)}"#,
            as: admin)
        #expect(created.status == 201, "\(errorText(created))")
        let id = try #require(try object(created)["id"] as? Int64)
        if stock > 0 {
            let bought = try post(
                "/api/v1/pos/purchases",
                #"{"branch": \#(own), "supplier": "Bebidas SA", "#
                    + #""lines": [{"product": \#(id), "quantity": \#(stock), "unitCostMinor": 900}]}"#,
                as: admin)
            #expect(bought.status == 201, "\(errorText(bought))")
        }
        return id
    }

    func register(_ name: String, as manager: Caller, at branch: BranchID? = nil) throws -> Int64 {
        let response = try post(
            "/api/v1/cash/registers", #"{"branch": \#(branch ?? own), "name": "\#(name)"}"#, as: manager)
        #expect(response.status == 201, "\(errorText(response))")
        return try #require(try object(response)["id"] as? Int64)
    }

    func openShift(_ register: Int64, float: Int64 = 50_000, as seller: Caller) throws -> Int64 {
        let response = try post(
            "/api/v1/cash/shifts", #"{"register": \#(register), "floatMinor": \#(float)}"#, as: seller)
        #expect(response.status == 201, "\(errorText(response))")
        return try #require(try object(response)["id"] as? Int64)
    }

    func sell(shift: Int64, product: Int64, quantity: Int64 = 1, payments: String, as seller: Caller) throws
        -> HTTPResponse
    {
        try post(
            "/api/v1/pos/sales",
            #"{"shift": \#(shift), "lines": [{"product": \#(product), "quantity": \#(quantity)}], "#
                + #""payments": \#(payments)}"#,
            as: seller)
    }

    func stock(_ product: Int64, as user: Caller) throws -> Int64? {
        let found = try object(try get("/api/v1/pos/products/\(product)?branch=\(own)", as: user))
        return (found["stock"] as? [[String: Any]])?.first?["quantity"] as? Int64
    }

    func money(_ value: Any?) -> Int64? { (value as? [String: Any])?["minorUnits"] as? Int64 }
}

/// The point of sale and the cash cut through the API: who may do what, what is refused, and
/// that stock, the shift's ledger and the cut agree after every ticket.
@Suite struct PosRouteTests {
    @Test func aTicketMovesStockAndCashAndTheCutCountsIt() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let water = try fixture.posProduct("AGUA-1", price: 2_320, stock: 5, as: admin)
        #expect(try fixture.stock(water, as: reception) == 5)
        let register = try fixture.register("Caja 1", as: manager)
        let shift = try fixture.openShift(register, as: reception)

        // Two waters at 23.20 (16 % tax included), paid 30.00 in cash and 20.00 by card: 3.60 change.
        let sold = try fixture.sell(
            shift: shift, product: water, quantity: 2,
            payments: #"[{"method": "card", "amountMinor": 2000}, {"method": "cash", "amountMinor": 3000}]"#,
            as: reception)
        #expect(sold.status == 201, "\(fixture.errorText(sold))")
        let ticket = try object(sold)
        #expect(fixture.money(ticket["total"]) == 4_640)
        #expect(fixture.money(ticket["change"]) == 360)
        #expect(fixture.money(ticket["tax"]) == 640, "4640 × 1600 / 11600")
        #expect(try fixture.stock(water, as: reception) == 3)

        // A withdrawal with its reason, then the cut: cash 500.00 + 26.40 − 100.00 = 426.40, card 20.00.
        let withdrawal = try fixture.post(
            "/api/v1/cash/shifts/\(shift)/movements",
            #"{"kind": "withdrawal", "amountMinor": 10000, "reason": "Depósito al banco"}"#, as: reception)
        #expect(withdrawal.status == 201, "\(fixture.errorText(withdrawal))")
        #expect(
            try fixture.post(
                "/api/v1/cash/shifts/\(shift)/close", #"{"countedCash": 1, "countedCard": 0, "countedTransfer": 0}"#,
                as: reception
            ).status == 403, "Recepción does not close cuts")
        let closed = try fixture.post(
            "/api/v1/cash/shifts/\(shift)/close",
            #"{"countedCash": 42600, "countedCard": 2000, "countedTransfer": 0}"#, as: manager)
        #expect(closed.status == 200, "\(fixture.errorText(closed))")
        let cut = try object(closed)
        let methods = try #require(cut["methods"] as? [[String: Any]])
        let cash = try #require(methods.first { $0["method"] as? String == "cash" })
        #expect(fixture.money(cash["expected"]) == 42_640)
        #expect(fixture.money(cash["counted"]) == 42_600)
        #expect(fixture.money(cash["difference"]) == -40)
        #expect(fixture.money(methods.first { $0["method"] as? String == "card" }?["expected"]) == 2_000)
        #expect(cut["salesCount"] as? Int64 == 1)

        // A closed cut never changes: no sale, no withdrawal, no second close; a correction shows apart.
        let late = try fixture.sell(
            shift: shift, product: water, payments: #"[{"method": "cash", "amountMinor": 2320}]"#, as: reception)
        #expect(late.status == 409)
        #expect(fixture.errorText(late).contains("closed"))
        #expect(
            try fixture.post(
                "/api/v1/cash/shifts/\(shift)/movements",
                #"{"kind": "deposit", "amountMinor": 100, "reason": "Cambio"}"#,
                as: reception
            ).status == 409)
        #expect(
            try fixture.post(
                "/api/v1/cash/shifts/\(shift)/close", #"{"countedCash": 0, "countedCard": 0, "countedTransfer": 0}"#,
                as: manager
            ).status == 409)
        #expect(
            try fixture.post(
                "/api/v1/cash/shifts/\(shift)/movements",
                #"{"kind": "correction", "amountMinor": -40, "reason": "Faltante cubierto"}"#, as: reception
            ).status == 403, "corrections take cash_cut")
        let correction = try fixture.post(
            "/api/v1/cash/shifts/\(shift)/movements",
            #"{"kind": "correction", "amountMinor": 40, "reason": "Faltante encontrado"}"#, as: manager)
        #expect(correction.status == 201, "\(fixture.errorText(correction))")
        let report = try object(try fixture.get("/api/v1/cash/shifts/\(shift)", as: manager))
        #expect((report["corrections"] as? [Any])?.count == 1)
        #expect(fixture.money(report["correctionsTotal"]) == 40)
        let reportCash = (report["methods"] as? [[String: Any]])?.first { $0["method"] as? String == "cash" }
        #expect(fixture.money(reportCash?["counted"]) == 42_600, "the counted cut stays as it was")
        let audit = try fixture.api.withDatabase {
            try $0.db.scalar(
                "SELECT count(*) FROM audit WHERE action LIKE 'cash.%' OR action LIKE 'pos.%'", as: Int.self)
        }
        #expect(audit >= 7, "every write leaves its audit row")
    }

    @Test func oneOpenShiftPerRegisterAndSellersUseOnlyTheirOwn() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let first = try fixture.signIn(.reception, username: "recepcion1")
        let second = try fixture.signIn(.reception, username: "recepcion2")
        let outsider = try fixture.signIn(.administrator, username: "norte", branches: [fixture.other])
        let product = try fixture.posProduct("GEL-1", price: 5_000, stock: 3, as: admin)
        let register = try fixture.register("Caja Recepción", as: admin)
        let shift = try fixture.openShift(register, as: first)
        let again = try fixture.post("/api/v1/cash/shifts", #"{"register": \#(register), "floatMinor": 0}"#, as: second)
        #expect(again.status == 409)
        #expect(fixture.errorText(again).contains("Caja Recepción"))
        let foreign = try fixture.sell(
            shift: shift, product: product, payments: #"[{"method": "cash", "amountMinor": 5000}]"#, as: second)
        #expect(foreign.status == 403)
        #expect(fixture.errorText(foreign).contains("your own"))
        #expect(
            try fixture.sell(
                shift: shift, product: product, payments: #"[{"method": "cash", "amountMinor": 5000}]"#, as: outsider
            ).status == 404, "a shift of a branch one does not hold is not there")
        #expect(try fixture.get("/api/v1/cash/shifts/\(shift)", as: outsider).status == 404)
        #expect(try fixture.stock(product, as: admin) == 3, "refused tickets moved nothing")
        // Two opens at once on a fresh register: the partial unique index lets one win.
        // Requests through the router from two threads at once, as two event loops serve them:
        // the fixture only reads what it holds, and the router and the pool are made for that.
        nonisolated(unsafe) let desks = fixture
        let fresh = try fixture.register("Caja 2", as: admin)
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let status =
                (try? desks.post(
                    "/api/v1/cash/shifts", #"{"register": \#(fresh), "floatMinor": 0}"#, as: index == 0 ? first : second
                ).status) ?? 0
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0.sorted() } == [201, 409])
    }

    @Test func badTicketsAreRefusedNamingTheField() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let product = try fixture.posProduct("TOALLA", price: 10_000, stock: 2, as: admin)
        let shift = try fixture.openShift(try fixture.register("Caja", as: admin), as: reception)
        func ticket(quantity: Int, method: String, amount: Int) -> String {
            #"{"shift": \#(shift), "lines": [{"product": \#(product), "quantity": \#(quantity)}], "#
                + #""payments": [{"method": "\#(method)", "amountMinor": \#(amount)}]}"#
        }
        func refused(_ body: String) throws -> (Int, String) {
            let response = try fixture.post("/api/v1/pos/sales", body, as: reception)
            return (response.status, fixture.errorText(response))
        }
        let zero = try refused(
            ticket(quantity: 0, method: "cash", amount: 1)
        )
        #expect(zero.0 == 400 && zero.1.contains("lines[0].quantity"), "\(zero)")
        let negative = try refused(
            ticket(quantity: -2, method: "cash", amount: 1)
        )
        #expect(negative.0 == 400 && negative.1.contains("lines[0].quantity"), "\(negative)")
        let short = try refused(
            ticket(quantity: 1, method: "cash", amount: 9999)
        )
        #expect(short.0 == 400 && short.1.contains("payments"), "\(short)")
        let overCard = try refused(
            ticket(quantity: 1, method: "card", amount: 10001)
        )
        #expect(overCard.0 == 400 && overCard.1.contains("card"), "\(overCard)")
        let tooMany = try refused(
            ticket(quantity: 3, method: "cash", amount: 30000)
        )
        #expect(tooMany.0 == 409 && tooMany.1.contains("Producto TOALLA"), "\(tooMany)")
        let badPrice = try fixture.post(
            "/api/v1/pos/products", #"{"name": "Gratis", "sku": "G-0", "priceMinor": 0}"#, as: admin)
        #expect(badPrice.status == 400 && (fixture.errorText(badPrice)).contains("priceMinor"))
        let negativePrice = try fixture.post(
            "/api/v1/pos/products", #"{"name": "Negativo", "sku": "G-1", "priceMinor": -5}"#, as: admin)
        #expect(negativePrice.status == 400)
        #expect(
            try fixture.post("/api/v1/pos/products", #"{"name": "Otra", "sku": "TOALLA", "priceMinor": 5}"#, as: admin)
                .status == 409, "SKUs are unique")
        let badFloat = try fixture.post(
            "/api/v1/cash/shifts", #"{"register": 1, "floatMinor": -1}"#, as: reception)
        #expect(badFloat.status == 400 && (fixture.errorText(badFloat)).contains("floatMinor"))
        #expect(try fixture.stock(product, as: admin) == 2, "nothing was half-written")
        let sales = try objects(try fixture.get("/api/v1/pos/sales?branch=\(fixture.own)", as: reception))
        #expect(sales.isEmpty)
    }

    @Test func refundsNeverExceedWhatWasSoldAndOnlyManagersVoidOrRefund() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let product = try fixture.posProduct("BARRA", price: 3_000, stock: 10, as: admin)
        let shift = try fixture.openShift(try fixture.register("Caja", as: admin), as: reception)
        let sold = try fixture.sell(
            shift: shift, product: product, quantity: 3, payments: #"[{"method": "cash", "amountMinor": 9000}]"#,
            as: reception)
        let sale = try #require(try object(sold)["id"] as? Int64)
        let refunds = "/api/v1/pos/sales/\(sale)/refunds"
        #expect(
            try fixture.post(refunds, #"{"shift": \#(shift), "reason": "No le gustó"}"#, as: reception).status == 403)
        #expect(
            try fixture.post("/api/v1/pos/sales/\(sale)/void", #"{"reason": "Error"}"#, as: reception).status == 403)
        let partial = try fixture.post(
            refunds, #"{"shift": \#(shift), "reason": "Caducada", "lines": [{"line": 1, "quantity": 2}]}"#, as: manager)
        #expect(partial.status == 201, "\(fixture.errorText(partial))")
        #expect(fixture.money((try object(partial)["refunds"] as? [[String: Any]])?.first?["amount"]) == 6_000)
        #expect(try fixture.stock(product, as: admin) == 9)
        let tooMuch = try fixture.post(
            refunds, #"{"shift": \#(shift), "reason": "Otra vez", "lines": [{"line": 1, "quantity": 2}]}"#, as: manager)
        #expect(tooMuch.status == 409)
        #expect(fixture.errorText(tooMuch).contains("1 of 3 left"))
        let rest = try fixture.post(refunds, #"{"shift": \#(shift), "reason": "El resto"}"#, as: manager)
        #expect(rest.status == 201)
        let lines = try #require(try object(rest)["lines"] as? [[String: Any]])
        #expect(fixture.money(lines.first?["refunded"]) == 9_000, "never above the line's net")
        #expect(try fixture.post(refunds, #"{"shift": \#(shift), "reason": "Nada"}"#, as: manager).status == 409)
        #expect(
            try fixture.post("/api/v1/pos/sales/\(sale)/void", #"{"reason": "Tarde"}"#, as: manager).status == 409,
            "a refunded ticket is not voided")
        // A void puts stock and money back, and the daily sum forgets the ticket.
        let other = try fixture.sell(
            shift: shift, product: product, quantity: 2, payments: #"[{"method": "transfer", "amountMinor": 6000}]"#,
            as: reception)
        let otherID = try #require(try object(other)["id"] as? Int64)
        #expect(try fixture.stock(product, as: admin) == 8)
        let voided = try fixture.post("/api/v1/pos/sales/\(otherID)/void", #"{"reason": "Cobro doble"}"#, as: manager)
        #expect(voided.status == 200)
        #expect(try object(voided)["status"] as? String == "void")
        #expect(try fixture.stock(product, as: admin) == 10)
        let cut = try object(try fixture.get("/api/v1/cash/shifts/\(shift)", as: manager))
        let transfer = (cut["methods"] as? [[String: Any]])?.first { $0["method"] as? String == "transfer" }
        #expect(fixture.money(transfer?["expected"]) == 0)
        let daily = try objects(try fixture.get("/api/v1/pos/daily?branch=\(fixture.own)", as: manager))
        #expect(daily.first?["count"] as? Int64 == 1)
        #expect(fixture.money(daily.first?["amount"]) == 9_000)
        #expect(fixture.money(daily.first?["refunded"]) == 9_000)
    }

    @Test func aSubscriptionPaymentTakenAtTheDeskIsCountedInTheTakersCut() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: root)
        let ana = try fixture.member("ana", as: reception)
        let sold = try fixture.post(
            "/api/v1/subscriptions",
            #"{"user": \#(ana), "plan": \#(plan), "branch": \#(fixture.own), "payment": "pending"}"#, as: reception)
        let subscription = try #require(try object(sold)["id"] as? Int64)
        let shift = try fixture.openShift(try fixture.register("Caja", as: root), float: 10_000, as: reception)
        let paid = try fixture.post(
            "/api/v1/subscriptions/\(subscription)/payments", #"{"outcome": "paid", "method": "cash"}"#,
            as: reception)
        #expect(paid.status == 200, "\(fixture.errorText(paid))")
        let cut = try object(try fixture.get("/api/v1/cash/shifts/\(shift)", as: reception))
        let movements = try #require(cut["movements"] as? [[String: Any]])
        #expect(movements.map { $0["kind"] as? String } == ["subscription"])
        #expect(movements.first?["reference"] as? String == "subscription:\(subscription)")
        let cash = (cut["methods"] as? [[String: Any]])?.first { $0["method"] as? String == "cash" }
        #expect(fixture.money(cash?["expected"]) == 69_900, "the float and the payment")
    }

    @Test func aSubscriptionSoldAndPaidAtOnceIsCountedInTheSellersCutByItsMethod() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: root)
        let ana = try fixture.member("ana", as: reception)
        let beto = try fixture.member("beto", as: reception)
        let shift = try fixture.openShift(try fixture.register("Caja", as: root), float: 0, as: reception)
        let sale = #"{"plan": \#(plan), "branch": \#(fixture.own)"#
        let card = try fixture.post(
            "/api/v1/subscriptions", sale + #", "user": \#(ana), "paymentMethod": "card"}"#, as: reception)
        #expect(card.status == 201, "\(fixture.errorText(card))")
        let cash = try fixture.post("/api/v1/subscriptions", sale + #", "user": \#(beto)}"#, as: reception)
        #expect(cash.status == 201)
        let credit = try fixture.post(
            "/api/v1/subscriptions", sale + #", "user": \#(beto), "payment": "credit", "paymentMethod": "cash"}"#,
            as: reception)
        #expect(credit.status == 400 && fixture.errorText(credit).contains("paymentMethod"))
        let cut = try object(try fixture.get("/api/v1/cash/shifts/\(shift)", as: reception))
        let movements = try #require(cut["movements"] as? [[String: Any]])
        #expect(movements.map { $0["method"] as? String } == ["card", "cash"])
        #expect(movements.allSatisfy { $0["kind"] as? String == "subscription" })
        let expected = (cut["methods"] as? [[String: Any]]) ?? []
        #expect(fixture.money(expected.first { $0["method"] as? String == "card" }?["expected"]) == 59_900)
        #expect(fixture.money(expected.first { $0["method"] as? String == "cash" }?["expected"]) == 59_900)
    }

    @Test func aCategoryTakenOffSaleTakesItsProductsOffTheTill() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let category = try #require(
            try object(try fixture.post("/api/v1/pos/categories", #"{"name": "Bebidas"}"#, as: root))["id"] as? Int64)
        let product = try fixture.posProduct(
            "AGUA", price: 2_500, stock: 5, as: root, extra: #", "category": \#(category)"#)
        let shift = try fixture.openShift(try fixture.register("Caja", as: root), float: 0, as: reception)
        #expect(
            try fixture.patch("/api/v1/pos/categories/\(category)", #"{"active": false}"#, as: root).status == 200)
        let refused = try fixture.sell(
            shift: shift, product: product, payments: #"[{"method": "cash", "amountMinor": 2500}]"#, as: reception)
        #expect(refused.status == 404 && fixture.errorText(refused).contains("on sale"))
        let listed = try objects(try fixture.get("/api/v1/pos/products?active=true", as: reception))
        #expect(!listed.contains { $0["id"] as? Int64 == product })
    }

    @Test func twoDesksSellingTheLastUnitAtOnceOneWins() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let first = try fixture.signIn(.reception, username: "recepcion1")
        let second = try fixture.signIn(.reception, username: "recepcion2")
        let scarce = try fixture.posProduct("ULTIMA", price: 1_500, stock: 0, as: admin)
        let loose = try fixture.posProduct(
            "LIBRE", price: 1_500, stock: 0, as: admin, extra: #", "allowsNegativeStock": true"#)
        let shifts = [
            try fixture.openShift(try fixture.register("Caja A", as: admin), as: first),
            try fixture.openShift(try fixture.register("Caja B", as: admin), as: second),
        ]
        // Requests through the router from two threads at once, as two event loops serve them:
        // the fixture only reads what it holds, and the router and the pool are made for that.
        nonisolated(unsafe) let desks = fixture
        for round in 1...4 {
            let added = try fixture.post(
                "/api/v1/pos/products/\(scarce)/adjustments",
                #"{"branch": \#(fixture.own), "quantity": 1, "reason": "Conteo \#(round)"}"#, as: admin)
            #expect(added.status == 201)
            let answers = Mutex<[(Int, String)]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                let response = try? desks.sell(
                    shift: shifts[index], product: scarce, payments: #"[{"method": "cash", "amountMinor": 1500}]"#,
                    as: index == 0 ? first : second)
                let text = response.map { desks.errorText($0) }
                answers.withLock { $0.append((response?.status ?? 0, text ?? "")) }
            }
            let sorted = answers.withLock { $0.sorted { $0.0 < $1.0 } }
            #expect(sorted.map(\.0) == [201, 409], "round \(round): \(sorted)")
            #expect(sorted.last?.1.contains("Producto ULTIMA") == true)
            #expect(try fixture.stock(scarce, as: admin) == 0)
        }
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            _ = try? desks.sell(
                shift: shifts[index], product: loose, payments: #"[{"method": "cash", "amountMinor": 1500}]"#,
                as: index == 0 ? first : second)
        }
        #expect(try fixture.stock(loose, as: admin) == -2, "a product that allows negative stock sells on")
    }
}
