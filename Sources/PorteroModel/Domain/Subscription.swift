/// A span of days during which a subscription is frozen (inclusive); `end` nil while still frozen.
public struct FreezePeriod: Hashable, Sendable, Codable {
    public var start: LocalDay
    public var end: LocalDay?

    public init(start: LocalDay, end: LocalDay? = nil) {
        self.start = start
        self.end = end
    }

    public func contains(_ day: LocalDay) -> Bool {
        day >= start && (end.map { day <= $0 } ?? true)
    }

    /// Frozen days of this period up to and including `day` (a closed period counts whole).
    public func frozenDays(through day: LocalDay) -> Int {
        let last = min(end ?? day, day)
        return last < start ? 0 : last.days(since: start) + 1
    }
}

/// A user's subscription (inscripción) to a plan: the sale behind the dashboard.
public struct Subscription: Hashable, Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case active
        case cancelled
    }

    public var id: SubscriptionID
    public var userID: UserID
    public var planID: PlanID
    public var startDay: LocalDay
    /// The last day paid for, before freezes move it.
    public var endDay: LocalDay
    /// Days after the end during which the member still gets in (and is told to renew).
    public var graceDays: Int
    public var status: Status
    public var freezes: [FreezePeriod]
    public var pricePaid: Money
    public var promotion: String?
    public var paymentReference: String?
    /// For a pack: the entries the core has counted at other branches (nil: none). A replica adds
    /// its own from its journal.
    public var visitsElsewhere: Int?
    /// While a payment is owed: the first day the door refuses (`payment.overdue`).
    public var unpaidFrom: LocalDay?

    public init(
        id: SubscriptionID, userID: UserID, planID: PlanID, startDay: LocalDay, endDay: LocalDay, graceDays: Int = 0,
        status: Status = .active, freezes: [FreezePeriod] = [], pricePaid: Money, promotion: String? = nil,
        paymentReference: String? = nil,
        visitsElsewhere: Int? = nil, unpaidFrom: LocalDay? = nil
    ) {
        self.id = id
        self.userID = userID
        self.planID = planID
        self.startDay = startDay
        self.endDay = endDay
        self.graceDays = graceDays
        self.status = status
        self.freezes = freezes
        self.pricePaid = pricePaid
        self.promotion = promotion
        self.paymentReference = paymentReference
        self.visitsElsewhere = visitsElsewhere
        self.unpaidFrom = unpaidFrom
    }

    /// The first day the door refuses a payment due on `due`: the grace days after it still admit.
    public static func unpaidFrom(due: LocalDay, graceDays: Int) -> LocalDay { due.adding(days: max(0, graceDays) + 1) }

    /// True when a payment owed on this subscription closes the door on `day`.
    public func isOverdue(on day: LocalDay) -> Bool { unpaidFrom.map { day >= $0 } ?? false }

    /// The last paid day once freezes are counted: every frozen day moves the end by one.
    /// The stored `endDay` never changes, so freezing and unfreezing cannot drift it.
    public func effectiveEndDay(on day: LocalDay) -> LocalDay {
        endDay.adding(days: freezes.reduce(0) { $0 + $1.frozenDays(through: day) })
    }

    /// Where the subscription stands on `day`.
    public func standing(on day: LocalDay) -> SubscriptionStanding {
        if status == .cancelled { return .cancelled }
        if freezes.contains(where: { $0.contains(day) }) { return .frozen }
        if day < startDay { return .notStarted }
        let end = effectiveEndDay(on: day)
        if day <= end { return .current }
        if day.days(since: end) <= graceDays { return .grace }
        return .expired
    }
}

/// A subscription's standing on one day.
public enum SubscriptionStanding: String, Sendable, Codable {
    case current
    /// Past the end, within the grace days.
    case grace
    case notStarted = "not_started"
    case expired
    case frozen
    case cancelled

    /// True when the member gets in.
    public var admits: Bool { self == .current || self == .grace }
}
