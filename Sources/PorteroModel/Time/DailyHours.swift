/// Opening hours of one day, as windows of local time inside it: `08:00-14:00; 16:00-20:00`.
///
/// A window never runs past midnight (the next day has hours of its own); `24:00` ends one at
/// midnight. Windows are kept sorted and may not overlap.
public struct DailyHours: Hashable, Sendable, CustomStringConvertible {
    /// One window: minutes since local midnight, `start` inclusive, `end` exclusive.
    public struct Window: Hashable, Sendable {
        public var start: Int
        public var end: Int
        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
    }

    public private(set) var windows: [Window]

    /// A text that could not be read, with the part at fault.
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        public let text: String
        public let reason: String
        public var description: String { "invalid hours '\(text)': \(reason)" }
    }

    /// Parses `HH:MM-HH:MM` windows separated by `;`, each starting before it ends, none overlapping.
    public init(parsing text: String) throws {
        var windows: [Window] = []
        for item in text.split(separator: ";") {
            let trimmed = item.split(separator: " ", omittingEmptySubsequences: true)
            guard trimmed.count == 1 else { throw ParseError(text: String(item), reason: "expected 'HH:MM-HH:MM'") }
            let times = trimmed[0].split(separator: "-", omittingEmptySubsequences: false)
            guard times.count == 2, let start = WeeklySchedule.parseMinute(times[0]),
                let end = WeeklySchedule.parseMinute(times[1])
            else {
                throw ParseError(text: String(item), reason: "times must be HH:MM-HH:MM between 00:00 and 24:00")
            }
            guard start < end else {
                throw ParseError(text: String(item), reason: "a window starts before it ends, within the day")
            }
            windows.append(Window(start: start, end: end))
        }
        guard !windows.isEmpty else { throw ParseError(text: text, reason: "no windows") }
        windows.sort { $0.start < $1.start }
        for (earlier, later) in zip(windows, windows.dropFirst()) where later.start < earlier.end {
            throw ParseError(text: text, reason: "windows overlap")
        }
        self.windows = windows
    }

    /// True when the minute of the day falls inside a window.
    public func contains(minuteOfDay minute: Int) -> Bool {
        windows.contains { minute >= $0.start && minute < $0.end }
    }

    public var description: String {
        windows.map { "\(clockText($0.start))-\(clockText($0.end))" }.joined(separator: "; ")
    }
}

extension DailyHours: TextCoded {}
