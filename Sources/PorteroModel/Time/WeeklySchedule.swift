/// A set of weekdays, one bit per ISO weekday (bit 0 is Monday).
public struct WeekdaySet: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }

    public init(_ days: [Weekday]) {
        self.init(rawValue: days.reduce(0) { $0 | (1 << UInt8($1.rawValue - 1)) })
    }

    public func contains(_ day: Weekday) -> Bool { rawValue & (1 << UInt8(day.rawValue - 1)) != 0 }

    public static let weekdays = WeekdaySet(rawValue: 0b001_1111)
    public static let weekend = WeekdaySet(rawValue: 0b110_0000)
    public static let everyDay = WeekdaySet(rawValue: 0b111_1111)

    public var days: [Weekday] { Weekday.allCases.filter { contains($0) } }
}

/// A weekly window of local time, e.g. Monday to Friday 06:00–10:00.
///
/// When `endMinute` is not after `startMinute` the window runs past midnight into the next day
/// (22:00–02:00 on Friday covers Friday night and the small hours of Saturday).
public struct TimeWindow: Hashable, Sendable, Codable {
    public var days: WeekdaySet
    /// Minutes since local midnight, 0..<1440, inclusive.
    public var startMinute: Int
    /// Minutes since local midnight, 1...1440, exclusive.
    public var endMinute: Int

    public init(days: WeekdaySet, startMinute: Int, endMinute: Int) {
        self.days = days
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    public var crossesMidnight: Bool { endMinute <= startMinute }

    /// True when the local time falls inside the window.
    public func contains(_ time: LocalTime) -> Bool {
        let weekday = time.day.weekday
        let minute = time.minuteOfDay
        if !crossesMidnight {
            return days.contains(weekday) && minute >= startMinute && minute < endMinute
        }
        return (days.contains(weekday) && minute >= startMinute)
            || (days.contains(weekday.previous) && minute < endMinute)
    }
}

/// Weekly windows: a plan's off-peak hours, or a door's opening hours.
///
/// Text form, as in config files and the API: `mon-fri 06:00-10:00; sat,sun 08:00-14:00`.
public struct WeeklySchedule: Hashable, Sendable, CustomStringConvertible {
    public var windows: [TimeWindow]

    public init(windows: [TimeWindow]) { self.windows = windows }

    /// True when any window contains the local time. A schedule with no windows contains nothing.
    public func contains(_ time: LocalTime) -> Bool {
        windows.contains { $0.contains(time) }
    }

    /// A schedule text that could not be read, with the part at fault.
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        public let text: String
        public let reason: String
        public var description: String { "invalid schedule '\(text)': \(reason)" }
    }

    /// Parses `DAYS HH:MM-HH:MM` items separated by `;`, where DAYS is a comma list of days or
    /// day ranges (`mon-fri`, `sat,sun`, `daily`). `24:00` ends a window at midnight.
    public init(parsing text: String) throws {
        var windows: [TimeWindow] = []
        for item in text.split(separator: ";") {
            let fields = item.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2 else { throw ParseError(text: String(item), reason: "expected 'DAYS HH:MM-HH:MM'") }
            let days = try Self.parseDays(fields[0])
            let times = fields[1].split(separator: "-", omittingEmptySubsequences: false)
            guard times.count == 2, let start = Self.parseMinute(times[0]), let end = Self.parseMinute(times[1]),
                start < 1440, end > 0
            else {
                throw ParseError(text: String(item), reason: "times must be HH:MM-HH:MM between 00:00 and 24:00")
            }
            guard start != end else {
                throw ParseError(text: String(item), reason: "a window cannot start and end at the same minute")
            }
            windows.append(TimeWindow(days: days, startMinute: start, endMinute: end))
        }
        guard !windows.isEmpty else { throw ParseError(text: text, reason: "no windows") }
        self.windows = windows
    }

    static func parseDays(_ text: Substring) throws -> WeekdaySet {
        if text == "daily" { return .everyDay }
        var set = WeekdaySet()
        for part in text.split(separator: ",") {
            let range = part.split(separator: "-")
            let found = range.compactMap { name in Weekday.allCases.first { $0.abbreviation == name.lowercased() } }
            guard found.count == range.count, (1...2).contains(found.count) else {
                throw ParseError(
                    text: String(text),
                    reason: "days are mon, tue, wed, thu, fri, sat, sun, ranges such as mon-fri, or daily")
            }
            var day = found[0]
            let last = found.last!  // safe: count checked above
            set.insert(WeekdaySet([day]))
            while day != last {
                day = Weekday(rawValue: day.rawValue % 7 + 1)!  // safe: 1...7
                set.insert(WeekdaySet([day]))
            }
        }
        return set
    }

    static func parseMinute(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m)
        else { return nil }
        let minute = h * 60 + m
        return minute <= 1440 ? minute : nil
    }

    /// Days as written: three or more in a row as a range (`mon-fri`), others one by one.
    static func describe(_ days: WeekdaySet) -> String {
        var parts: [String] = []
        var run: [Weekday] = []
        func flush() {
            if run.count >= 3 {
                parts.append("\(run[0].abbreviation)-\(run[run.count - 1].abbreviation)")
            } else {
                parts += run.map(\.abbreviation)
            }
            run = []
        }
        for day in Weekday.allCases {
            if days.contains(day) { run.append(day) } else { flush() }
        }
        flush()
        return parts.joined(separator: ",")
    }

    public var description: String {
        windows.map { window in
            let days = window.days == .everyDay ? "daily" : Self.describe(window.days)
            return "\(days) \(clockText(window.startMinute))-\(clockText(window.endMinute))"
        }.joined(separator: "; ")
    }
}

extension WeeklySchedule: TextCoded {}
