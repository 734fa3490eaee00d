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
public enum PlanDuration: Hashable, Sendable {
    case days(Int)
    case months(Int)

    /// The last day (inclusive) of a subscription starting on `start`.
    public func lastDay(startingOn start: LocalDay) -> LocalDay {
        switch self {
        case let .days(n): start.adding(days: max(1, n) - 1)
        case let .months(n): start.adding(months: max(1, n)).adding(days: -1)
        }
    }

    /// "1 month", "30 days".
    public var description: String {
        switch self {
        case let .days(n): n == 1 ? "1 day" : "\(n) days"
        case let .months(n): n == 1 ? "1 month" : "\(n) months"
        }
    }
}

extension PlanDuration: Codable {
    enum Unit: String, Codable { case days, months }
    enum Keys: String, CodingKey { case unit, count }
    /// The shape plan versions, replicas and the sync feed carry (`{"months": {"_0": 1}}`, Swift's
    /// synthesised one), kept so that a branch controller not yet upgraded still reads every plan.
    /// The API shows a plan's duration as `PlanDurationView` instead.
    enum LegacyKeys: String, CodingKey { case days, months }
    enum LegacyValue: String, CodingKey { case value = "_0" }

    /// Reads the stored shape, and `{"unit": "months", "count": 1}` as well.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.unit) {
            let count = try container.decode(Int.self, forKey: .count)
            switch try container.decode(Unit.self, forKey: .unit) {
            case .days: self = .days(count)
            case .months: self = .months(count)
            }
            return
        }
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        if legacy.contains(.months) {
            let value = try legacy.nestedContainer(keyedBy: LegacyValue.self, forKey: .months)
            self = .months(try value.decode(Int.self, forKey: .value))
        } else {
            let value = try legacy.nestedContainer(keyedBy: LegacyValue.self, forKey: .days)
            self = .days(try value.decode(Int.self, forKey: .value))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: LegacyKeys.self)
        switch self {
        case let .days(n):
            var value = container.nestedContainer(keyedBy: LegacyValue.self, forKey: .days)
            try value.encode(n, forKey: .value)
        case let .months(n):
            var value = container.nestedContainer(keyedBy: LegacyValue.self, forKey: .months)
            try value.encode(n, forKey: .value)
        }
    }
}

/// A plan's duration as the API shows it: `{"unit": "months", "count": 1}`.
public struct PlanDurationView: Hashable, Sendable, Codable {
    public var unit: String
    public var count: Int

    public init(_ duration: PlanDuration) {
        switch duration {
        case let .days(n): (unit, count) = ("days", n)
        case let .months(n): (unit, count) = ("months", n)
        }
    }

    /// The duration it shows.
    public var duration: PlanDuration { unit == "days" ? .days(count) : .months(count) }

    /// The last day (inclusive) of a subscription starting on `start`.
    public func lastDay(startingOn start: LocalDay) -> LocalDay { duration.lastDay(startingOn: start) }
}

/// Which branches a plan lets its members into.
public enum BranchCoverage: Hashable, Sendable {
    case allBranches
    case only(Set<BranchID>)

    public func covers(_ branch: BranchID) -> Bool {
        switch self {
        case .allBranches: true
        case let .only(set): set.contains(branch)
        }
    }
}

extension BranchCoverage: Codable {
    enum Scope: String, Codable { case all, only }
    enum Keys: String, CodingKey { case scope, branches }
    /// The stored and synced shape (`{"allBranches": {}}`, `{"only": {"_0": [1]}}`), kept for
    /// branch controllers not yet upgraded; see `PlanDuration`.
    enum LegacyKeys: String, CodingKey { case allBranches, only }
    enum LegacyValue: String, CodingKey { case value = "_0" }

    /// Reads the stored shape, and `{"scope": "all"}` / `{"scope": "only", "branches": [1]}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.scope) {
            switch try container.decode(Scope.self, forKey: .scope) {
            case .all: self = .allBranches
            case .only: self = .only(Set(try container.decode([BranchID].self, forKey: .branches)))
            }
            return
        }
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        if legacy.contains(.only) {
            let value = try legacy.nestedContainer(keyedBy: LegacyValue.self, forKey: .only)
            self = .only(try value.decode(Set<BranchID>.self, forKey: .value))
        } else {
            _ = try legacy.nestedContainer(keyedBy: LegacyValue.self, forKey: .allBranches)
            self = .allBranches
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: LegacyKeys.self)
        switch self {
        case .allBranches:
            _ = container.nestedContainer(keyedBy: LegacyValue.self, forKey: .allBranches)
        case let .only(set):
            var value = container.nestedContainer(keyedBy: LegacyValue.self, forKey: .only)
            try value.encode(set.sorted { $0.rawValue < $1.rawValue }, forKey: .value)
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
