/// A day of a branch's calendar that is not like the others: closed (a holiday), or open only
/// during special hours (Christmas Eve until two). Entries on that day follow it instead of any
/// door's weekly schedule; exits are never refused by it.
public struct CalendarDay: Hashable, Sendable, Codable {
    public var day: LocalDay
    /// The hours of that day; nil: closed all day.
    public var hours: DailyHours?
    /// What the day is, for the desk and the journal (`Navidad`).
    public var note: String

    public init(day: LocalDay, hours: DailyHours?, note: String) {
        self.day = day
        self.hours = hours
        self.note = note
    }

    public var isClosed: Bool { hours == nil }
}

/// A branch's closures and special hours, by local day.
public struct BranchCalendar: Hashable, Sendable {
    public private(set) var days: [LocalDay: CalendarDay]

    public init(_ days: [CalendarDay] = []) {
        self.days = Dictionary(days.map { ($0.day, $0) }, uniquingKeysWith: { _, last in last })
    }

    public subscript(day: LocalDay) -> CalendarDay? { days[day] }

    public var isEmpty: Bool { days.isEmpty }
}
