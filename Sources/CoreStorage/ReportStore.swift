import PorteroModel

/// How the sales report groups subscriptions sold.
public enum SalesGrouping: String, CaseIterable, Sendable {
    case day, week, month, branch, plan, method, cashier
}

/// How the point-of-sale report groups ticket lines.
public enum PosGrouping: String, CaseIterable, Sendable {
    case product, category
}

/// One group of the sales report in one currency.
public struct SalesReportRow: Hashable, Sendable, Codable {
    /// The group: an ISO date (day, week's Monday), `YYYY-MM`, or an id / method name.
    public var key: String
    /// What people read: the branch's, plan's or cashier's name; the key otherwise.
    public var label: String
    public var count: Int
    public var currency: String
    public var minorUnits: Int64

    public init(key: String, label: String, count: Int, currency: String, minorUnits: Int64) {
        self.key = key
        self.label = label
        self.count = count
        self.currency = currency
        self.minorUnits = minorUnits
    }
}

/// One product or category of the point-of-sale report: what was sold less what was refunded.
public struct PosReportRow: Hashable, Sendable, Codable {
    public var key: String
    public var label: String
    public var quantity: Int
    public var minorUnits: Int64

    public init(key: String, label: String, quantity: Int, minorUnits: Int64) {
        self.key = key
        self.label = label
        self.quantity = quantity
        self.minorUnits = minorUnits
    }
}

/// Entries in one local hour of one weekday, summed over the period and the branches.
public struct HeatCell: Hashable, Sendable, Codable {
    /// ISO weekday: 1 is Monday.
    public var weekday: Int
    public var hour: Int
    public var count: Int

    public init(weekday: Int, hour: Int, count: Int) {
        self.weekday = weekday
        self.hour = hour
        self.count = count
    }
}

/// A member to call: their running subscription ends soon and no renewal follows it.
public struct ExpiringRow: Hashable, Sendable, Codable {
    public var subscription: Int64
    public var user: Int64
    public var clave: Int64
    public var name: String
    public var phone: String
    public var email: String
    public var plan: String
    public var branch: Int64
    public var branchName: String
    public var endDate: LocalDay
    public var daysLeft: Int
}

/// A member with a running subscription not seen at any door for a while.
public struct AbsentRow: Hashable, Sendable, Codable {
    public var user: Int64
    public var clave: Int64
    public var name: String
    public var phone: String
    public var email: String
    /// Their last entry; nil: they never came.
    public var lastVisit: Timestamp?
    public var lastBranch: Int64?
    public var lastBranchName: String?
    /// Days since the last entry; nil when they never came.
    public var daysAway: Int?
}

/// A page of the absent report and where the next one starts.
public struct AbsentPage: Hashable, Sendable, Codable {
    public var rows: [AbsentRow]
    /// Pass as `after` for the next page; nil on the last.
    public var next: String?
}

/// Entries made at one branch on subscriptions sold at another: what the selling branch owes.
public struct InterbranchRow: Hashable, Sendable, Codable {
    public var visitedBranch: Int64
    public var visitedBranchName: String
    public var homeBranch: Int64
    public var homeBranchName: String
    public var visits: Int
}

/// The reports (seed 003's Reportes), read from the sums the triggers of schema step 28 keep.
/// `branches` nil is every branch.
public protocol ReportStore {
    func sales(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, by: SalesGrouping) throws -> [SalesReportRow]
    func pos(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, by: PosGrouping) throws -> [PosReportRow]
    /// Entries by local weekday and hour, each branch's hours read in its own zone.
    func heatMap(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, zone: (BranchID) -> ZoneRules) throws
        -> [HeatCell]
    /// Subscriptions ending from `today` to `today + days` with no later one, the soonest first.
    func expiring(
        _ branches: Set<BranchID>?, today: LocalDay, days: Int, limit: Int, after: (LocalDay, Int64)?
    ) throws -> [ExpiringRow]
    /// Members with a subscription running today at `branches` whose last entry (anywhere) is
    /// `days` or more days old, or who never came in that time; the longest absent first.
    func absent(
        _ branches: Set<BranchID>?, today: LocalDay, now: Timestamp, days: Int, limit: Int, after: String?
    ) throws -> AbsentPage
    /// Entries at one branch on a subscription sold at another, for pairs touching `branches`.
    func interbranch(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [InterbranchRow]
}
