/// Visits counted per local day, ISO week and calendar month. A counter belongs to the period in
/// its key; once the period has passed it reads as zero, so no job has to reset counters at midnight.
public struct VisitCounters: Hashable, Sendable, Codable {
    public var day: LocalDay?
    public var dayCount: Int
    public var weekStart: LocalDay?
    public var weekCount: Int
    public var month: Int32?
    public var monthCount: Int

    public init(
        day: LocalDay? = nil, dayCount: Int = 0, weekStart: LocalDay? = nil, weekCount: Int = 0, month: Int32? = nil,
        monthCount: Int = 0
    ) {
        self.day = day
        self.dayCount = dayCount
        self.weekStart = weekStart
        self.weekCount = weekCount
        self.month = month
        self.monthCount = monthCount
    }

    public func visits(onDay today: LocalDay) -> Int { day == today ? dayCount : 0 }
    public func visits(inWeekOf today: LocalDay) -> Int { weekStart == today.weekStart ? weekCount : 0 }
    public func visits(inMonthOf today: LocalDay) -> Int { month == today.monthKey ? monthCount : 0 }

    /// The counters after one more visit on `today`.
    public func addingVisit(on today: LocalDay) -> VisitCounters {
        VisitCounters(
            day: today, dayCount: visits(onDay: today) + 1,
            weekStart: today.weekStart, weekCount: visits(inWeekOf: today) + 1,
            month: today.monthKey, monthCount: visits(inMonthOf: today) + 1)
    }

    /// This day's, week's and month's counts of both, for the periods of `today` (either's counter
    /// from a past period reads as zero): this branch's visits with those made elsewhere.
    public func adding(_ other: VisitCounters, on today: LocalDay) -> VisitCounters {
        VisitCounters(
            day: today, dayCount: visits(onDay: today) + other.visits(onDay: today),
            weekStart: today.weekStart, weekCount: visits(inWeekOf: today) + other.visits(inWeekOf: today),
            month: today.monthKey, monthCount: visits(inMonthOf: today) + other.visits(inMonthOf: today))
    }

    /// True when one more visit on `today` stays within `limit`.
    public func allowsVisit(on today: LocalDay, within limit: VisitLimit) -> Bool {
        if let perDay = limit.perDay, visits(onDay: today) >= perDay { return false }
        if let perWeek = limit.perWeek, visits(inWeekOf: today) >= perWeek { return false }
        if let perMonth = limit.perMonth, visits(inMonthOf: today) >= perMonth { return false }
        return true
    }
}

/// Where anti-passback last saw the user.
public struct Presence: Hashable, Sendable, Codable {
    public var inside: Bool
    /// When `inside` last changed.
    public var since: Timestamp
    /// The last entry, for timed re-entry.
    public var lastEntry: Timestamp?

    public init(inside: Bool, since: Timestamp, lastEntry: Timestamp?) {
        self.inside = inside
        self.since = since
        self.lastEntry = lastEntry
    }
}

/// Wrong PINs in a row and the lockout they caused.
public struct PINAttempts: Hashable, Sendable, Codable {
    public var failures: Int
    public var lockedUntil: Timestamp?

    public init(failures: Int = 0, lockedUntil: Timestamp? = nil) {
        self.failures = failures
        self.lockedUntil = lockedUntil
    }

    /// True while a lockout runs.
    public func isLockedOut(at now: Timestamp) -> Bool {
        guard let until = lockedUntil else { return false }
        return now < until
    }

    /// True when the lockout has run out and the failures start again from zero.
    func lockoutExpired(at now: Timestamp) -> Bool {
        guard let until = lockedUntil else { return false }
        return now >= until
    }
}

/// The per-user state the decision reads and updates: visit counters, anti-passback presence and PIN attempts.
public struct AccessState: Hashable, Sendable, Codable {
    public var visits: VisitCounters
    public var presence: Presence?
    public var pinAttempts: PINAttempts

    public init(
        visits: VisitCounters = VisitCounters(), presence: Presence? = nil, pinAttempts: PINAttempts = PINAttempts()
    ) {
        self.visits = visits
        self.presence = presence
        self.pinAttempts = pinAttempts
    }

    public static let initial = AccessState()

    /// The state after `decision` was taken for `request` at `door`.
    ///
    /// A grant at a door that confirms passage changes nothing here: the entry counts when the
    /// passage sensor reports it (`recordingPassage`). A wrong PIN counts toward the lockout.
    public func recording(
        _ decision: AccessDecision, for request: AccessRequest, at door: Door, context: AccessContext, now: Timestamp
    ) -> AccessState {
        var next = self
        if decision.reason == .pinLockedOut, let until = pinAttempts.lockedUntil,
            until.milliseconds(since: now) > context.policy.pinLockoutSeconds.secondsAsMilliseconds
        {
            // More lockout left than a lockout lasts: the clock moved back. Restart the lockout
            // from now, so a clock jump costs at most one lockout period, not the jump's length.
            next.pinAttempts.lockedUntil = now.adding(seconds: context.policy.pinLockoutSeconds)
        }
        if decision.reason == .pinWrong {
            var attempts = pinAttempts.lockoutExpired(at: now) ? PINAttempts() : pinAttempts
            attempts.failures += 1
            if attempts.failures >= context.policy.pinMaxFailures {
                attempts.lockedUntil = now.adding(seconds: context.policy.pinLockoutSeconds)
            }
            next.pinAttempts = attempts
        }
        guard decision.granted else { return next }
        if request.pin != nil || decision.reason == .grantedDuress {
            next.pinAttempts = PINAttempts()
        }
        if door.confirmsPassage { return next }
        return next.recordingPassage(request.direction, context: context, now: now)
    }

    /// The state after the user passed in `direction` (at once, or when a passage sensor confirmed it).
    public func recordingPassage(_ direction: Direction, context: AccessContext, now: Timestamp) -> AccessState {
        var next = self
        switch direction {
        case .entry:
            next.visits = visits.addingVisit(on: context.zone.localDay(at: now))
            next.presence = Presence(inside: true, since: now, lastEntry: now)
        case .exit:
            next.presence = Presence(inside: false, since: now, lastEntry: presence?.lastEntry)
        }
        return next
    }
}
