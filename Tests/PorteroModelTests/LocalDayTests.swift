import PorteroModel
import Testing

@Suite struct LocalDayTests {
    @Test func knownDayNumbers() {
        #expect(LocalDay(year: 1970, month: 1, day: 1)?.rawValue == 0)
        #expect(LocalDay(year: 2000, month: 3, day: 1)?.rawValue == 11_017)
        #expect(LocalDay(year: 1969, month: 12, day: 31)?.rawValue == -1)
    }

    @Test func componentsRoundTripAcrossFourCenturies() {
        var day = LocalDay(year: 1900, month: 1, day: 1)!
        let end = LocalDay(year: 2300, month: 1, day: 1)!
        while day < end {
            let c = day.components
            #expect(LocalDay(year: c.year, month: c.month, day: c.day) == day)
            day = day.adding(days: 1)
        }
    }

    @Test func rejectsDatesThatDoNotExist() {
        #expect(LocalDay(year: 2023, month: 2, day: 29) == nil)
        #expect(LocalDay(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDay(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDay(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDay(year: 2024, month: 13, day: 1) == nil)
        #expect(LocalDay(year: 2024, month: 4, day: 31) == nil)
        #expect(LocalDay(iso: "2024-4-01") == nil)
        #expect(LocalDay(iso: "2024-04-01")?.description == "2024-04-01")
    }

    @Test func weekdaysAndISOWeekStart() {
        #expect(day(2024, 3, 31).weekday == .sunday)
        #expect(day(2024, 6, 3).weekday == .monday)
        #expect(day(1970, 1, 1).weekday == .thursday)
        #expect(day(2024, 3, 31).weekStart == day(2024, 3, 25))
        #expect(day(2024, 3, 25).weekStart == day(2024, 3, 25))
    }

    @Test func addingMonthsClampsToTheMonthsLength() {
        #expect(day(2024, 1, 31).adding(months: 1) == day(2024, 2, 29))
        #expect(day(2023, 1, 31).adding(months: 1) == day(2023, 2, 28))
        #expect(day(2024, 11, 15).adding(months: 3) == day(2025, 2, 15))
        #expect(day(2024, 3, 15).adding(months: -3) == day(2023, 12, 15))
    }

    @Test func monthKeysAreConsecutive() {
        #expect(day(2024, 12, 31).monthKey + 1 == day(2025, 1, 1).monthKey)
        #expect(day(2024, 2, 1).monthKey == day(2024, 2, 29).monthKey)
    }

    @Test func timestampPrintsISO8601() {
        #expect(utc(2024, 3, 31, 6, 30).description == "2024-03-31T06:30:00.000Z")
        #expect(Timestamp(milliseconds: -1).description == "1969-12-31T23:59:59.999Z")
    }

    @Test func planDurationsGiveInclusiveLastDays() {
        #expect(PlanDuration.months(1).lastDay(startingOn: day(2024, 1, 31)) == day(2024, 2, 28))
        #expect(PlanDuration.months(1).lastDay(startingOn: day(2024, 1, 1)) == day(2024, 1, 31))
        #expect(PlanDuration.days(30).lastDay(startingOn: day(2024, 1, 1)) == day(2024, 1, 30))
    }
}
