@testable import BackOffice
@testable import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel
import Testing

/// Day and guest passes over the API: the desk sells a pass plan to a member or a new guest, or
/// gives one with a reason; the pass's code verifies with the chain's key, counts its entries,
/// is issued and mailed only within the caller's branches, and every act is audited.
@Suite struct DayPassRouteTests {
    static func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// The chain's public key, as the branches receive it.
    static func chainKey(_ f: APIFixture) throws -> PublicKey {
        let hex = try #require(try f.api.withDatabase { try DayPassKey.publicHex($0.db) })
        let bytes = try #require(Hex.decode(hex))
        return try PublicKey.p256(x: Array(bytes[0..<32]), y: Array(bytes[32...]))
    }

    @Test func theDeskSellsAPassToANewGuestAndItsCodeVerifies() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let reception = try f.signIn(.reception, username: "recepcion")
        let pass = try f.plan(
            "Pase 2 entradas", as: root, extra: #", "visitsTotal": 2, "branches": [\#(f.own)]"#)
        let sold = try f.post(
            "/api/v1/day-passes",
            #"""
            {"plan": \#(pass), "branch": \#(f.own), "guestName": "Invitada Uno", "guestPhone": "55 1234 5678", \#
            "startDate": "2027-01-15"}
            """#, as: reception)
        #expect(sold.status == 201, "\(Self.text(sold))")
        let subscription = try object(sold)
        let id = try #require(subscription["id"] as? Int64)
        let guest = try #require(subscription["userID"] as? Int64)
        #expect(((subscription["pricePaid"] as? [String: Any])?["minorUnits"] as? Int) == 59900)
        let account = try #require(try f.api.withDatabase { try $0.accounts.account(UserID(guest)) })
        #expect(
            account.username == "invitado-1" && account.name == "Invitada Uno" && account.roles == RoleSet([.client]))
        #expect(account.branches == [f.own] && account.email.hasSuffix("@invitados.invalid"))

        let issued = try f.post("/api/v1/subscriptions/\(id)/pass", "{}", as: reception)
        #expect(issued.status == 200, "\(Self.text(issued))")
        let answer = try object(issued)
        let codeText = try #require(answer["code"] as? String)
        #expect(codeText.count == 174 && codeText.hasPrefix("72"))
        #expect(answer["name"] as? String == "Invitada Uno" && answer["plan"] as? String == "Pase 2 entradas")
        #expect(answer["entries"] as? Int == 2 && answer["used"] as? Int == 0 && answer["email"] as? String == "")
        #expect(answer["startDate"] as? String == "2027-01-15" && answer["branches"] as? [Int64] == [f.own.rawValue])
        let code = try #require(DayPassCode(scanned: codeText))
        #expect(code.subscription == SubscriptionID(id))
        #expect(try Self.chainKey(f).verifySHA256(signature: code.signature, message: code.message))

        // A second guest gets the next name; a guest with no email is printed, not mailed.
        let second = try object(
            try f.post(
                "/api/v1/day-passes",
                #"{"plan": \#(pass), "branch": \#(f.own), "guestName": "Otro", "guestEmail": "otro@correo.mx"}"#,
                as: reception))
        let secondUser = try #require(second["userID"] as? Int64)
        #expect(try f.api.withDatabase { try $0.accounts.account(UserID(secondUser))?.username } == "invitado-2")
        let unsendable = try f.post("/api/v1/subscriptions/\(id)/pass/send", "{}", as: reception)
        #expect(unsendable.status == 409 && Self.text(unsendable).contains("email"))

        let actions = try f.api.withDatabase { try $0.audit.recent(limit: 20).map(\.action) }
        #expect(actions.contains("pass.issue") && actions.contains("user.create"))
        #expect(actions.contains("subscription.create"))
    }

    @Test func aGivenPassCostsNothingAndItsReasonIsAudited() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let reception = try f.signIn(.reception, username: "recepcion")
        let pass = try f.plan("Pase", as: root, extra: #", "visitsTotal": 1"#)
        let member = try f.member("ana", as: reception)
        let given = try f.post(
            "/api/v1/day-passes",
            #"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "give": "Cortesía por la queja 12"}"#,
            as: reception)
        #expect(given.status == 201, "\(Self.text(given))")
        let subscription = try object(given)
        #expect(((subscription["pricePaid"] as? [String: Any])?["minorUnits"] as? Int) == 0)
        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 10) }
        let gift = try #require(rows.first { $0.action == "pass.give" })
        #expect(gift.changes.contains("Cortesía por la queja 12"))
        #expect(gift.target == "subscription:\(try #require(subscription["id"] as? Int64))")
    }

    @Test func badSalesAreRefusedNamingTheField() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let reception = try f.signIn(.reception, username: "recepcion")
        let monthly = try f.plan("Mensual", as: root)
        let pass = try f.plan("Pase", as: root, extra: #", "visitsTotal": 2"#)
        let member = try f.member("ana", as: reception)
        func sale(_ body: String) throws -> (Int, String) {
            let response = try f.post("/api/v1/day-passes", body, as: reception)
            return (response.status, Self.text(response))
        }
        let notAPass = try sale(#"{"plan": \#(monthly), "branch": \#(f.own), "user": \#(member)}"#)
        #expect(notAPass.0 == 400 && notAPass.1.contains("plan"))
        let both = try sale(#"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "guestName": "X"}"#)
        #expect(both.0 == 400 && both.1.contains("guestName"))
        let neither = try sale(#"{"plan": \#(pass), "branch": \#(f.own)}"#)
        #expect(neither.0 == 400 && neither.1.contains("user"))
        let priced = try sale(
            #"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "give": "Cortesía", "pricePaid": 10}"#)
        #expect(priced.0 == 400 && priced.1.contains("give"))
        let shortReason = try sale(#"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "give": "no"}"#)
        #expect(shortReason.0 == 400 && shortReason.1.contains("give"))
        let tooLong = String(repeating: "a", count: 201)
        let longReason = try sale(
            #"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "give": "\#(tooLong)"}"#)
        #expect(longReason.0 == 400 && longReason.1.contains("give"), "at most 200, as the schema says")
        let badPhone = try sale(#"{"plan": \#(pass), "branch": \#(f.own), "guestName": "X", "guestPhone": "٣٣"}"#)
        #expect(badPhone.0 == 400 && badPhone.1.contains("guestPhone"))
        let badEmail = try sale(#"{"plan": \#(pass), "branch": \#(f.own), "guestName": "X", "guestEmail": "x"}"#)
        #expect(badEmail.0 == 400 && badEmail.1.contains("guestEmail"))
        let taken = try sale(
            #"{"plan": \#(pass), "branch": \#(f.own), "guestName": "X", "guestEmail": "ana@correo.mx"}"#)
        #expect(taken.0 == 409 && taken.1.contains("guestEmail"))
        let noPlan = try sale(#"{"plan": 999, "branch": \#(f.own), "user": \#(member)}"#)
        #expect(noPlan.0 == 404 && noPlan.1.contains("plan"))
        let free = try sale(#"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "pricePaid": 0}"#)
        #expect(free.0 == 400 && free.1.contains("pricePaid"), "a price of 0 is a gift, with its reason")
        let owedGift = try sale(
            #"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member), "give": "Cortesía", "payment": "pending"}"#)
        #expect(owedGift.0 == 400 && owedGift.1.contains("payment"))
        // A membership's subscription has no pass: a code for it would be a bearer membership.
        let membership = try ReportRouteTests.sell(
            f, #"{"user": \#(member), "plan": \#(monthly), "branch": \#(f.own)}"#, as: root)
        let refused = try f.post("/api/v1/subscriptions/\(membership)/pass", "{}", as: reception)
        #expect(refused.status == 409 && Self.text(refused).contains("subscription"))
        // Nothing half-made: the refused guest is not left behind.
        #expect(try f.api.withDatabase { try $0.accounts.accountCount() } == 3)
    }

    @Test func passesStayWithinTheCallersBranches() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let reception = try f.signIn(.reception, username: "recepcion")
        let member = try f.signIn(.client, username: "socia")
        let pass = try f.plan("Pase", as: root, extra: #", "visitsTotal": 2"#)
        let norte = try f.member("beto", as: root, branch: f.other)
        let elsewhere = try object(
            try f.post(
                "/api/v1/day-passes", #"{"plan": \#(pass), "branch": \#(f.other), "user": \#(norte)}"#, as: root))
        let id = try #require(elsewhere["id"] as? Int64)
        #expect(try f.post("/api/v1/subscriptions/\(id)/pass", "{}", as: reception).status == 404)
        #expect(try f.post("/api/v1/subscriptions/\(id)/pass/send", "{}", as: reception).status == 404)
        #expect(try f.post("/api/v1/subscriptions/\(id)/pass", "{}", as: member).status == 403)
        let atNorte = try f.post(
            "/api/v1/day-passes", #"{"plan": \#(pass), "branch": \#(f.other), "guestName": "X"}"#, as: reception)
        #expect(atNorte.status == 403)
        #expect(try f.api.withDatabase { try $0.audit.recent(limit: 50).filter { $0.action == "pass.issue" } }.isEmpty)
    }

    @Test func usedEntriesAreCountedAndThePassIsMailedInTheHoldersLanguage() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let reception = try f.signIn(.reception, username: "recepcion")
        let pass = try f.plan("Pase 3", as: root, extra: #", "visitsTotal": 3"#)
        let member = try f.member("ana", as: reception, extra: #", "language": "en""#)
        let sold = try object(
            try f.post(
                "/api/v1/day-passes", #"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member)}"#, as: reception))
        let id = try #require(sold["id"] as? Int64)
        let now = f.clock.now
        var generator = SplitMix64(seed: 5)
        let zone = try ZoneRules(identifier: "America/Mexico_City")
        try f.api.withDatabase { database in
            for (offset, granted) in [(1, true), (2, true), (3, false)] as [(Int64, Bool)] {
                let event = AttendanceEvent(
                    id: EventID(time: now.adding(milliseconds: offset), using: &generator),
                    at: now.adding(milliseconds: offset), branchID: f.other, doorID: DoorID(1), direction: .entry,
                    credentialKind: .card, cardNumber: nil, userID: UserID(member),
                    subscriptionID: SubscriptionID(id), granted: granted, reason: granted ? .granted : .planVisitLimit)
                try database.operations.record(event, device: nil, recordedBy: nil, note: "", zone: zone, now: now)
            }
        }
        let answer = try object(try f.post("/api/v1/subscriptions/\(id)/pass", "{}", as: reception))
        #expect(answer["used"] as? Int == 2 && answer["entries"] as? Int == 3)
        #expect(answer["endDate"] as? String == sold["effectiveEndDate"] as? String, "no grace days on this plan")

        let sent = try f.post("/api/v1/subscriptions/\(id)/pass/send", "{}", as: reception)
        #expect(sent.status == 202, "\(Self.text(sent))")
        #expect(try object(sent)["to"] as? String == "ana@correo.mx")
        let message = try #require(try f.api.withDatabase { try $0.mail.recent(limit: 5, users: nil) }.first)
        #expect(message.kind == "day_pass" && message.recipient == "ana@correo.mx")
        #expect(message.subject == "Your pass: Pase 3")
        // Each issue signs anew (ECDSA), so the mailed code is its own, and verifies.
        let mailed = try #require(
            message.body.split(separator: "\n").compactMap { DayPassCode(scanned: $0) }.first)
        #expect(mailed.subscription == SubscriptionID(id))
        #expect(try Self.chainKey(f).verifySHA256(signature: mailed.signature, message: mailed.message))
        #expect(message.body.contains("3 entries (2 used)") && message.body.contains("every branch"))
        let actions = try f.api.withDatabase { try $0.audit.recent(limit: 10).map(\.action) }
        #expect(actions.contains("pass.send"))

        // The last entry used: no more tickets for a pass that cannot admit.
        try f.api.withDatabase { database in
            let at = now.adding(milliseconds: 9)
            let event = AttendanceEvent(
                id: EventID(time: at, using: &generator), at: at, branchID: f.own, doorID: DoorID(1),
                direction: .entry, credentialKind: .dayPass, cardNumber: nil, userID: UserID(member),
                subscriptionID: SubscriptionID(id), granted: true, reason: .granted)
            try database.operations.record(event, device: nil, recordedBy: nil, note: "", zone: zone, now: now)
        }
        let spent = try f.post("/api/v1/subscriptions/\(id)/pass", "{}", as: reception)
        #expect(spent.status == 409 && Self.text(spent).contains("every entry"))
    }

    /// The door admits through a plan's grace days: the ticket's last day says so, and a pass in
    /// its grace days is still issued.
    @Test func aPassTicketShowsTheLastDayTheDoorAdmits() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let pass = try f.plan("Pase con gracia", as: root, extra: #", "visitsTotal": 2, "graceDays": 3"#)
        let member = try f.member("ana", as: root)
        let sold = try object(
            try f.post("/api/v1/day-passes", #"{"plan": \#(pass), "branch": \#(f.own), "user": \#(member)}"#, as: root))
        let id = try #require(sold["id"] as? Int64)
        let end = try #require(LocalDay(iso: sold["effectiveEndDate"] as? String ?? ""))
        let issued = try object(try f.post("/api/v1/subscriptions/\(id)/pass", "{}", as: root))
        #expect(issued["endDate"] as? String == end.adding(days: 3).description)
    }

    @Test func aGuestNumberSomeoneTypedAbsurdlyIsSkipped() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        _ = try f.signIn(.client, username: "invitado-9223372036854775807")
        let pass = try f.plan("Pase", as: root, extra: #", "visitsTotal": 1"#)
        let sold = try f.post(
            "/api/v1/day-passes", #"{"plan": \#(pass), "branch": \#(f.own), "guestName": "Invitado"}"#, as: root)
        #expect(sold.status == 201, "\(Self.text(sold))")
        let guest = try #require(try object(sold)["userID"] as? Int64)
        #expect(try f.api.withDatabase { try $0.accounts.account(UserID(guest))?.username } == "invitado-1")
    }
}
