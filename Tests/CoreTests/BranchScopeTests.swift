@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// Writes that reach several branches need the privilege at every one of them (or a
/// SuperAdministrador); what a caller reads stays within their branches.
@Suite struct BranchScopeTests {
    /// A plan reaches the branches it lists, or every branch when it lists none.
    @Test func aPlanIsWrittenOnlyByWhoHoldsEveryBranchItReaches() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let both = try fixture.signIn(.administrator, username: "ambas", branches: [fixture.own, fixture.other])
        let root = try fixture.signIn(.superAdministrator, username: "root")
        func create(_ name: String, _ branches: String?, as caller: Caller) throws -> HTTPResponse {
            let list = branches.map { #", "branches": [\#($0)]"# } ?? ""
            return try fixture.post(
                "/api/v1/plans", #"{"name": "\#(name)", "priceMinor": 100, "durationMonths": 1\#(list)}"#, as: caller)
        }
        #expect(try create("Todas", nil, as: admin).status == 403)
        #expect(try create("Todas", "", as: admin).status == 403)
        #expect(try create("Dos", "\(fixture.own), \(fixture.other)", as: admin).status == 403)
        #expect(try create("Norte", "\(fixture.other)", as: admin).status == 403)
        let centro = try create("Centro", "\(fixture.own)", as: admin)
        #expect(centro.status == 201)
        let centroID = try #require(try object(centro)["id"] as? Int64)
        // Widening one's own plan to another branch, or to every branch, is refused too.
        let widened = #"{"branches": [\#(fixture.own), \#(fixture.other)]}"#
        #expect(try fixture.patch("/api/v1/plans/\(centroID)", widened, as: admin).status == 403)
        #expect(try fixture.patch("/api/v1/plans/\(centroID)", #"{"branches": []}"#, as: admin).status == 403)
        #expect(try fixture.patch("/api/v1/plans/\(centroID)", #"{"priceMinor": 200}"#, as: admin).status == 200)
        // A plan of every branch is changed, or narrowed, only by who holds them all.
        let all = try create("Todas", nil, as: both)
        #expect(all.status == 201)
        let allID = try #require(try object(all)["id"] as? Int64)
        #expect(try fixture.patch("/api/v1/plans/\(allID)", #"{"priceMinor": 200}"#, as: admin).status == 403)
        let narrowed = #"{"branches": [\#(fixture.own)]}"#
        #expect(try fixture.patch("/api/v1/plans/\(allID)", narrowed, as: admin).status == 403)
        #expect(try fixture.patch("/api/v1/plans/\(allID)", #"{"priceMinor": 300}"#, as: both).status == 200)
        #expect(try create("Raíz", nil, as: root).status == 201)
        // Nothing refused was written.
        let plans = try objects(try fixture.get("/api/v1/plans", as: admin))
        #expect(Set(plans.compactMap { $0["name"] as? String }) == ["Centro", "Todas", "Raíz"])
        let prices = Dictionary(
            uniqueKeysWithValues: plans.compactMap { plan -> (String, Int)? in
                guard let name = plan["name"] as? String, let price = plan["price"] as? [String: Any] else {
                    return nil
                }
                return (name, price["minorUnits"] as? Int ?? 0)
            })
        #expect(prices["Centro"] == 200 && prices["Todas"] == 300)
    }

    /// Agreements have no branch: every one is chain-wide.
    @Test func anAgreementIsChainWide() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let both = try fixture.signIn(.administrator, username: "ambas", branches: [fixture.own, fixture.other])
        let root = try fixture.signIn(.superAdministrator, username: "root")
        #expect(try fixture.post("/api/v1/agreements", #"{"name": "Uno"}"#, as: admin).status == 403)
        let created = try fixture.post("/api/v1/agreements", #"{"name": "Dos"}"#, as: both)
        #expect(created.status == 201)
        let id = try #require(try object(created)["id"] as? Int64)
        #expect(try fixture.patch("/api/v1/agreements/\(id)", #"{"notes": "mío"}"#, as: admin).status == 403)
        #expect(try fixture.patch("/api/v1/agreements/\(id)", #"{"notes": "10 %"}"#, as: both).status == 200)
        #expect(try fixture.post("/api/v1/agreements", #"{"name": "Tres"}"#, as: root).status == 201)
        let listed = try objects(try fixture.get("/api/v1/agreements", as: admin))
        #expect(Set(listed.compactMap { $0["name"] as? String }) == ["Dos", "Tres"])
        #expect(listed.first { $0["name"] as? String == "Dos" }?["notes"] as? String == "10 %")
    }

    /// Everyone, a role at no particular branch, a role at another branch, or a user granted
    /// another branch: each reaches beyond the caller's branches.
    @Test func aNotificationReachingBeyondYourBranchesIsRefused() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let centro = try fixture.signIn(.client, username: "centro")
        let norte = try fixture.signIn(.client, username: "norte", branches: [fixture.other])
        let ambos = try fixture.signIn(.client, username: "ambos", branches: [fixture.own, fixture.other])
        func send(_ audience: String, as caller: Caller) throws -> Int {
            try fixture.post(
                "/api/v1/notifications", #"{\#(audience), "level": "info", "title": "Aviso"}"#, as: caller
            ).status
        }
        #expect(try send(#""audience": "system""#, as: admin) == 403)
        #expect(try send(#""audience": "role", "role": "cliente""#, as: admin) == 403)
        #expect(try send(#""audience": "role", "role": "cliente", "branch": \#(fixture.other)"#, as: admin) == 403)
        #expect(try send(#""audience": "user", "user": \#(norte.id)"#, as: admin) == 404)
        #expect(try send(#""audience": "user", "user": \#(ambos.id)"#, as: admin) == 403)
        #expect(try send(#""audience": "role", "role": "cliente", "branch": \#(fixture.own)"#, as: admin) == 201)
        #expect(try send(#""audience": "user", "user": \#(centro.id)"#, as: admin) == 201)
        #expect(try send(#""audience": "system""#, as: root) == 201)
        // Nothing refused reached anyone: the members of the other branch got only the system one.
        for member in [norte, ambos] {
            let titles = try objects(try fixture.get("/api/v1/notifications", as: member))
            #expect(titles.count == (member.id == norte.id ? 1 : 2), "\(titles)")
        }
        #expect(try objects(try fixture.get("/api/v1/notifications", as: centro)).count == 3)
    }

    @Test func onlyASuperAdministratorCreatesABranch() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let both = try fixture.signIn(.administrator, username: "ambas", branches: [fixture.own, fixture.other])
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let body = #"{"name": "Sur", "city": "Puebla", "timeZone": "America/Mexico_City"}"#
        #expect(try fixture.post("/api/v1/branches", body, as: admin).status == 403)
        #expect(try fixture.post("/api/v1/branches", body, as: both).status == 403)
        #expect(try fixture.post("/api/v1/branches", body, as: root).status == 201)
        // The branches page offers the form to whoever may use it.
        for (caller, offered) in [(admin, false), (root, true)] {
            let page = html(try fixture.page("GET", "/branches", cookies: ["portero_session=\(caller.cookie)"]))
            #expect(page.contains(#"action="/branches">"#) == offered)
        }
        // Changing one's own branch stays with its administrators.
        #expect(try fixture.patch("/api/v1/branches/\(fixture.own)", #"{"city": "Toluca"}"#, as: admin).status == 200)
        #expect(
            try fixture.patch("/api/v1/branches/\(fixture.other)", #"{"city": "Toluca"}"#, as: admin).status == 404)
    }
}

/// The audit listing shows each caller the rows about their branches; the verification walks
/// the whole chain whoever asks.
@Suite struct AuditScopeTests {
    struct Listing {
        let targets: [String]
        let actions: [String]
        let verifiedRows: Int?
    }

    static func listing(_ fixture: APIFixture, as caller: Caller) throws -> Listing {
        let answer = try object(try fixture.get("/api/v1/audit?limit=1000", as: caller))
        let entries = try #require(answer["entries"] as? [[String: Any]])
        let verification = try #require(answer["verification"] as? [String: Any])
        #expect(verification["intact"] as? Bool == true)
        return Listing(
            targets: entries.compactMap { $0["target"] as? String },
            actions: entries.compactMap { $0["action"] as? String },
            verifiedRows: verification["rows"] as? Int)
    }

    @Test func theAuditListingShowsEachCallerTheRowsAboutTheirBranches() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root", branches: [])
        let centro = try fixture.signIn(.administrator, username: "admin_centro")
        let norte = try fixture.signIn(.administrator, username: "admin_norte", branches: [fixture.other])
        // A row from before rows named their branches: it is about branch own, but says none.
        try fixture.api.withDatabase { database in
            _ = try database.audit.append(
                actor: "system", action: "legacy.row", target: "branch:\(fixture.own)", changes: "{}",
                at: fixture.clock.now)
        }
        let ana = try fixture.member("ana", as: root)
        let beto =
            try object(
                try fixture.post(
                    "/api/v1/users",
                    #"""
                    {"username": "beto", "email": "beto@correo.mx", "name": "Beto", "paternalSurname": "P", \#
                    "roles": ["cliente"], "branches": [\#(fixture.other)]}
                    """#, as: root))["id"] as? Int64
        #expect(
            try fixture.patch("/api/v1/branches/\(fixture.other)", #"{"city": "San Pedro"}"#, as: norte).status == 200)
        let device = try object(
            try fixture.post("/api/v1/devices", #"{"branch": \#(fixture.other), "name": "Torniquete"}"#, as: root))
        let deviceID = try #require((device["device"] as? [String: Any])?["id"] as? Int64)
        // Ana, a member of branch own, buys at the other branch: the sale is the other branch's.
        let plan = try fixture.plan("Mensual", as: root)
        let sold = try object(
            try fixture.post(
                "/api/v1/subscriptions", #"{"user": \#(ana), "plan": \#(plan), "branch": \#(fixture.other)}"#,
                as: root))
        let sale = try #require(sold["id"] as? Int64)
        _ = try fixture.send("POST", "/api/v1/session", body: #"{"login": "nadie", "password": "x"}"#)

        let total = try fixture.api.withDatabase { try $0.audit.recent(limit: 1_000).count }
        let own = try Self.listing(fixture, as: centro)
        let other = try Self.listing(fixture, as: norte)
        let all = try Self.listing(fixture, as: root)
        // Each sees the rows about their branches, and the chain verified whole.
        #expect(own.targets.contains("user:\(ana)") && own.targets.contains("user:\(centro.id)"))
        #expect(own.targets.contains("plan:\(plan)"), "a plan of every branch is about each")
        for hidden in [
            "user:\(beto ?? 0)", "branch:\(fixture.other)", "device:\(deviceID)", "subscription:\(sale)",
            "user:\(norte.id)", "login",
        ] {
            #expect(!own.targets.contains(hidden), "\(hidden)")
        }
        #expect(!own.actions.contains("legacy.row"), "a row naming no branch is the SuperAdministrador's")
        for shown in [
            "user:\(beto ?? 0)", "branch:\(fixture.other)", "device:\(deviceID)", "subscription:\(sale)",
            "plan:\(plan)",
        ] {
            #expect(other.targets.contains(shown), "\(shown)")
        }
        #expect(!other.targets.contains("user:\(ana)") && !other.targets.contains("user:\(centro.id)"))
        #expect(
            all.targets.count == total && all.actions.contains("legacy.row") && all.actions.contains("login.failure"))
        #expect(own.verifiedRows == total && other.verifiedRows == total && all.verifiedRows == total)
        // `?branch=` narrows a caller to one of their branches, and no further.
        let narrowed = try fixture.get("/api/v1/audit?branch=\(fixture.other)", as: centro)
        #expect(narrowed.status == 403)
    }
}

/// A member's subscriptions sold at branches the caller is not granted (their prices and payment
/// references) stay hidden, in every answer that shows subscriptions.
@Suite struct SubscriptionScopeTests {
    @Test func subscriptionsSoldAtBranchesYouAreNotGrantedStayHidden() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let plan = try fixture.plan("Mensual", as: root)
        func member(_ name: String) throws -> Int64 {
            try #require(
                try object(
                    try fixture.post(
                        "/api/v1/users",
                        #"""
                        {"username": "\#(name)", "email": "\#(name)@correo.mx", "name": "\#(name)", \#
                        "paternalSurname": "P", "roles": ["cliente"], \#
                        "branches": [\#(fixture.own), \#(fixture.other)]}
                        """#, as: root))["id"] as? Int64)
        }
        func sell(_ user: Int64, at branch: BranchID, price: Int, reference: String) throws -> Int64 {
            let response = try fixture.post(
                "/api/v1/subscriptions",
                #"""
                {"user": \#(user), "plan": \#(plan), "branch": \#(branch), "pricePaid": \#(price), \#
                "paymentReference": "\#(reference)"}
                """#, as: root)
            #expect(response.status == 201)
            return try #require(try object(response)["id"] as? Int64)
        }
        let ana = try member("ana")
        let beto = try member("beto")
        let centro = try sell(ana, at: fixture.own, price: 11_111, reference: "TPV-CENTRO")
        let norte = try sell(ana, at: fixture.other, price: 98_765, reference: "TPV-NORTE")
        _ = try sell(beto, at: fixture.other, price: 98_765, reference: "TPV-NORTE-B")

        let listed = try fixture.get("/api/v1/users/\(ana)/subscriptions", as: reception)
        #expect(try objects(listed).compactMap { $0["id"] as? Int64 } == [centro])
        #expect(!html(listed).contains("TPV-NORTE"))
        #expect(try objects(try fixture.get("/api/v1/users/\(ana)/subscriptions", as: root)).count == 2)
        #expect(try fixture.get("/api/v1/subscriptions/\(norte)", as: reception).status == 404)
        #expect(try fixture.post("/api/v1/subscriptions/\(norte)/cancel", "{}", as: reception).status == 404)
        // The member page shows the sale at the own branch and not the other's.
        let page = html(try fixture.page("GET", "/members/\(ana)", cookies: ["portero_session=\(reception.cookie)"]))
        #expect(page.contains("111.11") && !page.contains("987.65"))
        // The customers list counts only the sales at the caller's branches: Beto bought nothing there.
        let customers = try objects(try fixture.get("/api/v1/customers", as: reception))
        #expect(customers.first { $0["id"] as? Int64 == ana }?["subscriptions"] as? Int == 1)
        #expect(!customers.contains { $0["id"] as? Int64 == beto })
        #expect(try objects(try fixture.get("/api/v1/leads", as: reception)).contains { $0["id"] as? Int64 == beto })
        let everywhere = try objects(try fixture.get("/api/v1/customers", as: root))
        #expect(everywhere.first { $0["id"] as? Int64 == ana }?["subscriptions"] as? Int == 2)
    }
}
