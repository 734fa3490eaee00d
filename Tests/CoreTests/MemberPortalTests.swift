@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// A member's own pages: their plans and standing, their visits with the reason of a refusal,
/// nobody else's, in Spanish and English.
@Suite struct MemberPortalTests {
    @Test func aMemberReadsTheirOwnPlansAndVisitsAndNobodyElses() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let member = try f.signIn(.client, username: "socia")
        let other = try f.member("otro", as: root)
        let plan = try f.plan("Mensual", as: root)
        let sale = try ReportRouteTests.sell(
            f, #"{"user": \#(member.id.rawValue), "plan": \#(plan), "branch": \#(f.own)}"#, as: root)
        _ = try ReportRouteTests.sell(f, #"{"user": \#(other), "plan": \#(plan), "branch": \#(f.own)}"#, as: root)
        let (token, _) = try f.enrolDevice(as: root)
        var generator = SplitMix64(seed: 5)
        let now = Timestamp(seconds: 1_800_000_000)
        let refused = AttendanceEvent(
            id: EventID(time: now, using: &generator), at: now, branchID: f.own, doorID: DoorID(1), direction: .entry,
            credentialKind: .card, cardNumber: nil, userID: member.id, subscriptionID: SubscriptionID(sale),
            granted: false, reason: .planOutsideWindow)
        let entered = ReportRouteTests.entry(
            f, user: member.id.rawValue, subscription: sale, branch: f.own, at: now.adding(seconds: 60), seed: 6)
        let theirs = ReportRouteTests.entry(f, user: other, subscription: sale, branch: f.own, at: now, seed: 7)
        #expect(try f.upload([refused, entered, theirs], token: token).status == 200)

        let plans = try objects(try f.get("/api/v1/me/subscriptions", as: member))
        #expect(plans.map { $0["id"] as? Int64 } == [sale] && plans.first?["standing"] as? String == "current")
        let visits = try objects(try f.get("/api/v1/me/attendance", as: member))
        #expect(visits.count == 2 && visits.allSatisfy { $0["userID"] as? Int64 == member.id.rawValue })
        #expect(try f.get("/api/v1/users/\(other)/attendance", as: member).status == 403)

        let cookie = "portero_session=\(member.cookie)"
        let home = try f.page("GET", "/home", cookies: [cookie])
        #expect(home.status == 303 && home.header("Location") == "/my", "a member's page is their membership")
        let spanish = html(try f.page("GET", "/my", cookies: [cookie]))
        #expect(spanish.contains("Mi membresía") && spanish.contains("Mensual") && spanish.contains("vigente"))
        #expect(spanish.contains("✖") && spanish.contains("✔") && spanish.contains("href=\"/settings#photo\""))
        let english = html(try f.page("GET", "/my", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(english.contains("My visits") && english.contains("current") && english.contains("My invoices"))
        #expect(try f.page("GET", "/my", cookies: ["portero_session=\(root.cookie)"]).status == 200, "staff: none")
    }
}
