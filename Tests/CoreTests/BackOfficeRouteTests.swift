@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Crypto
import Foundation
import HTTP
import PorteroModel
import SQLite
import Testing

/// A signed-in caller, as `APIFixture.signIn` returns.
typealias Caller = (cookie: String, csrf: String, id: UserID)

extension APIFixture {
    func post(_ path: String, _ body: String, as user: Caller) throws -> HTTPResponse {
        try send("POST", path, body: body, cookie: user.cookie, csrf: user.csrf)
    }
    func patch(_ path: String, _ body: String, as user: Caller) throws -> HTTPResponse {
        try send("PATCH", path, body: body, cookie: user.cookie, csrf: user.csrf)
    }
    func get(_ path: String, as user: Caller) throws -> HTTPResponse { try send("GET", path, cookie: user.cookie) }

    /// A member (role cliente) at the own branch, made through the API.
    /// A member of the own branch (or `branch`).
    func member(_ username: String, as user: Caller, extra: String = "", branch: BranchID? = nil) throws -> Int64 {
        let response = try post(
            "/api/v1/users",
            """
            {"username": "\(username)", "email": "\(username)@correo.mx", "name": "Nombre \(username)", \
            "paternalSurname": "Pérez",
             "roles": ["cliente"], "branches": [\(branch ?? own)]\(extra)}
            """, as: user)
        #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(try object(response)["id"] as? Int64)
    }

    func plan(_ name: String, as user: Caller, extra: String = "") throws -> Int64 {
        let response = try post(
            "/api/v1/plans",
            #"{"name": "\#(name)", "priceMinor": 59900, "currency": "MXN", "durationMonths": 1\#(extra)}"#, as: user)
        #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(try object(response)["id"] as? Int64)
    }
}

@Suite struct MemberRouteTests {
    @Test func theWholeSeed003ProfileRoundTripsAndBadFieldsAreNamed() throws {
        let fixture = try APIFixture()
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let agreement = try object(
            try fixture.post(
                "/api/v1/agreements", #"{"name": "Universidad Norte", "notes": "10 % de descuento"}"#, as: admin))
        let agreementID = try #require(agreement["id"] as? Int64)
        let next = try #require(try object(try fixture.get("/api/v1/claves/next", as: reception))["clave"] as? Int64)
        let id = try fixture.member(
            "lucia", as: reception,
            extra: """
                , "clave": \(next), "maternalSurname": "Núñez", "gender": "female", "agreement": \(agreementID), \
                "birthDate": "1990-05-17",
                "phone": "+52 55 1234 5678", "alternateEmail": "lucia@trabajo.mx", "followUp": true, \
                "notes": "Prefiere clases de la mañana"
                """)
        let user = try object(try fixture.get("/api/v1/users/\(id)", as: reception))
        #expect(
            user["clave"] as? Int64 == next && user["maternalSurname"] as? String == "Núñez"
                && user["gender"] as? String == "female")
        #expect(
            user["agreement"] as? Int64 == agreementID && user["birthDate"] as? String == "1990-05-17"
                && user["followUp"] as? Bool == true)
        #expect(user["pinSet"] as? Bool == false && (user["cards"] as? [Any])?.isEmpty == true)
        func refusal(_ extra: String) throws -> String {
            let response = try fixture.post(
                "/api/v1/users",
                #"""
                {"username": "x\#(Int.random(in: 0..<1_000_000))", \#
                "email": "x\#(Int.random(in: 0..<1_000_000))@y.mx", "name": "X", "paternalSurname": "Y", \#
                "roles": ["cliente"], "branches": [\#(fixture.own)]\#(extra)}
                """#,
                as: reception)
            #expect(response.status == 400 || response.status == 409)
            return String(decoding: response.body, as: UTF8.self)
        }
        #expect(try refusal(#", "clave": \#(next)"#).contains("clave: already in use"))
        #expect(try refusal(#", "birthDate": "1990-02-30""#).contains("birthDate"))
        #expect(try refusal(#", "birthDate": "2999-01-01""#).contains("birthDate: is in the future"))
        #expect(try refusal(#", "gender": "robot""#).contains("gender"))
        #expect(try refusal(#", "agreement": 999"#).contains("agreement"))
        #expect(try refusal(#", "phone": "call me""#).contains("phone"))
        // Nothing half-written: the refused creations left no user behind.
        let count = try fixture.api.withDatabase {
            try $0.db.scalar("SELECT count(*) FROM users WHERE username LIKE 'x%'", as: Int.self)
        }
        #expect(count == 0)
        // The follow-up users lead the listing and the home page.
        _ = try fixture.member("zeta", as: reception)
        let listed = try objects(try fixture.get("/api/v1/users", as: reception)).compactMap {
            $0["username"] as? String
        }
        #expect(listed.first == "lucia")
        let home = try object(try fixture.get("/api/v1/home", as: reception))
        #expect(((home["followUp"] as? [[String: Any]])?.first?["username"] as? String) == "lucia")
        // Search by clave and by name.
        #expect(
            try objects(try fixture.get("/api/v1/users?q=\(next)", as: reception)).first?["username"] as? String
                == "lucia")
        #expect(try objects(try fixture.get("/api/v1/users?q=N%C3%BA%C3%B1ez", as: reception)).count == 1)
        // The agreement lists its users.
        #expect(try objects(try fixture.get("/api/v1/agreements/\(agreementID)/users", as: reception)).count == 1)
        #expect(try fixture.post("/api/v1/agreements", #"{"name": "universidad norte"}"#, as: admin).status == 409)
    }

    @Test func cardsAreUniqueWhileActiveAndPINsAreNeverReadable() throws {
        let fixture = try APIFixture()
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let ana = try fixture.member("ana", as: reception)
        let beto = try fixture.member("beto", as: reception)
        let card = try fixture.post("/api/v1/users/\(ana)/cards", #"{"number": "188,24910"}"#, as: reception)
        #expect(card.status == 201)
        let cardID = try #require(try object(card)["id"] as? Int64)
        #expect(try object(card)["number"] as? String == String(188 << 16 | 24910))
        let taken = try fixture.post(
            "/api/v1/users/\(beto)/cards", #"{"number": "\#(188 << 16 | 24910)"}"#, as: reception)
        #expect(taken.status == 409 && String(decoding: taken.body, as: UTF8.self).contains("assigned to clave"))
        #expect(try fixture.post("/api/v1/users/\(beto)/cards", #"{"number": "tarjeta"}"#, as: reception).status == 400)
        // Lost: the number is free for someone else, and cannot come back active while they hold it.
        #expect(try fixture.patch("/api/v1/cards/\(cardID)", #"{"status": "lost"}"#, as: reception).status == 200)
        #expect(
            try fixture.post(
                "/api/v1/users/\(beto)/cards", #"{"number": "0x\#(String(188 << 16 | 24910, radix: 16))"}"#,
                as: reception
            ).status == 201)
        #expect(try fixture.patch("/api/v1/cards/\(cardID)", #"{"status": "active"}"#, as: reception).status == 409)
        let holders = try objects(try fixture.get("/api/v1/cards?number=188,24910", as: reception))
        #expect(holders.count == 2 && holders.first?["userID"] as? Int64 == beto)
        // Search finds the member by card.
        #expect(try objects(try fixture.get("/api/v1/users?q=188,24910", as: reception)).first?["id"] as? Int64 == beto)
        // PIN: set, never returned, stored as the keyed digest only.
        #expect(
            try fixture.send(
                "PUT", "/api/v1/users/\(ana)/pin", body: #"{"pin": "12a4"}"#, cookie: reception.cookie,
                csrf: reception.csrf
            ).status == 400)
        #expect(
            try fixture.send(
                "PUT", "/api/v1/users/\(ana)/pin", body: #"{"pin": "4821"}"#, cookie: reception.cookie,
                csrf: reception.csrf
            ).status == 204)
        let user = try fixture.get("/api/v1/users/\(ana)", as: reception)
        #expect(
            try object(user)["pinSet"] as? Bool == true && !String(decoding: user.body, as: UTF8.self).contains("4821"))
        let stored = try fixture.api.withDatabase { database -> [UInt8]? in
            try database.db.queryFirst("SELECT pin_digest FROM users WHERE id = ?", ana, map: { $0.bytes(0) }) ?? nil
        }
        let key = try fixture.api.withDatabase { try $0.members.pinKey() }
        #expect(stored == Digest.hmacSHA256(key: key, message: Array("portero-pin-v1:4821".utf8)))
        #expect(
            try fixture.send("DELETE", "/api/v1/users/\(ana)/pin", cookie: reception.cookie, csrf: reception.csrf)
                .status == 204)
        // Every change that matters at a door is in the change log.
        let changes = try fixture.api.withDatabase {
            try $0.db.scalar(
                "SELECT count(*) FROM change_log WHERE entity = 'user' AND entity_id = ?", ana, as: Int.self)
        }
        #expect(changes >= 5)
    }
}

@Suite struct SalesRouteTests {
    @Test func enrolFreezeUnfreezeRenewAndCancel() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan(
            "Mensual", as: admin, extra: #", "graceDays": 3, "windows": "mon-fri 06:00-16:00", "visitsPerWeek": 3"#)
        #expect(
            try fixture.post(
                "/api/v1/plans", #"{"name": "Malo", "priceMinor": 100, "durationMonths": 1, "windows": "lunes 6-16"}"#,
                as: admin
            ).status == 400)
        #expect(
            try fixture.post(
                "/api/v1/plans", #"{"name": "Mensual", "priceMinor": 100, "durationMonths": 1}"#, as: admin
            ).status == 409)
        #expect(try fixture.post("/api/v1/plans", #"{"name": "Otro", "priceMinor": 100}"#, as: reception).status == 403)
        let member = try fixture.member("ana", as: reception)
        // The fixture's clock: 2027-01-15 08:00 UTC.
        let enrolled = try fixture.post(
            "/api/v1/subscriptions",
            #"""
            {"user": \#(member), "plan": \#(plan), "branch": \#(fixture.own), "startDate": "2027-01-15", \#
            "paymentReference": "TPV-1"}
            """#,
            as: reception)
        #expect(enrolled.status == 201, "\(String(decoding: enrolled.body, as: UTF8.self))")
        let subscription = try object(enrolled)
        let id = try #require(subscription["id"] as? Int64)
        #expect(subscription["endDate"] as? String == "2027-02-14" && subscription["standing"] as? String == "current")
        #expect(((subscription["pricePaid"] as? [String: Any])?["minorUnits"] as? Int) == 59900)
        #expect(
            try fixture.post(
                "/api/v1/subscriptions", #"{"user": \#(member), "plan": \#(plan), "branch": \#(fixture.other)}"#,
                as: reception
            ).status == 403)
        // Freeze ten days: the end moves by ten.
        let frozen = try object(
            try fixture.post(
                "/api/v1/subscriptions/\(id)/freeze",
                #"{"startDate": "2027-01-20", "endDate": "2027-01-29", "reason": "viaje"}"#, as: reception))
        #expect(frozen["effectiveEndDate"] as? String == "2027-02-24")
        let overlap = try fixture.post(
            "/api/v1/subscriptions/\(id)/freeze", #"{"startDate": "2027-01-25", "endDate": "2027-02-02"}"#,
            as: reception)
        #expect(overlap.status == 400 && String(decoding: overlap.body, as: UTF8.self).contains("overlaps"))
        #expect(
            try fixture.post(
                "/api/v1/subscriptions/\(id)/freeze", #"{"startDate": "2027-02-10", "endDate": "2027-02-05"}"#,
                as: reception
            ).status == 400)
        // An open freeze from today, then back two days later: frozen exactly two days.
        _ = try fixture.post("/api/v1/subscriptions/\(id)/freeze", #"{"startDate": "2027-02-01"}"#, as: reception)
        let thawed = try object(
            try fixture.post("/api/v1/subscriptions/\(id)/unfreeze", #"{"date": "2027-02-03"}"#, as: reception))
        #expect(thawed["effectiveEndDate"] as? String == "2027-02-26")
        // Renew from the day after the effective end.
        let renewed = try object(
            try fixture.post(
                "/api/v1/subscriptions/\(id)/renew", #"{"pricePaid": 49900, "paymentReference": "lealtad"}"#,
                as: reception))
        #expect(renewed["startDate"] as? String == "2027-02-27" && renewed["renews"] as? Int64 == id)
        // A plan change applies to new sales only, unless marked for existing ones.
        _ = try fixture.patch("/api/v1/plans/\(plan)", #"{"priceMinor": 69900, "visitsPerWeek": null}"#, as: admin)
        let after = try objects(try fixture.get("/api/v1/users/\(member)/subscriptions", as: reception))
        #expect(
            after.allSatisfy {
                ($0["planVersion"] as? Int64)
                    != (try? object(try fixture.get("/api/v1/plans/\(plan)", as: admin))["version"] as? Int64)
            })
        _ = try fixture.patch("/api/v1/plans/\(plan)", #"{"graceDays": 5, "applyToExisting": true}"#, as: admin)
        #expect(
            try objects(try fixture.get("/api/v1/users/\(member)/subscriptions", as: reception)).allSatisfy {
                $0["graceDays"] as? Int == 5
            })
        let cancelResponse = try fixture.post("/api/v1/subscriptions/\(id)/cancel", "{}", as: reception)
        #expect(cancelResponse.status == 200, "\(String(decoding: cancelResponse.body, as: UTF8.self))")
        let cancelled = try object(cancelResponse)
        #expect(cancelled["standing"] as? String == "cancelled")
        #expect(try fixture.post("/api/v1/subscriptions/\(id)/cancel", "{}", as: reception).status == 409)
        let actions = try fixture.api.withDatabase { try $0.audit.recent(limit: 30).map(\.action) }
        for action in [
            "subscription.create", "subscription.freeze", "subscription.unfreeze", "subscription.renew",
            "subscription.cancel", "plan.update",
        ] {
            #expect(actions.contains(action), "\(action)")
        }
    }

    @Test func customersAndLeadsAreSeparateAndExportToCSVAndXLSX() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let plan = try fixture.plan("Mensual", as: admin)
        let customer = try fixture.member("cliente_con_plan", as: admin, extra: #", "maternalSurname": "Muñoz""#)
        _ = try fixture.member("prospecto", as: admin)
        _ = try fixture.post(
            "/api/v1/subscriptions", #"{"user": \#(customer), "plan": \#(plan), "branch": \#(fixture.own)}"#, as: admin)
        let customers = try objects(try fixture.get("/api/v1/customers", as: admin)).compactMap { $0["id"] as? Int64 }
        let leads = try objects(try fixture.get("/api/v1/leads?city=CDMX", as: admin)).compactMap {
            $0["name"] as? String
        }
        #expect(customers == [customer] && leads == ["Nombre prospecto Pérez"])
        #expect(try objects(try fixture.get("/api/v1/leads?city=Monterrey", as: admin)).isEmpty)
        let csv = try fixture.get("/api/v1/customers?format=csv", as: admin)
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: csv.body.dropFirst(3), as: UTF8.self).contains("Nombre cliente_con_plan Pérez Muñoz"))
        let xlsx = try fixture.get("/api/v1/leads?format=xlsx", as: admin)
        #expect(Array(xlsx.body.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
        #expect(try fixture.get("/api/v1/leads?format=pdf", as: admin).status == 400)
    }
}

@Suite struct OperationsRouteTests {
    @Test func manualCheckInIsAuditedAndQueriedByBranchDayUserAndReason() throws {
        let fixture = try APIFixture()
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let member = try fixture.member("ana", as: reception)
        #expect(
            try fixture.post(
                "/api/v1/attendance", #"{"user": \#(member), "branch": \#(fixture.own), "reason": ""}"#, as: reception
            ).status == 400)
        #expect(
            try fixture.post(
                "/api/v1/attendance",
                #"{"user": \#(member), "branch": \#(fixture.other), "reason": "olvidó su tarjeta"}"#, as: reception
            ).status == 403)
        let created = try fixture.post(
            "/api/v1/attendance", #"{"user": \#(member), "branch": \#(fixture.own), "reason": "olvidó su tarjeta"}"#,
            as: reception)
        #expect(created.status == 201)
        let row = try object(created)
        #expect(row["reason"] as? String == "granted.manual" && row["note"] as? String == "olvidó su tarjeta")
        fixture.advance(seconds: 60)
        _ = try fixture.post(
            "/api/v1/attendance", #"{"user": \#(member), "branch": \#(fixture.own), "reason": "segunda visita"}"#,
            as: reception)
        let today = try objects(try fixture.get("/api/v1/attendance/today", as: reception))
        #expect(today.count == 2 && today.first?["note"] as? String == "segunda visita")
        let page = try fixture.get("/api/v1/attendance?limit=1&reason=granted.manual&user=\(member)", as: reception)
        let cursor = try #require(page.header("X-Next-Cursor"))
        let next = try objects(try fixture.get("/api/v1/attendance?limit=1&before=\(cursor)", as: reception))
        #expect(next.first?["note"] as? String == "olvidó su tarjeta")
        #expect(try fixture.get("/api/v1/attendance?reason=nonsense", as: reception).status == 400)
        #expect(try fixture.get("/api/v1/attendance?from=2027-02-01&to=2027-01-01", as: reception).status == 400)
        #expect(try objects(try fixture.get("/api/v1/users/\(member)/attendance", as: reception)).count == 2)
        let actions = try fixture.api.withDatabase { try $0.audit.recent(limit: 10).map(\.action) }
        #expect(actions.filter { $0 == "attendance.manual" }.count == 2)
    }

    @Test func doorCommandsNotifyAndNotificationsHaveReadState() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        try fixture.defineDoors([1], as: admin)
        // Door commands are a privilege of their own: Gerente de sucursal and above, not Recepción.
        #expect(
            try fixture.post(
                "/api/v1/branches/\(fixture.own)/commands",
                #"{"command": "unlock_once", "door": 1, "reason": "visita de mantenimiento"}"#, as: reception
            ).status == 403)
        #expect(
            try fixture.post(
                "/api/v1/branches/\(fixture.own)/commands",
                #"{"command": "unlock_once", "reason": "visita de mantenimiento"}"#, as: manager
            ).status == 400)
        #expect(
            try fixture.post(
                "/api/v1/branches/\(fixture.own)/commands",
                #"{"command": "unlock_once", "door": 1, "reason": "visita de mantenimiento"}"#, as: manager
            ).status == 201)
        #expect(
            try fixture.post(
                "/api/v1/branches/\(fixture.other)/commands", #"{"command": "lockdown", "reason": "simulacro"}"#,
                as: manager
            ).status == 404)
        #expect(
            try fixture.post(
                "/api/v1/branches/\(fixture.own)/commands",
                #"{"command": "lockdown", "reason": "amenaza en la calle"}"#, as: admin
            ).status == 201)
        #expect(try objects(try fixture.get("/api/v1/door-commands", as: reception)).count == 2)
        // The lockdown told the branch managers.
        #expect(try object(try fixture.get("/api/v1/notifications/unread", as: manager))["unread"] as? Int == 1)
        #expect(try object(try fixture.get("/api/v1/notifications/unread", as: reception))["unread"] as? Int == 0)
        #expect(
            try fixture.post(
                "/api/v1/notifications",
                #"{"audience": "system", "level": "info", "title": "Mantenimiento el domingo"}"#, as: admin
            ).status == 201)
        #expect(
            try fixture.post(
                "/api/v1/notifications",
                #"{"audience": "user", "user": \#(reception.id), "level": "urgent", "title": "Revisa el torniquete"}"#,
                as: admin
            ).status == 201)
        #expect(
            try fixture.post(
                "/api/v1/notifications", #"{"audience": "role", "level": "info", "title": "x"}"#, as: admin
            ).status == 400)
        #expect(
            try fixture.post(
                "/api/v1/notifications", #"{"audience": "system", "level": "info", "title": "x"}"#, as: reception
            ).status == 403)
        #expect(try objects(try fixture.get("/api/v1/notifications?filter=urgent", as: reception)).count == 1)
        let all = try objects(try fixture.get("/api/v1/notifications", as: reception))
        #expect(all.count == 2)
        let first = try #require(all.first?["id"] as? Int64)
        _ = try fixture.post("/api/v1/notifications/\(first)/read", "{}", as: reception)
        #expect(try object(try fixture.get("/api/v1/notifications/unread", as: reception))["unread"] as? Int == 1)
        _ = try fixture.post("/api/v1/notifications/read", "{}", as: reception)
        #expect(try objects(try fixture.get("/api/v1/notifications?filter=unread", as: reception)).isEmpty)
        // Another user's notification cannot be marked by someone who does not see it.
        #expect(
            try object(try fixture.post("/api/v1/notifications/\(first)/read", "{}", as: manager))["marked"] as? Int
                == 0)
    }

    @Test func dashboardFiguresCountTheCallersBranches() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let plan = try fixture.plan("Mensual", as: root)
        let a = try fixture.member("ana", as: admin)
        let b = try fixture.member("beto", as: admin)
        _ = try fixture.post(
            "/api/v1/subscriptions", #"{"user": \#(a), "plan": \#(plan), "branch": \#(fixture.own)}"#, as: admin)
        _ = try fixture.post(
            "/api/v1/subscriptions",
            #"{"user": \#(b), "plan": \#(plan), "branch": \#(fixture.own), "pricePaid": 40100}"#, as: admin)
        // A sale at the other branch that the administrator must not see.
        let c = try fixture.member("carla", as: root)
        _ = try fixture.post(
            "/api/v1/subscriptions", #"{"user": \#(c), "plan": \#(plan), "branch": \#(fixture.other)}"#, as: root)
        _ = try fixture.post(
            "/api/v1/attendance", #"{"user": \#(a), "branch": \#(fixture.own), "reason": "sin tarjeta"}"#, as: admin)
        let figures = try object(try fixture.get("/api/v1/dashboard", as: admin))
        #expect(figures["plansSold"] as? Int == 2 && figures["activeCustomers"] as? Int == 2)
        #expect((figures["sales"] as? [[String: Any]])?.first?["minorUnits"] as? Int == 59900 + 40100)
        #expect((figures["averageSale"] as? [[String: Any]])?.first?["minorUnits"] as? Int == 50000)
        #expect((figures["customersPerCity"] as? [[String: Any]])?.first?["label"] as? String == "CDMX")
        #expect(((figures["attendancePerDay"] as? [[String: Any]])?.first?["count"] as? Int) == 1)
        #expect((figures["newCustomersPerMonth"] as? [[String: Any]])?.count == 12)
        let all = try object(try fixture.get("/api/v1/dashboard", as: root))
        #expect(all["plansSold"] as? Int == 3)
        #expect(try fixture.get("/api/v1/dashboard?from=2027-02-01&to=2027-01-01", as: admin).status == 400)
    }
}
