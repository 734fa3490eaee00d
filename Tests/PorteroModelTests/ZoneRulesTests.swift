import Foundation
import PorteroModel
import Testing

@Suite struct ZoneRulesTests {
    @Test func mexicoCityKeptSummerTimeUntil2022Only() {
        // July 2021: CDT, UTC−5. July 2023: no more daylight saving, UTC−6.
        #expect(
            mexicoCity.localTime(at: utc(2021, 7, 5, 11, 30))
                == LocalTime(day: day(2021, 7, 5), minuteOfDay: 6 * 60 + 30))
        #expect(
            mexicoCity.localTime(at: utc(2023, 7, 3, 11, 30))
                == LocalTime(day: day(2023, 7, 3), minuteOfDay: 5 * 60 + 30))
        // The last change: 2022-10-30 02:00 CDT back to 01:00 CST (07:00Z).
        #expect(mexicoCity.offsetSeconds(at: utc(2022, 10, 30, 6, 59, 59)) == -5 * 3600)
        #expect(mexicoCity.offsetSeconds(at: utc(2022, 10, 30, 7, 0, 0)) == -6 * 3600)
    }

    @Test func madridSpringsForwardAtOneUTC() {
        // 2024-03-31 01:00Z: 02:00 CET becomes 03:00 CEST.
        #expect(madrid.localTime(at: utc(2024, 3, 31, 0, 59)).minuteOfDay == 1 * 60 + 59)
        #expect(madrid.localTime(at: utc(2024, 3, 31, 1, 0)).minuteOfDay == 3 * 60)
        // 2024-10-27 01:00Z: 03:00 CEST falls back to 02:00 CET.
        #expect(madrid.localTime(at: utc(2024, 10, 27, 0, 59)).minuteOfDay == 2 * 60 + 59)
        #expect(madrid.localTime(at: utc(2024, 10, 27, 1, 0)).minuteOfDay == 2 * 60)
    }

    @Test func localDayChangesAtLocalMidnight() {
        // 05:59Z is 23:59 of the previous day in Mexico City.
        #expect(mexicoCity.localDay(at: utc(2024, 6, 4, 5, 59)) == day(2024, 6, 3))
        #expect(mexicoCity.localDay(at: utc(2024, 6, 4, 6, 0)) == day(2024, 6, 4))
    }

    @Test(arguments: [
        "America/Mexico_City", "Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
        "America/Santiago",
    ])
    func tableAgreesWithTheSystemTimeZoneEverywhere(identifier: String) throws {
        let rules = try ZoneRules(identifier: identifier)
        let zone = TimeZone(identifier: identifier)!
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: 0..<4_102_444_800, using: &generator)  // 1970 to 2100
            let expected = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
            #expect(Int(rules.offsetSeconds(at: Timestamp(seconds: seconds))) == expected, "at \(seconds)")
        }
    }

    /// A day starts at local midnight, whatever the offset; where a clock change skips midnight
    /// (Santiago in September), at the first instant that exists.
    @Test func aDayStartsAtItsFirstLocalInstant() {
        #expect(mexicoCity.start(of: day(2024, 6, 4)) == utc(2024, 6, 4, 6, 0))
        #expect(madrid.start(of: day(2024, 7, 1)) == utc(2024, 6, 30, 22, 0))
        let santiago = try! ZoneRules(identifier: "America/Santiago")  // safe: a known zone
        // 2024-09-08 00:00 CLT (UTC−4) became 01:00 CLST (UTC−3), at 04:00Z.
        #expect(santiago.start(of: day(2024, 9, 8)) == utc(2024, 9, 8, 4, 0))
        #expect(santiago.localDay(at: utc(2024, 9, 8, 3, 59, 59)) == day(2024, 9, 7))
        var generator = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let target = LocalDay(daysSinceEpoch: Int32.random(in: 0..<47_000, using: &generator))
            let start = santiago.start(of: target)
            #expect(santiago.localDay(at: start) == target)
            #expect(santiago.localDay(at: start.adding(milliseconds: -1)) < target)
        }
    }

    @Test func unknownZoneIsAnError() {
        #expect(throws: ZoneRules.UnknownZone(identifier: "Mars/Olympus_Mons")) {
            try ZoneRules(identifier: "Mars/Olympus_Mons")
        }
    }
}
