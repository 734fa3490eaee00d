@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import Synchronization
import Testing

/// Subscription invoices: issued with each sale, seller and buyer, tax, numbering per branch
/// without gaps (in parallel too), credit notes, never deleted, and each member's own.
@Suite struct InvoiceRouteTests {
    static func invoices(_ fixture: APIFixture, _ caller: Caller, _ query: String = "") throws -> [[String: Any]] {
        try objects(try fixture.get("/api/v1/invoices\(query)", as: caller))
    }

    @Test func aSaleIsInvoicedWithSellerBuyerAndTaxAndCancelledOnlyByACreditNote() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let norte = try fixture.signIn(.reception, username: "norte", branches: [fixture.other])
        #expect(try fixture.put("/api/v1/settings", PaymentRouteTests.settings, as: root).status == 200)
        let plan = try fixture.plan("Mensual", as: root)
        let agreement = try #require(
            try object(try fixture.post("/api/v1/agreements", #"{"name": "Fábrica Sur SA"}"#, as: root))["id"]
                as? Int64)
        let ana = try fixture.member("ana", as: reception)
        let beto = try fixture.member("beto", as: reception, extra: #", "agreement": \#(agreement)"#)
        let sale = try object(try fixture.enrol(ana, plan, extra: #", "pricePaid": 50000"#, as: reception))
        _ = try fixture.enrol(beto, plan, as: reception)
        _ = try fixture.enrol(beto, plan, branch: fixture.other, as: root)

        let own = try Self.invoices(fixture, reception)
        #expect(own.map { $0["folio"] as? String } == ["\(fixture.own)-000002", "\(fixture.own)-000001"])
        let first = try #require(own.last)
        #expect(first["subscriptionID"] as? Int64 == sale["id"] as? Int64 && first["kind"] as? String == "invoice")
        let seller = first["seller"] as? [String: Any]
        #expect(seller?["legalName"] as? String == "Club Sur SA de CV" && seller?["taxID"] as? String == "CSU010101AB1")
        #expect(seller?["branchName"] as? String == "Centro")
        #expect((first["buyer"] as? [String: Any])?["name"] as? String == "Nombre ana Pérez")
        // Tax-inclusive: 16 % of 500.00 is contained in it (68.97), a price by hand below the list shows as discount.
        #expect(minor(first, "total") == 50000 && minor(first, "tax") == 6897 && minor(first, "net") == 43103)
        #expect(minor(first, "listPrice") == 59900 && minor(first, "discount") == 9900)
        #expect((first["total"] as? [String: Any])?["currency"] as? String == "MXN")
        // The member of an agreement: the company buys.
        let company = try #require(own.first?["buyer"] as? [String: Any])
        #expect(company["name"] as? String == "Fábrica Sur SA" && company["agreementID"] as? Int64 == agreement)
        // Each branch has its own series, and sees only its own.
        let other = try Self.invoices(fixture, norte)
        #expect(other.map { $0["folio"] as? String } == ["\(fixture.other)-000001"])
        let firstID = try #require(first["id"] as? Int64)
        #expect(try fixture.get("/api/v1/invoices/\(firstID)", as: norte).status == 404)

        // Cancelled by a credit note: the next number, amounts negative, audited; the invoice stays.
        let cancel = "/api/v1/invoices/\(firstID)/cancel"
        #expect(try fixture.post(cancel, #"{"reason": "no"}"#, as: reception).status == 400)
        let noted = try fixture.post(cancel, #"{"reason": "cobro duplicado"}"#, as: reception)
        #expect(noted.status == 201)
        let note = try object(noted)
        #expect(note["folio"] as? String == "\(fixture.own)-000003" && note["kind"] as? String == "credit_note")
        #expect(minor(note, "total") == -50000 && minor(note, "tax") == -6897 && note["cancels"] as? Int64 == firstID)
        let after = try object(try fixture.get("/api/v1/invoices/\(firstID)", as: reception))
        #expect(after["cancelledBy"] as? Int64 == note["id"] as? Int64 && minor(after, "total") == 50000)
        #expect(try fixture.post(cancel, #"{"reason": "otra vez"}"#, as: reception).status == 409)
        let noteID = try #require(note["id"] as? Int64)
        #expect(
            try fixture.post("/api/v1/invoices/\(noteID)/cancel", #"{"reason": "nota"}"#, as: reception).status == 400)
        let audited = try fixture.api.withDatabase { database in
            try database.db.scalar("SELECT count(*) FROM audit WHERE action = 'invoice.cancel'", as: Int64.self)
        }
        #expect(audited == 1)
        // Never deleted nor changed, whoever tries.
        try fixture.api.withDatabase { database in
            #expect(throws: (any Error).self) { try database.db.run("DELETE FROM invoices WHERE id = ?", firstID) }
            #expect(throws: (any Error).self) { try database.db.run("UPDATE invoices SET total_minor = 0") }
        }
        #expect(try Self.invoices(fixture, reception).count == 3)
    }

    @Test func aMemberSeesTheirOwnInvoicesOnlyAndStaffExportThem() throws {
        let fixture = try APIFixture()
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let member = try fixture.signIn(.client, username: "socia")
        let plan = try fixture.plan("Mensual", as: admin)
        let other = try fixture.member("otro", as: reception)
        _ = try fixture.enrol(member.id.rawValue, plan, as: reception)
        _ = try fixture.enrol(other, plan, as: reception)
        let mine = try objects(try fixture.get("/api/v1/me/invoices", as: member))
        #expect(mine.count == 1 && (mine.first?["buyer"] as? [String: Any])?["userID"] as? Int64 == member.id.rawValue)
        let all = try Self.invoices(fixture, reception)
        let theirs = try #require(all.first { ($0["buyer"] as? [String: Any])?["userID"] as? Int64 == other }?["id"])
        #expect(try fixture.get("/api/v1/me/invoices/\(theirs)", as: member).status == 404)
        let own = try #require(mine.first?["id"] as? Int64)
        #expect(try fixture.get("/api/v1/me/invoices/\(own)", as: member).status == 200)
        #expect(try fixture.get("/api/v1/invoices", as: member).status == 403)

        let csv = try fixture.get("/api/v1/invoices?format=csv", as: reception)
        let text = String(decoding: csv.body, as: UTF8.self)
        #expect(
            csv.status == 200 && text.hasPrefix("\u{FEFF}folio,kind,date") && text.contains("\(fixture.own)-000002"))
        let xlsx = try fixture.get("/api/v1/invoices?format=xlsx", as: reception)
        #expect(xlsx.status == 200 && Array(xlsx.body.prefix(2)) == Array("PK".utf8))
        let mineCSV = String(
            decoding: try fixture.get("/api/v1/me/invoices?format=csv", as: member).body, as: UTF8.self)
        #expect(mineCSV.split(separator: "\r\n").count == 2, "the header and their one invoice")
    }

    @Test func parallelSalesTakeEveryNumberOnceWithoutGaps() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: admin)
        let members = try (0..<12).map { try fixture.member("socio\($0)", as: reception) }
        _ = try fixture.promotion(
            #"{"code": "DOS", "name": "Dos", "kind": "amount", "value": 100, "maxUses": 2}"#, as: admin)
        let statuses = Mutex<[Int]>([])
        nonisolated(unsafe) let shared = fixture
        // Half with a code only two may use: the sales it refuses roll back and take no number.
        DispatchQueue.concurrentPerform(iterations: members.count) { index in
            let code = index % 2 == 0 ? #", "promotion": "DOS""# : ""
            let status = (try? shared.enrol(members[index], plan, extra: code, as: reception))?.status ?? 0
            statuses.withLock { $0.append(status) }
        }
        let sold = statuses.withLock { $0 }.filter { $0 == 201 }.count
        #expect(sold == 8, "six without the code, two with it")
        let numbers = try Self.invoices(fixture, reception, "?limit=100").compactMap { $0["number"] as? Int64 }
        #expect(numbers.sorted() == Array(1...Int64(sold)))
    }
}
