/// An amount in a currency's minor units (centavos, cents), so sums are exact.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public var minorUnits: Int64
    /// ISO 4217 code, e.g. MXN, EUR.
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let units = minorUnits.magnitude
        let cents = units % 100
        return "\(sign)\(units / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }
}

/// How long a subscription to a plan lasts.
public enum PlanDuration: Hashable, Sendable, Codable {
    case days(Int)
    case months(Int)

    /// The last day (inclusive) of a subscription starting on `start`.
    public func lastDay(startingOn start: LocalDay) -> LocalDay {
        switch self {
        case let .days(n): start.adding(days: max(1, n) - 1)
        case let .months(n): start.adding(months: max(1, n)).adding(days: -1)
        }
    }
}

/// Which branches a plan lets its members into.
public enum BranchCoverage: Hashable, Sendable, Codable {
    case allBranches
    case only(Set<BranchID>)

    public func covers(_ branch: BranchID) -> Bool {
        switch self {
        case .allBranches: true
        case let .only(set): set.contains(branch)
        }
    }
}

/// Most visits allowed per local day, ISO week and calendar month; nil is unlimited.
public struct VisitLimit: Hashable, Sendable, Codable {
    public var perDay: Int?
    public var perWeek: Int?
    public var perMonth: Int?
    /// Visits over a whole subscription, at every branch: a pack ("10 visitas").
    public var perSubscription: Int?

    public init(perDay: Int? = nil, perWeek: Int? = nil, perMonth: Int? = nil, perSubscription: Int? = nil) {
        self.perDay = perDay
        self.perWeek = perWeek
        self.perMonth = perMonth
        self.perSubscription = perSubscription
    }

    public static let unlimited = VisitLimit()
    public var isUnlimited: Bool { perDay == nil && perWeek == nil && perMonth == nil && perSubscription == nil }
}

/// A plan members subscribe to (seed 000 plan settings).
public struct Plan: Hashable, Sendable, Codable {
    public var id: PlanID
    public var name: String
    public var price: Money
    public var duration: PlanDuration
    public var branches: BranchCoverage
    /// Weekly windows when the plan admits (off-peak plans); nil admits at any time.
    public var windows: WeeklySchedule?
    public var visitLimit: VisitLimit
    public var features: [String]
    /// An inactive plan takes no new subscriptions; existing ones run to their end.
    public var active: Bool

    public init(
        id: PlanID, name: String, price: Money, duration: PlanDuration, branches: BranchCoverage = .allBranches,
        windows: WeeklySchedule? = nil, visitLimit: VisitLimit = .unlimited, features: [String] = [],
        active: Bool = true
    ) {
        self.id = id
        self.name = name
        self.price = price
        self.duration = duration
        self.branches = branches
        self.windows = windows
        self.visitLimit = visitLimit
        self.features = features
        self.active = active
    }
}
