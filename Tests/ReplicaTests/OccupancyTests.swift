import PorteroModel
import SyncWire
import TestSupport
import Testing

@testable import Replica

/// The people inside as the replica counts them for the branch's limits, and the decisions the
/// count drives: all from the replica, with nothing asked of the core.
@Suite struct ReplicaOccupancyTests {
    static let open = utc(2024, 6, 3, 14, 0)
    static let unlimited = Plan(
        id: PlanID(1), name: "Libre", price: Money(minorUnits: 59_900, currency: "MXN"), duration: .months(1))

    /// A store with `count` members (cards 1001…), the plan without visit limits, and `setup`.
    func store(_ directory: TemporaryDirectory, members count: Int, setup: SyncBranchSetup) throws -> ReplicaStore {
        let store = try openStore(directory)
        try store.apply(
            [.upsertPlan(Self.unlimited)] + (1...count).flatMap { try member(Int64($0), card: 1_000 + UInt64($0)) })
        store.takeOccupancy(from: setup)
        return store
    }

    func enter(_ service: AccessService, card: UInt64, at time: Timestamp, direction: Direction = .entry) throws
        -> AccessDecision
    {
        let request = AccessRequest(doorID: door.id, direction: direction, presented: .card(CardNumber(rawValue: card)))
        return try service.handle(request, at: door, now: time).decision
    }

    @Test func theSoftLimitWarnsAndTheHardOneRefusesFromTheReplica() throws {
        let directory = try TemporaryDirectory()
        let setup = SyncBranchSetup(
            doors: [], calendar: [], occupancyWarn: 2, occupancyLimit: 3, occupancyRefuses: true)
        let store = try store(directory, members: 5, setup: setup)
        store.occupancyRule.countsExits = true
        let service = AccessService(store: store)
        var time = Self.open
        func next() -> Timestamp {
            time = time.adding(seconds: 60)
            return time
        }
        let first = try enter(service, card: 1_001, at: next())
        #expect(first.reason == .granted && first.occupancy == .ok)
        let second = try enter(service, card: 1_002, at: next())
        #expect(second.reason == .granted && second.occupancy == .warn, "the soft limit warns")
        let third = try enter(service, card: 1_003, at: next())
        #expect(third.reason == .granted && third.occupancy == .warn, "the last place")
        let fourth = try enter(service, card: 1_004, at: next())
        #expect(fourth.reason == .branchFull && fourth.occupancy == .full)
        #expect(try store.recentAttendance(limit: 1).first?.reason == .branchFull, "journalled for the core")
        #expect(try store.peopleInside(now: time) == 3, "the refused member is not inside")
        let again = try enter(service, card: 1_002, at: next())
        #expect(again.granted, "someone already counted inside is not refused: \(again.reason)")

        let exit = try enter(service, card: 1_001, at: next(), direction: .exit)
        #expect(exit.reason == .grantedExit)
        #expect(try store.peopleInside(now: time) == 2)
        let afterExit = try enter(service, card: 1_004, at: next())
        #expect(afterExit.reason == .granted, "a place freed by an exit")
    }

    @Test func withoutExitReadersEachPersonCountsForTheirUsualVisit() throws {
        let directory = try TemporaryDirectory()
        let setup = SyncBranchSetup(
            doors: [], calendar: [], occupancyLimit: 10, occupancyRefuses: true, usualVisitMinutes: 60)
        let store = try store(directory, members: 3, setup: setup)
        let service = AccessService(store: store)
        _ = try enter(service, card: 1_001, at: Self.open)
        _ = try enter(service, card: 1_002, at: Self.open.adding(seconds: 1_800))
        #expect(try store.peopleInside(now: Self.open.adding(seconds: 3_000)) == 2)
        #expect(try store.peopleInside(now: Self.open.adding(seconds: 3_700)) == 1, "the chain's 60 minutes ran out")
        #expect(try store.peopleInside(now: Self.open.adding(seconds: 5_500)) == 0)
        #expect(try store.peopleInside(excluding: UserID(2), now: Self.open.adding(seconds: 3_000)) == 1)
    }

    @Test func afterTheClockMovesBackTheFutureEntriesDoNotFillTheBranch() throws {
        let directory = try TemporaryDirectory()
        let setup = SyncBranchSetup(
            doors: [], calendar: [], occupancyLimit: 2, occupancyRefuses: true, usualVisitMinutes: 60)
        let store = try store(directory, members: 4, setup: setup)
        let service = AccessService(store: store)
        // Two entries made while the clock ran a day ahead.
        let ahead = Self.open.adding(seconds: 86_400)
        _ = try enter(service, card: 1_001, at: ahead)
        _ = try enter(service, card: 1_002, at: ahead.adding(seconds: 60))
        #expect(try store.peopleInside(now: ahead.adding(seconds: 120)) == 2)
        // The clock is set right: those presences lie in the future and count for nobody.
        #expect(try store.peopleInside(now: Self.open) == 0)
        let back = try enter(service, card: 1_003, at: Self.open)
        #expect(back.reason == .granted, "the branch is not full until the clock catches up: \(back.reason)")
    }

    @Test func aBadLimitFromTheFeedIsTakenAsNone() {
        let setup = SyncBranchSetup(
            doors: [], calendar: [], occupancyWarn: 0, occupancyLimit: -5, occupancyRefuses: true,
            usualVisitMinutes: Int.max)
        #expect(setup.occupancy.isEmpty, "no limit refuses everyone")
        #expect(setup.usualVisitSeconds == 720 * 60, "held to twelve hours, no overflow")
    }

    @Test func exitsTeachEachMemberTheirUsualVisit() throws {
        let directory = try TemporaryDirectory()
        let setup = SyncBranchSetup(doors: [], calendar: [], occupancyLimit: 10, usualVisitMinutes: 60)
        let store = try store(directory, members: 1, setup: setup)
        let service = AccessService(store: store)
        #expect(try store.usualVisitSeconds(of: UserID(1)) == nil)
        _ = try enter(service, card: 1_001, at: Self.open)
        _ = try enter(service, card: 1_001, at: Self.open.adding(seconds: 7_200), direction: .exit)
        #expect(try store.usualVisitSeconds(of: UserID(1)) == 7_200, "the first visit is the usual one")
        _ = try enter(service, card: 1_001, at: Self.open.adding(seconds: 86_400))
        _ = try enter(service, card: 1_001, at: Self.open.adding(seconds: 86_400 + 3_600), direction: .exit)
        #expect(try store.usualVisitSeconds(of: UserID(1)) == (7_200 * 3 + 3_600) / 4, "a moving average")
        _ = try enter(service, card: 1_001, at: Self.open.adding(seconds: 2 * 86_400))
        _ = try enter(service, card: 1_001, at: Self.open.adding(seconds: 2 * 86_400 + 10), direction: .exit)
        #expect(try store.usualVisitSeconds(of: UserID(1)) == 6_300, "a visit under a minute teaches nothing")

        // Without exit readers this member counts for their own usual visit, not the chain's hour.
        _ = try enter(service, card: 1_001, at: Self.open.adding(seconds: 3 * 86_400))
        #expect(try store.peopleInside(now: Self.open.adding(seconds: 3 * 86_400 + 6_000)) == 1)
        #expect(try store.peopleInside(now: Self.open.adding(seconds: 3 * 86_400 + 6_400)) == 0)
    }

    @Test func theCountReadsThePartialIndexAlone() throws {
        let directory = try TemporaryDirectory()
        let store = try openStore(directory)
        let plan: [String] = try store.db.query(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM users WHERE inside = 1 AND presence_since > 0 AND id IS NOT 1"
        ) { try $0.get(3) }
        #expect(plan.joined().contains("COVERING INDEX users_inside"), "\(plan)")
    }

    @Test func wellUnderTheLimitsTheDoorCountsAtMostOnceAMinute() throws {
        let directory = try TemporaryDirectory()
        let setup = SyncBranchSetup(
            doors: [], calendar: [], occupancyWarn: 4, occupancyLimit: 5, occupancyRefuses: true)
        let store = try store(directory, members: 6, setup: setup)
        store.occupancyRule.countsExits = true
        let service = AccessService(store: store)
        var reasons: [ReasonCode] = []
        for card in 1_001...1_002 {
            let at = Self.open.adding(seconds: Int64(card - 1_000))
            reasons.append(try enter(service, card: UInt64(card), at: at).reason)
        }
        #expect(store.occupancyRecounts == 1, "two entries far under the soft limit: one count")
        // Near the limits (the upper bound would reach the soft one) every entry is counted exactly.
        for card in 1_003...1_006 {
            let at = Self.open.adding(seconds: Int64(card - 1_000))
            reasons.append(try enter(service, card: UInt64(card), at: at).reason)
        }
        #expect(reasons == [.granted, .granted, .granted, .granted, .granted, .branchFull])
        #expect(store.occupancyRecounts == 5, "the third to the sixth entries")
        // Far under new limits the last count serves for a minute, then the door counts again.
        store.takeOccupancy(
            from: SyncBranchSetup(doors: [], calendar: [], occupancyWarn: 400, occupancyLimit: 500))
        #expect(try enter(service, card: 1_006, at: Self.open.adding(seconds: 30)).occupancy == .ok)
        _ = try enter(service, card: 1_001, at: Self.open.adding(seconds: 40))
        #expect(store.occupancyRecounts == 5)
        _ = try enter(service, card: 1_002, at: Self.open.adding(seconds: 100))
        #expect(store.occupancyRecounts == 6)
        #expect(try store.peopleInside(now: Self.open.adding(seconds: 100)) == 6)
    }

    @Test func theChainsJournalRetentionOverridesTheFilesOnceItArrives() throws {
        let directory = try TemporaryDirectory()
        let store = try openStore(directory)
        #expect(store.journalRetentionDays(otherwise: 90) == 90, "no setup yet: the file's")
        try store.replaceBranchSetup(SyncBranchSetup(doors: [], calendar: []))
        #expect(store.journalRetentionDays(otherwise: 90) == 90, "a setup without one: the file's")
        try store.replaceBranchSetup(SyncBranchSetup(doors: [], calendar: [], journalRetentionDays: 400))
        #expect(store.journalRetentionDays(otherwise: 90) == 400)
        try store.replaceBranchSetup(SyncBranchSetup(doors: [], calendar: [], journalRetentionDays: 7))
        #expect(store.journalRetentionDays(otherwise: 90) == 35, "never under the least the file allows")
    }
}
