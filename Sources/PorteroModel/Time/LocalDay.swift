/// A calendar day (proleptic Gregorian), as days since 1970-01-01.
///
/// Subscriptions start and end on days of the branch's calendar, and visit limits count per
/// local day, ISO week and month, so these are integers, not instants.
public struct LocalDay: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(daysSinceEpoch: Int32) { self.rawValue = daysSinceEpoch }

    /// The day `year`-`month`-`day`; nil when the date does not exist (Feb 30, month 13).
    public init?(year: Int, month: Int, day: Int) {
        // ±5 million years keeps every day number inside Int32.
        guard (-5_000_000...5_000_000).contains(year), (1...12).contains(month), day >= 1,
            day <= LocalDay.daysIn(month: month, year: year)
        else { return nil }
        // Days from civil: count in 400-year eras starting on March 1 so the leap day is last.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        self.rawValue = Int32(era * 146_097 + dayOfEra - 719_468)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (a: LocalDay, b: LocalDay) -> Bool { a.rawValue < b.rawValue }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// Year, month (1-12) and day (1-31).
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(rawValue) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO weekday: 1 is Monday, 7 is Sunday.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday (ISO 4).
        let index = (Int(rawValue) + 3).floorMod7
        return Weekday(rawValue: index + 1)!  // safe: floorMod7 is 0...6
    }

    /// The Monday that starts this day's ISO week.
    public var weekStart: LocalDay { adding(days: -(weekday.rawValue - 1)) }

    /// A number for the month: year × 12 + month − 1; consecutive months differ by one.
    public var monthKey: Int32 {
        let c = components
        return Int32(c.year * 12 + c.month - 1)
    }

    /// This day moved by `days`, saturating at the ends of the representable range.
    public func adding(days: Int) -> LocalDay {
        let (sum, overflow) = Int(rawValue).addingReportingOverflow(days)
        return LocalDay(rawValue: overflow ? (days < 0 ? Int32.min : Int32.max) : Int32(clamping: sum))
    }

    /// Days from `other` to `self`.
    public func days(since other: LocalDay) -> Int { Int(rawValue) - Int(other.rawValue) }

    /// This day plus `months` calendar months, the day of month clamped to the target month's length.
    public func adding(months: Int) -> LocalDay {
        let c = components
        // Clamped to ten thousand years either way, so any input stays a valid date.
        let total = c.year * 12 + (c.month - 1) + max(-120_000, min(120_000, months))
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        let day = min(c.day, LocalDay.daysIn(month: month, year: year))
        return LocalDay(year: year, month: month, day: day)!  // safe: day clamped to the month
    }

    public var description: String {
        let c = components
        let y = String(c.year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + (c.month < 10 ? "0" : "") + "\(c.month)-"
            + (c.day < 10 ? "0" : "") + "\(c.day)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = LocalDay(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a date as YYYY-MM-DD, got '\(text)'")
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// ISO weekday, Monday first.
public enum Weekday: Int, CaseIterable, Sendable, Codable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// The three-letter English abbreviation used in schedules (`mon` ... `sun`).
    public var abbreviation: String {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue - 1]
    }

    public var previous: Weekday { Weekday(rawValue: rawValue == 1 ? 7 : rawValue - 1)! }  // safe: 1...7
}

extension Int {
    var floorMod7: Int {
        let r = self % 7
        return r < 0 ? r + 7 : r
    }
}
