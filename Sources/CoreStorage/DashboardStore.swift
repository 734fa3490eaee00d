import Foundation
import PorteroModel

/// Seed 000's dashboard figures over a date range and the caller's branches.
public struct DashboardFigures: Hashable, Sendable, Codable {
    public struct Amount: Hashable, Sendable, Codable {
        public var currency: String
        public var minorUnits: Int64
    }
    public struct Count: Hashable, Sendable, Codable {
        public var label: String
        public var count: Int
    }
    public struct PlanSales: Hashable, Sendable, Codable {
        public var plan: String
        public var count: Int
        public var currency: String
        public var minorUnits: Int64
    }

    public var from: LocalDay
    public var to: LocalDay
    public var totalUsers: Int
    public var activeCustomers: Int
    public var inactiveCustomers: Int
    public var sales: [Amount]
    public var plansSold: Int
    public var averageSale: [Amount]
    public var customersPerCity: [Count]
    public var salesPerPlan: [PlanSales]
    /// New customers registered in each month of `to`'s year ("2026-01" … "2026-12").
    public var newCustomersPerMonth: [Count]
    /// Granted entries per day of the range.
    public var attendancePerDay: [Count]
}

/// The dashboard's queries over `branches` (nil: every branch), one per figure so the benchmark
/// can time each.
public protocol DashboardStore {
    func totalUsers(_ branches: Set<BranchID>?) throws -> Int
    /// Customers with a subscription that admits today or is frozen (a paused customer is still
    /// one), per branch: one pass over the running subscriptions serves the active, inactive and
    /// per-city figures.
    func activePerBranch(_ branches: Set<BranchID>?, today: LocalDay) throws -> [Int64: Int]
    /// Running customers, counted once per branch.
    func activeCustomers(_ branches: Set<BranchID>?, today: LocalDay) throws -> Int
    /// Customers of these branches (ever sold a subscription there) with none running today;
    /// `active` is `activePerBranch`'s answer when the caller has it (nil: asked again).
    func inactiveCustomers(_ branches: Set<BranchID>?, today: LocalDay, active: [Int64: Int]?) throws -> Int
    /// Sales per currency in the range, and how many subscriptions were sold.
    func sales(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> (
        amounts: [DashboardFigures.Amount], count: Int
    )
    func averageSale(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [DashboardFigures.Amount]
    /// Running customers by the city of the branch they subscribed at; `active` as in
    /// `inactiveCustomers`.
    func customersPerCity(_ branches: Set<BranchID>?, today: LocalDay, active: [Int64: Int]?) throws
        -> [DashboardFigures.Count]
    func salesPerPlan(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [DashboardFigures.PlanSales]
    /// Members who became customers (their first subscription at a branch) in each month of `year`.
    func newCustomersPerMonth(_ branches: Set<BranchID>?, year: Int) throws -> [DashboardFigures.Count]
    /// Granted entries per day of the range.
    func attendancePerDay(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [DashboardFigures.Count]
    /// Every figure, read in one snapshot.
    func figures(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, today: LocalDay) throws -> DashboardFigures
}

extension DashboardStore {
    public func inactiveCustomers(_ branches: Set<BranchID>?, today: LocalDay) throws -> Int {
        try inactiveCustomers(branches, today: today, active: nil)
    }

    public func customersPerCity(_ branches: Set<BranchID>?, today: LocalDay) throws -> [DashboardFigures.Count] {
        try customersPerCity(branches, today: today, active: nil)
    }
}
