import TestSupport
import Foundation
import PorteroModel
@testable import Replica
import SQLite
import Testing

@Suite struct AccessServiceTests {
    let directory: TemporaryDirectory
    let store: ReplicaStore
    let service: AccessService
    /// Monday 2024-06-03 10:00 in Mexico City.
    let now = utc(2024, 6, 3, 16, 0)

    init() throws {
        directory = try TemporaryDirectory()
        store = try openStore(directory)
        service = AccessService(store: store)
        try store.apply(
            [.upsertPlan(monthly)] + member(1, card: 111, pin: "2468") + member(2, card: 222, end: day(2024, 1, 31)))
    }

    func request(_ card: UInt64, pin: String? = nil, direction: Direction = .entry) throws -> AccessRequest {
        AccessRequest(
            doorID: door.id, direction: direction, presented: .card(CardNumber(rawValue: card)),
            pin: try pin.map { try pinDigest($0) })
    }

    @Test func grantIsJournalledQueuedAndVisibleToAnotherConnection() throws {
        let outcome = try service.handle(try request(111), at: door, now: now)
        #expect(outcome.decision.reason == .granted)
        #expect(outcome.event.userID == UserID(1) && outcome.event.subscriptionID == SubscriptionID(100))
        // Committed before handle returned: a separate connection sees it.
        let reader = try Connection(path: store.path)
        #expect(try reader.scalar("SELECT count(*) FROM attendance WHERE reason = 'granted'", as: Int.self) == 1)
        #expect(try store.outboxBatch(limit: 10) == [outcome.event])
        #expect(try store.recentAttendance(limit: 1) == [outcome.event])
    }

    @Test func unknownCardIsJournalledWithItsNumberForEnrolment() throws {
        let outcome = try service.handle(try request(999_999), at: door, now: now)
        #expect(outcome.decision.reason == .credentialUnknown)
        #expect(outcome.event.cardNumber == CardNumber(rawValue: 999_999))
        #expect(outcome.event.userID == nil && !outcome.event.granted)
        #expect(try store.outboxDepth() == 1)
    }

    @Test func expiredMemberIsDeniedAndStillJournalled() throws {
        #expect(try service.handle(try request(222), at: door, now: now).decision.reason == .subscriptionExpired)
        #expect(try store.statistics().attendance == 1)
    }

    @Test func visitLimitStateIsKeptOnDisk() throws {
        #expect(try service.handle(try request(111), at: door, now: now).decision.reason == .granted)
        #expect(
            try service.handle(try request(111), at: door, now: now.adding(seconds: 60)).decision.reason == .granted)
        // A new service on a new store: the counters come from the file.
        let reopened = AccessService(store: try openStore(directory))
        #expect(
            try reopened.handle(try request(111), at: door, now: now.adding(seconds: 120)).decision.reason
                == .planVisitLimit)
        #expect(try reopened.store.facts(for: .card(CardNumber(rawValue: 111))).state.visits.dayCount == 2)
    }

    @Test func aPackCountsTheCoresEntriesElsewhereAndTheJournalsHere() throws {
        let pack = Plan(
            id: PlanID(2), name: "Paquete 3", price: Money(minorUnits: 29_900, currency: "MXN"), duration: .months(3),
            visitLimit: VisitLimit(perSubscription: 3))
        try store.apply(
            [
                .upsertPlan(pack),
                .upsertUser(ReplicaUser(id: UserID(5), clave: 5, displayName: "Socia 5", active: true)),
                .upsertCredential(Credential(id: CredentialID(50), userID: UserID(5), card: CardNumber(rawValue: 555))),
                .upsertSubscription(
                    Subscription(
                        id: SubscriptionID(500), userID: UserID(5), planID: PlanID(2), startDay: day(2024, 1, 1),
                        endDay: day(2024, 12, 31), pricePaid: Money(minorUnits: 29_900, currency: "MXN"),
                        visitsElsewhere: 1)),
            ], cursor: 2)
        // One entry made elsewhere (the core's count), two here: the fourth is refused, today or any day.
        #expect(try service.handle(try request(555), at: door, now: now).decision.reason == .granted)
        #expect(
            try service.handle(try request(555), at: door, now: now.adding(seconds: 86_400)).decision.reason == .granted
        )
        #expect(try store.facts(for: .card(CardNumber(rawValue: 555))).facts?.subscriptions.first?.visitsUsed == 3)
        #expect(
            try service.handle(try request(555), at: door, now: now.adding(seconds: 3 * 86_400)).decision.reason
                == .planVisitLimit)
    }

    @Test func pinLockoutIsKeptOnDisk() throws {
        var pinDoor = door
        pinDoor.requiresPIN = true
        for _ in 0..<3 {
            #expect(
                try service.handle(try request(111, pin: "0000"), at: pinDoor, now: now).decision.reason == .pinWrong)
        }
        #expect(
            try service.handle(try request(111, pin: "2468"), at: pinDoor, now: now).decision.reason == .pinLockedOut)
        let state = try store.facts(for: .card(CardNumber(rawValue: 111))).state
        #expect(state.pinAttempts.lockedUntil == now.adding(seconds: 600))
        #expect(
            try service.handle(try request(111, pin: "2468"), at: pinDoor, now: now.adding(seconds: 600)).decision
                .reason == .granted)
        #expect(
            try service.handle(try request(111, pin: "2468"), at: pinDoor, now: now.adding(seconds: 600)).event
                .credentialKind == .cardAndPIN)
    }

    @Test func antiPassbackPresenceIsKeptOnDisk() throws {
        var apbDoor = door
        apbDoor.antiPassback = AntiPassbackRule(inOut: true)
        #expect(try service.handle(try request(111), at: apbDoor, now: now).decision.reason == .granted)
        #expect(
            try service.handle(try request(111), at: apbDoor, now: now.adding(seconds: 5)).decision.reason
                == .antipassbackAlreadyInside)
        #expect(
            try service.handle(try request(111, direction: .exit), at: apbDoor, now: now.adding(seconds: 9)).decision
                .reason == .grantedExit)
        #expect(
            try service.handle(try request(111), at: apbDoor, now: now.adding(seconds: 20)).decision.reason == .granted)
    }

    @Test func acknowledgementEmptiesTheOutboxOnceAndKeepsTheJournal() throws {
        let events = try (0..<5).map {
            try service.handle(try request(111), at: door, now: now.adding(seconds: Int64($0))).event
        }
        let batch = try store.outboxBatch(limit: 3)
        #expect(batch == Array(events.prefix(3)))
        try store.acknowledge(batch.map(\.id))
        try store.acknowledge(batch.map(\.id))  // a repeated acknowledgement changes nothing
        #expect(try store.outboxBatch(limit: 10) == Array(events.suffix(2)))
        #expect(try store.statistics().attendance == 5)
    }

    @Test func fullDiskFailsTheRequestAndWritesNothingHalfWay() throws {
        let pages = try store.db.scalar("PRAGMA page_count", as: Int.self)
        try store.db.execute("PRAGMA max_page_count = \(pages + 1)")
        var failure: SQLiteError?
        for i in 0..<10_000 {
            do {
                _ = try service.handle(try request(111), at: door, now: now.adding(seconds: Int64(i)))
            } catch let error as SQLiteError {
                failure = error
                break
            }
        }
        #expect(failure?.isDiskFull == true)
        // Every journalled event has its outbox row and nothing else was left behind.
        let stats = try store.statistics()
        #expect(stats.attendance == stats.outbox)
        #expect(store.db.isAutocommit)
        // With room again, the next request goes through.
        try store.db.execute("PRAGMA max_page_count = 1073741823")
        // visit limit: 2 a day
        #expect(
            try service.handle(try request(111), at: door, now: now.adding(seconds: 20_000)).decision.granted == false)
        #expect(try store.integrityProblems().isEmpty)
    }

    @Test func aFullDiskStillDecidesButSaysTheJournalDoesNotHoldIt() throws {
        let pages = try store.db.scalar("PRAGMA page_count", as: Int.self)
        try store.db.execute("PRAGMA max_page_count = \(pages + 1)")
        var admission: AccessService.Admission?
        for i in 0..<10_000 {
            let next = try service.admit(try request(111), at: door, now: now.adding(seconds: Int64(i * 100_000)))
            if next.journalFailure != nil {
                admission = next
                break
            }
        }
        let full = try #require(admission)
        #expect(full.journalFailure?.isDiskFull == true)
        #expect(full.outcome.decision.granted, "the member is admitted from the replica")
        #expect(full.outcome.event.reason == .granted && full.outcome.event.userID != nil)
        let stats = try store.statistics()
        #expect(stats.attendance == stats.outbox, "nothing half-written")
        #expect(
            try store.db.scalar(
                "SELECT count(*) FROM attendance WHERE id = ?", full.outcome.event.id.bytes, as: Int.self) == 0)
    }
}
