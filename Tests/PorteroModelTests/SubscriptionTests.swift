import PorteroModel
import Testing

@Suite struct SubscriptionTests {
    let base = Subscription(
        id: SubscriptionID(1), userID: UserID(1), planID: PlanID(1), startDay: day(2024, 1, 1),
        endDay: day(2024, 1, 31),
        graceDays: 2, pricePaid: Money(minorUnits: 100, currency: "MXN"))

    @Test func standingAtEachBoundary() {
        #expect(base.standing(on: day(2023, 12, 31)) == .notStarted)
        #expect(base.standing(on: day(2024, 1, 1)) == .current)
        #expect(base.standing(on: day(2024, 1, 31)) == .current)
        #expect(base.standing(on: day(2024, 2, 1)) == .grace)
        #expect(base.standing(on: day(2024, 2, 2)) == .grace)
        #expect(base.standing(on: day(2024, 2, 3)) == .expired)
    }

    @Test func cancelledWinsOverEverything() {
        var s = base
        s.status = .cancelled
        s.freezes = [FreezePeriod(start: day(2024, 1, 10))]
        #expect(s.standing(on: day(2024, 1, 15)) == .cancelled)
    }

    @Test func freezeDaysMoveTheEnd() {
        var s = base
        s.freezes = [FreezePeriod(start: day(2024, 1, 10), end: day(2024, 1, 19))]  // 10 days
        #expect(s.standing(on: day(2024, 1, 15)) == .frozen)
        #expect(s.effectiveEndDay(on: day(2024, 1, 25)) == day(2024, 2, 10))
        #expect(s.standing(on: day(2024, 2, 10)) == .current)
        #expect(s.standing(on: day(2024, 2, 11)) == .grace)
        #expect(s.standing(on: day(2024, 2, 13)) == .expired)
    }

    @Test func openFreezeCountsDaysSoFar() {
        var s = base
        s.freezes = [FreezePeriod(start: day(2024, 1, 20))]
        #expect(s.effectiveEndDay(on: day(2024, 1, 24)) == day(2024, 2, 5))
        #expect(s.standing(on: day(2024, 3, 1)) == .frozen)
    }
}
