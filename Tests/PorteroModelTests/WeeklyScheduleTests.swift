import PorteroModel
import Testing

@Suite struct WeeklyScheduleTests {
    @Test func parsesAndPrintsDayRangesAndLists() throws {
        let schedule = try WeeklySchedule(parsing: "mon-fri 06:00-10:00; sat,sun 08:00-14:00")
        #expect(
            schedule.windows == [
                TimeWindow(days: .weekdays, startMinute: 360, endMinute: 600),
                TimeWindow(days: .weekend, startMinute: 480, endMinute: 840),
            ])
        #expect(schedule.description == "mon-fri 06:00-10:00; sat,sun 08:00-14:00")
        #expect(try WeeklySchedule(parsing: schedule.description) == schedule)
        #expect(
            try WeeklySchedule(parsing: "daily 00:00-24:00").windows == [
                TimeWindow(days: .everyDay, startMinute: 0, endMinute: 1440)
            ])
        #expect(
            try WeeklySchedule(parsing: "fri-mon 10:00-11:00").windows[0].days
                == WeekdaySet([.friday, .saturday, .sunday, .monday]))
    }

    @Test(arguments: [
        "", "mon", "mon 06:00", "mon 6:00-10:00", "xyz 06:00-10:00", "mon 06:00-25:00", "mon 06:00-06:00",
        "mon 06:60-07:00", "mon-fri-sat 06:00-07:00",
    ])
    func rejectsMalformedSchedules(text: String) {
        #expect(throws: WeeklySchedule.ParseError.self) { try WeeklySchedule(parsing: text) }
    }

    @Test func endIsExclusiveAndStartInclusive() throws {
        let schedule = try WeeklySchedule(parsing: "mon 06:00-10:00")
        #expect(schedule.contains(LocalTime(day: day(2024, 6, 3), minuteOfDay: 360)))
        #expect(schedule.contains(LocalTime(day: day(2024, 6, 3), minuteOfDay: 599)))
        #expect(!schedule.contains(LocalTime(day: day(2024, 6, 3), minuteOfDay: 600)))
        #expect(!schedule.contains(LocalTime(day: day(2024, 6, 4), minuteOfDay: 400)))
    }

    @Test func windowPastMidnightBelongsToTheDayItStarts() throws {
        let schedule = try WeeklySchedule(parsing: "fri 22:00-02:00")
        #expect(schedule.contains(LocalTime(day: day(2024, 6, 7), minuteOfDay: 23 * 60)))  // Friday night
        #expect(schedule.contains(LocalTime(day: day(2024, 6, 8), minuteOfDay: 90)))  // Saturday 01:30
        #expect(!schedule.contains(LocalTime(day: day(2024, 6, 8), minuteOfDay: 23 * 60)))  // Saturday night
        #expect(!schedule.contains(LocalTime(day: day(2024, 6, 7), minuteOfDay: 90)))  // Friday 01:30
    }

    @Test func dailyHoursAreSortedWindowsInsideTheDay() throws {
        let hours = try DailyHours(parsing: "16:00-20:00; 08:00-14:00")
        #expect(hours.description == "08:00-14:00; 16:00-20:00")
        #expect(hours.contains(minuteOfDay: 8 * 60) && hours.contains(minuteOfDay: 14 * 60 - 1))
        #expect(!hours.contains(minuteOfDay: 14 * 60) && !hours.contains(minuteOfDay: 15 * 60))
        #expect(try DailyHours(parsing: "20:00-24:00").contains(minuteOfDay: 1439))
    }

    @Test(arguments: [
        "", "08:00", "14:00-08:00", "22:00-02:00", "08:00-12:00; 11:00-13:00", "mon 08:00-12:00", "8:00-12:00",
    ])
    func dailyHoursRefuseWhatIsNotOneDaysWindows(text: String) {
        #expect(throws: DailyHours.ParseError.self) { try DailyHours(parsing: text) }
    }
}
