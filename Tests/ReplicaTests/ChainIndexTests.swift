import Foundation
import PorteroModel
@testable import Replica
import SQLite
import SyncWire
import TestSupport
import Testing

/// The chain's card index and the visits other branches counted: what a branch knows of people it
/// does not hold, and of its own members' entries elsewhere.
@Suite struct ChainIndexTests {
    let directory: TemporaryDirectory
    let store: ReplicaStore
    let service: AccessService
    /// Monday 2024-06-03 10:00 in Mexico City.
    let now = utc(2024, 6, 3, 16, 0)

    init() throws {
        directory = try TemporaryDirectory()
        store = try openStore(directory)
        service = AccessService(store: store)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 111))
    }

    func swipe(_ card: UInt64, at time: Timestamp? = nil) throws -> AccessService.Outcome {
        try service.handle(
            AccessRequest(doorID: door.id, direction: .entry, presented: .card(CardNumber(rawValue: card))), at: door,
            now: time ?? now)
    }

    static func chain(_ id: Int64, through: LocalDay?, cards: [UInt64], active: Bool = true) -> SyncItem {
        .chainMember(SyncChainMember(id: id, active: active, subscribedThrough: through, cards: cards))
    }

    func batch(_ cursor: Int64, _ items: [SyncItem]) -> SyncBatch {
        SyncBatch(cursor: cursor, items: items, commands: [], more: false, snapshotRequired: false, serverTime: now)
    }

    /// A member of another branch is refused with their id and the reason their standing gives;
    /// a stranger's card stays unknown; the branch's own cards are looked up first.
    @Test func anotherBranchsMemberIsToldApartFromAStranger() throws {
        try store.apply(
            batch(
                1,
                [
                    Self.chain(50, through: day(2024, 6, 30), cards: [5_050, 5_051]),
                    Self.chain(51, through: nil, cards: [5_151]),
                    Self.chain(52, through: day(2024, 6, 2), cards: [5_252]),
                    Self.chain(53, through: day(2024, 6, 30), cards: [5_353], active: false),
                    // The index names someone else for this branch's own card: the branch's own wins.
                    Self.chain(54, through: day(2024, 6, 30), cards: [111]),
                ]))
        let covered = try swipe(5_051)
        #expect(covered.decision.reason == .planBranchNotCovered && !covered.decision.granted)
        #expect(covered.event.userID == UserID(50) && covered.event.cardNumber == CardNumber(rawValue: 5_051))
        #expect(try store.outboxBatch(limit: 10).last == covered.event)
        #expect(try swipe(5_151).decision.reason == .subscriptionNone)
        #expect(try swipe(5_252).decision.reason == .subscriptionNone)
        #expect(try swipe(5_353).decision.reason == .userInactive)
        #expect(try swipe(111).decision.reason == .granted)
        #expect(try swipe(999).decision.reason == .credentialUnknown)
        #expect(try store.statistics().chainCards == 6)
        // The standing moves with the date alone: after the 30th, member 50 holds nothing.
        #expect(try swipe(5_050, at: utc(2024, 7, 1, 16, 0)).decision.reason == .subscriptionNone)
        // A person's item replaces their entries: a lost card leaves the index, a new one enters.
        try store.apply(batch(2, [Self.chain(50, through: day(2024, 12, 31), cards: [5_055])]))
        #expect(try swipe(5_051).decision.reason == .credentialUnknown)
        #expect(try swipe(5_055).decision.reason == .planBranchNotCovered)
        // A number given to someone else moves with it.
        try store.apply(batch(3, [Self.chain(51, through: day(2024, 12, 31), cards: [5_151, 5_055])]))
        #expect(try swipe(5_055).decision.userID == UserID(51))
    }

    /// A number lost here and given to a member of another branch is theirs now.
    @Test func aCardLostHereAndGivenElsewhereIsItsNewHolders() throws {
        try store.apply(
            member(2, card: 222)
                + [
                    .upsertCredential(
                        Credential(
                            id: CredentialID(20), userID: UserID(2), card: CardNumber(rawValue: 222), status: .lost))
                ])
        #expect(try swipe(222).decision.reason == .credentialLost)
        try store.apply(batch(1, [Self.chain(70, through: day(2024, 12, 31), cards: [222])]))
        let outcome = try swipe(222)
        #expect(outcome.decision.reason == .planBranchNotCovered && outcome.event.userID == UserID(70))
    }

    /// A removed member's card is read from the index: they stay a member of the chain.
    @Test func aMemberWhoLeavesThisBranchIsStillKnownToTheChain() throws {
        try store.apply(batch(1, [Self.chain(1, through: day(2024, 12, 31), cards: [111])]))
        try store.apply(batch(2, [.removeUser(1)]))
        let outcome = try swipe(111)
        #expect(outcome.decision.reason == .planBranchNotCovered && outcome.event.userID == UserID(1))
    }

    /// A snapshot stages the index and swaps it in whole with the rest.
    @Test func theIndexComesWholeWithASnapshot() throws {
        try store.apply(batch(1, [Self.chain(60, through: day(2024, 12, 31), cards: [6_060])]))
        try store.stage(
            SyncSnapshotPage(
                sequence: 10, items: [.plan(monthly), Self.chain(61, through: day(2024, 12, 31), cards: [6_161])],
                nextAfter: 61, serverTime: now), after: 0)
        #expect(try swipe(6_060).decision.reason == .planBranchNotCovered)
        #expect(try swipe(6_161).decision.reason == .credentialUnknown)
        try store.stage(
            SyncSnapshotPage(
                sequence: 10, items: [Self.chain(62, through: nil, cards: [6_262])], nextAfter: nil, serverTime: now),
            after: 61)
        try store.finishSnapshot()
        #expect(try swipe(6_060).decision.reason == .credentialUnknown)
        #expect(try swipe(6_161).decision.reason == .planBranchNotCovered)
        #expect(try swipe(6_262).decision.reason == .subscriptionNone)
        #expect(try store.db.scalar("SELECT count(*) FROM snapshot_chain_cards", as: Int.self) == 0)
    }

    /// The entries counted elsewhere come with the person, count with this branch's own against
    /// a per-period limit, survive this branch's decisions, and are replaced by the next sync.
    @Test func visitsElsewhereCountAgainstPerPeriodLimits() throws {
        // `monthly` allows two entries a day; one was made at another branch today.
        func user(visitsElsewhere: VisitCounters?) -> SyncItem {
            .user(
                SyncUser(
                    id: 1, clave: 1, displayName: "Socio 1", active: true, roles: [.client], grantedHere: true,
                    pin: nil, cards: [SyncCard(id: 10, number: 111, status: .active)],
                    subscriptions: [
                        Subscription(
                            id: SubscriptionID(100), userID: UserID(1), planID: monthly.id, startDay: day(2024, 1, 1),
                            endDay: day(2024, 12, 31), pricePaid: monthly.price)
                    ], visitsElsewhere: visitsElsewhere))
        }
        try store.apply(batch(1, [user(visitsElsewhere: VisitCounters().addingVisit(on: day(2024, 6, 3)))]))
        #expect(try swipe(111).decision.reason == .granted)
        #expect(try swipe(111, at: now.adding(seconds: 60)).decision.reason == .planVisitLimit)
        #expect(try store.facts(for: .card(CardNumber(rawValue: 111))).facts?.visitsElsewhere.dayCount == 1)
        // Tomorrow the count elsewhere is yesterday's: two more fit.
        let tomorrow = now.adding(seconds: 86_400)
        #expect(try swipe(111, at: tomorrow).decision.reason == .granted)
        // A sync says none elsewhere after all (nil): the second entry today fits again.
        try store.apply(batch(2, [user(visitsElsewhere: nil)]))
        #expect(try swipe(111, at: tomorrow.adding(seconds: 60)).decision.reason == .granted)
        // Through a snapshot too.
        try store.stage(
            SyncSnapshotPage(
                sequence: 5,
                items: [
                    .plan(monthly),
                    user(
                        visitsElsewhere: VisitCounters(
                            day: day(2024, 6, 5), dayCount: 2, weekStart: day(2024, 6, 3), weekCount: 2,
                            month: day(2024, 6, 5).monthKey, monthCount: 2)),
                ], nextAfter: nil, serverTime: now), after: 0)
        try store.finishSnapshot()
        #expect(try swipe(111, at: now.adding(seconds: 2 * 86_400)).decision.reason == .planVisitLimit)
    }

    /// A replica made before the index takes a snapshot to fill it.
    @Test func aReplicaMadeBeforeTheIndexTakesASnapshot() throws {
        let path = directory.file("old.sqlite")
        let old = try Connection(path: path)
        let before = Migrator(
            applicationID: ReplicaSchema.applicationID,
            migrations: ReplicaSchema.migrator.migrations.filter { $0.version <= 7 })
        _ = try before.migrate(old)
        try old.execute(
            "INSERT INTO replica_meta (key, value) VALUES ('branch_id', '1'), ('bootstrapped', '1'), "
                + "('sync_cursor', '40')")
        let store = try ReplicaStore(path: path, branchID: branch, timeZone: "America/Mexico_City")
        #expect(try !store.isBootstrapped() && store.syncCursor() == 40)
    }
}
