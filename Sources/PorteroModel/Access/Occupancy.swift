/// A branch's capacity in people: a soft limit that warns and a hard one that, when the chain
/// says so, refuses entries (`branch.full`). Either may be unset.
public struct OccupancyLimits: Hashable, Sendable, Codable {
    /// The count from which an entry is granted with a warning.
    public var warn: Int?
    /// The most people inside; an entry beyond it is refused when `refuses`, else only warned.
    public var limit: Int?
    /// The chain's choice: the hard limit refuses entries (true) or only warns (false).
    public var refuses: Bool

    public init(warn: Int? = nil, limit: Int? = nil, refuses: Bool = false) {
        self.warn = warn
        self.limit = limit
        self.refuses = refuses
    }

    /// True when neither limit is set: the door counts nobody.
    public var isEmpty: Bool { warn == nil && limit == nil }

    /// Where an entry would leave the branch when `others` people other than the one entering
    /// are inside.
    public func level(enteringWith others: Int) -> OccupancyLevel {
        let after = others + 1
        if let limit, after > limit { return .full }
        if let warn, after >= warn { return .warn }
        if let limit, after == limit { return .warn }
        return .ok
    }

    /// Where the branch stands with `count` people inside (the report's and the page's state).
    public func level(counting count: Int) -> OccupancyLevel {
        if let limit, count >= limit { return .full }
        if let warn, count >= warn { return .warn }
        return .ok
    }

    /// The biggest count a limit may hold.
    public static let maximumPeople = 100_000
}

/// How full a branch is against its limits.
public enum OccupancyLevel: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case ok
    case warn
    case full

    private var rank: Int {
        switch self {
        case .ok: 0
        case .warn: 1
        case .full: 2
        }
    }

    public static func < (lhs: OccupancyLevel, rhs: OccupancyLevel) -> Bool { lhs.rank < rhs.rank }
}

/// How the count of people inside is made at a branch.
public struct OccupancyRule: Hashable, Sendable {
    /// The branch has readers for exits: a person counts from their entry until their exit,
    /// for at most `exitBoundSeconds` (someone who left without presenting their card).
    public var countsExits: Bool
    /// When a member's own usual visit is not known yet: the chain's usual visit length.
    public var usualVisitSeconds: Int64

    public init(countsExits: Bool, usualVisitSeconds: Int64 = OccupancyRule.defaultUsualVisitMinutes * 60) {
        self.countsExits = countsExits
        self.usualVisitSeconds = usualVisitSeconds
    }

    /// The longest anyone counts as inside after an entry, whatever the rule.
    public static let exitBoundSeconds: Int64 = 12 * 3_600
    /// The usual visit when the chain has not said.
    public static let defaultUsualVisitMinutes: Int64 = 90
    /// True when a presence that began at `since` (inside) still counts at `now`, for a member
    /// whose own usual visit is `usualSeconds` (nil: not known yet).
    public func counts(since: Timestamp, usualSeconds: Int64?, now: Timestamp) -> Bool {
        let age = now.milliseconds(since: since)
        // A presence from the future (the clock moved back) does not count.
        guard age >= -Self.futureSlackMilliseconds else { return false }
        let usual = usualSeconds ?? usualVisitSeconds
        let bound = min(Self.exitBoundSeconds, countsExits ? 2 * usual : usual)
        return age < bound.secondsAsMilliseconds
    }

    /// How far ahead of the clock a presence may begin and still count (clocks of one branch's
    /// controllers drift a little apart).
    public static let futureSlackMilliseconds: Int64 = 60_000

}
