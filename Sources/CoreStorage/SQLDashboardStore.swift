import Foundation
import PorteroModel
import SQLite

/// The dashboard store in the core's SQLite database.
public final class SQLDashboardStore: DashboardStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) throws {
        db = connection
    }

    /// The branch filter as an id list; nil (every branch) becomes every branch's id, so the
    /// queries always go through the branch-leading indexes.
    package func branchList(_ branches: Set<BranchID>?) throws -> String {
        if let branches { return SQLMemberStore.jsonList(branches) }
        let all: [Int64] = try db.query("SELECT id FROM branches") { try $0.get(0) }
        return SQLMemberStore.jsonList(Set(all.map { BranchID($0) }))
    }

    public func totalUsers(_ branches: Set<BranchID>?) throws -> Int {
        if branches == nil { return try db.scalar("SELECT count(*) FROM users", as: Int.self) }
        if let branches, branches.count == 1, let branch = branches.first {
            // (user, branch) is the key: no DISTINCT needed for one branch.
            return try db.scalar(
                "SELECT count(*) FROM user_branches WHERE branch_id = ?", branch.rawValue, as: Int.self)
        }
        return try db.scalar(
            "SELECT count(DISTINCT user_id) FROM user_branches WHERE branch_id IN (\(db.dialect.integers(in: "?")))",
            try branchList(branches), as: Int.self)
    }

    public func activePerBranch(_ branches: Set<BranchID>?, today: LocalDay) throws -> [Int64: Int] {
        let rows: [(Int64, Int)] = try db.query(
            """
            SELECT branch_id, count(*) FROM (SELECT DISTINCT branch_id, user_id FROM subscriptions
                                             \(db.dialect.indexedBy("subscriptions_running"))
                                             WHERE status = 'active' AND paid_through_day >= ?1 AND start_day <= ?1
                                             AND branch_id IN (\(db.dialect.integers(in: "?2")))) AS running
            GROUP BY branch_id
            """, Int64(today.rawValue), try branchList(branches)
        ) { (try $0.get(0), try $0.get(1)) }
        return Dictionary(rows, uniquingKeysWith: +)
    }

    public func activeCustomers(_ branches: Set<BranchID>?, today: LocalDay) throws -> Int {
        try activePerBranch(branches, today: today).values.reduce(0, +)
    }

    public func inactiveCustomers(_ branches: Set<BranchID>?, today: LocalDay, active: [Int64: Int]?) throws
        -> Int
    {
        let ever: Int = try db.scalar(
            "SELECT coalesce(sum(count), 0) FROM customer_counts WHERE branch_id IN (\(db.dialect.integers(in: "?")))",
            try branchList(branches), as: Int.self)
        return max(0, ever - (try active ?? activePerBranch(branches, today: today)).values.reduce(0, +))
    }

    public func sales(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> (
        amounts: [DashboardFigures.Amount], count: Int
    ) {
        let rows: [(String, Int64, Int)] = try db.query(
            """
            SELECT currency, sum(amount), sum(count) FROM sales_daily
            WHERE branch_id IN (\(db.dialect.integers(in: "?1"))) AND day BETWEEN ?2 AND ?3 GROUP BY currency
                ORDER BY currency
            """, try branchList(branches), Int64(from.rawValue), Int64(to.rawValue)
        ) { (try $0.get(0), try $0.get(1), try $0.get(2)) }
        return (rows.map { DashboardFigures.Amount(currency: $0.0, minorUnits: $0.1) }, rows.reduce(0) { $0 + $1.2 })
    }

    public func averageSale(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [DashboardFigures
        .Amount]
    {
        try db.query(
            """
            SELECT currency, CAST(sum(amount) AS BIGINT) / CAST(sum(count) AS BIGINT) FROM sales_daily
            WHERE branch_id IN (\(db.dialect.integers(in: "?1"))) AND day BETWEEN ?2 AND ?3 GROUP BY currency
                ORDER BY currency
            """, try branchList(branches), Int64(from.rawValue), Int64(to.rawValue)
        ) { DashboardFigures.Amount(currency: try $0.get(0), minorUnits: try $0.get(1)) }
    }

    public func customersPerCity(_ branches: Set<BranchID>?, today: LocalDay, active: [Int64: Int]?) throws
        -> [DashboardFigures.Count]
    {
        let perBranch = try active ?? activePerBranch(branches, today: today)
        let cities = Dictionary(
            uniqueKeysWithValues: try db.query("SELECT id, city FROM branches") {
                (try $0.get(0) as Int64, try $0.get(1) as String)
            })
        var counts: [String: Int] = [:]
        for (branch, count) in perBranch { counts[cities[branch] ?? "?", default: 0] += count }
        return counts.map { DashboardFigures.Count(label: $0.key, count: $0.value) }.sorted {
            ($0.count, $1.label) > ($1.count, $0.label)
        }
    }

    public func salesPerPlan(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [DashboardFigures
        .PlanSales]
    {
        try db.query(
            """
            SELECT p.name, sum(d.count), d.currency, sum(d.amount) FROM sales_daily d JOIN plans p ON p.id = d.plan_id
            WHERE d.branch_id IN (\(db.dialect.integers(in: "?1"))) AND d.day BETWEEN ?2 AND ?3
            GROUP BY p.id, d.currency ORDER BY 4 DESC
            """, try branchList(branches), Int64(from.rawValue), Int64(to.rawValue)
        ) {
            DashboardFigures.PlanSales(
                plan: try $0.get(0), count: try $0.get(1), currency: try $0.get(2), minorUnits: try $0.get(3))
        }
    }

    public func newCustomersPerMonth(_ branches: Set<BranchID>?, year: Int) throws -> [DashboardFigures.Count] {
        let rows: [(String, Int)] = try db.query(
            """
            SELECT month, sum(count) FROM customer_months
            WHERE branch_id IN (\(db.dialect.integers(in: "?1"))) AND month BETWEEN ?2 AND ?3 GROUP BY month
                ORDER BY month
            """, try branchList(branches), "\(year)-01", "\(year)-12"
        ) { (try $0.get(0), try $0.get(1)) }
        let counts = Dictionary(rows, uniquingKeysWith: +)
        return (1...12).map { month in
            let label = "\(year)-\(month < 10 ? "0" : "")\(month)"
            return DashboardFigures.Count(label: label, count: counts[label] ?? 0)
        }
    }

    public func attendancePerDay(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [DashboardFigures
        .Count]
    {
        try db.query(
            """
            SELECT local_day, sum(count) FROM attendance_daily
            WHERE branch_id IN (\(db.dialect.integers(in: "?1"))) AND local_day BETWEEN ?2 AND ?3 AND granted = 1
            GROUP BY local_day ORDER BY local_day
            """, try branchList(branches), Int64(from.rawValue), Int64(to.rawValue)
        ) {
            DashboardFigures.Count(
                label: LocalDay(daysSinceEpoch: Int32(try $0.get(0) as Int64)).description, count: try $0.get(1))
        }
    }

    public func figures(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, today: LocalDay) throws
        -> DashboardFigures
    {
        try db.read {
            let sales = try sales(branches, from: from, to: to)
            let active = try activePerBranch(branches, today: today)
            return DashboardFigures(
                from: from, to: to, totalUsers: try totalUsers(branches), activeCustomers: active.values.reduce(0, +),
                inactiveCustomers: try inactiveCustomers(branches, today: today, active: active), sales: sales.amounts,
                plansSold: sales.count,
                averageSale: try averageSale(branches, from: from, to: to),
                customersPerCity: try customersPerCity(branches, today: today, active: active),
                salesPerPlan: try salesPerPlan(branches, from: from, to: to),
                newCustomersPerMonth: try newCustomersPerMonth(branches, year: to.components.year),
                attendancePerDay: try attendancePerDay(branches, from: from, to: to))
        }
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLDashboardStore: Sendable {}
