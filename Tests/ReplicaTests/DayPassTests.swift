import Crypto
import Foundation
import PorteroModel
@testable import Replica
import SQLite
import SyncWire
import TestSupport
import Testing

/// Day passes at the door: a code headquarters signed admits on its own subscription, a pack of two
/// entries; a forged code, or any code before the branch has the key, is nobody's.
@Suite struct DayPassTests {
    let directory: TemporaryDirectory
    let store: ReplicaStore
    let service: AccessService
    let chain: SigningKey
    let now = utc(2024, 6, 3, 16, 0)

    init() throws {
        directory = try TemporaryDirectory()
        store = try openStore(directory)
        service = AccessService(store: store)
        chain = try SigningKey.p256()
        let pass = Plan(
            id: PlanID(7), name: "Pase 2 visitas", price: Money(minorUnits: 15_000, currency: "MXN"),
            duration: .days(3), visitLimit: VisitLimit(perSubscription: 2))
        try store.apply(
            [
                .upsertPlan(monthly), .upsertPlan(pass),
                .upsertUser(ReplicaUser(id: UserID(9), clave: 9, displayName: "Invitada", active: true)),
                .upsertSubscription(
                    Subscription(
                        id: SubscriptionID(900), userID: UserID(9), planID: PlanID(7), startDay: day(2024, 6, 3),
                        endDay: day(2024, 6, 5), pricePaid: Money(minorUnits: 15_000, currency: "MXN"))),
                // The same person's monthly plan: the pass admits on the pass alone.
                .upsertSubscription(
                    Subscription(
                        id: SubscriptionID(901), userID: UserID(9), planID: PlanID(1), startDay: day(2024, 6, 1),
                        endDay: day(2024, 6, 30), pricePaid: Money(minorUnits: 59_900, currency: "MXN"))),
            ], cursor: 1)
    }

    func code(_ subscription: Int64, signer: SigningKey? = nil) throws -> DayPassCode {
        var code = DayPassCode(subscription: SubscriptionID(subscription), signature: [])
        code.signature = try (signer ?? chain).signSHA256(code.message)
        return code
    }

    func decide(_ code: DayPassCode, at time: Timestamp) throws -> AccessDecision {
        try service.handle(
            AccessRequest(doorID: door.id, direction: .entry, presented: .dayPass(code)), at: door, now: time
        ).decision
    }

    func takeKey() throws {
        let point = try chain.publicCoordinates()
        var setup = SyncBranchSetup(doors: [], calendar: [])
        setup.dayPassKey = (point.x + point.y).map { String(format: "%02x", $0) }.joined()
        store.takeOccupancy(from: setup)
    }

    @Test func aSignedPassAdmitsOnItsOwnEntriesThenRefuses() throws {
        try takeKey()
        let pass = try code(900)
        #expect(DayPassCode(scanned: pass.text) == pass && pass.text.count == 174)
        let first = try decide(pass, at: now)
        #expect(first.reason == .granted && first.subscriptionID == SubscriptionID(900))
        #expect(try decide(pass, at: now.adding(seconds: 3_600)).reason == .granted)
        #expect(try decide(pass, at: now.adding(seconds: 7_200)).reason == .planVisitLimit)
        #expect(
            try store.db.scalar("SELECT count(*) FROM attendance WHERE credential_kind = 'day_pass'", as: Int.self) == 3
        )
        // After its last day it is expired, whatever entries are left.
        #expect(try decide(try code(900), at: utc(2024, 6, 7, 16)).reason == .subscriptionExpired)
    }

    @Test func aForgedCodeOrOneBeforeTheKeyArrivesIsNobodys() throws {
        #expect(try decide(try code(900), at: now).reason == .passInvalid, "no key yet")
        try takeKey()
        let forged = try decide(try code(900, signer: try SigningKey.p256()), at: now)
        #expect(forged.reason == .passInvalid && forged.userID == nil)
        #expect(try decide(try code(12_345), at: now).reason == .passInvalid, "a pass this branch does not hold")
        // A code for a membership (no visits total) is no day pass, even signed.
        #expect(try decide(try code(901), at: now).reason == .passInvalid)
    }
}
