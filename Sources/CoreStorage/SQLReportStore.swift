import PorteroModel
import SQLite

/// The reports over the core's database (SQLite or PostgreSQL). Every query reads a summary kept
/// by a trigger or walks an index in order with a limit, so none scans the sales or the
/// attendance whole.
public final class SQLReportStore: ReportStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) {
        db = connection
    }

    /// The branch filter as an id list; nil (every branch) becomes every branch's id.
    func branchList(_ branches: Set<BranchID>?) throws -> String {
        if let branches { return SQLMemberStore.jsonList(branches) }
        let all: [Int64] = try db.query("SELECT id FROM branches") { try $0.get(0) }
        return SQLMemberStore.jsonList(Set(all.map { BranchID($0) }))
    }

    public func sales(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, by: SalesGrouping) throws
        -> [SalesReportRow]
    {
        let column =
            switch by {
            case .day, .week, .month: "s.day"
            case .branch: "s.branch_id"
            case .plan: "s.plan_id"
            case .method: "s.method"
            case .cashier: "s.cashier"
            }
        let label =
            switch by {
            case .day, .week, .month, .method: "''"
            case .branch: "(SELECT b.name FROM branches b WHERE b.id = g.k)"
            case .plan: "(SELECT p.name FROM plans p WHERE p.id = g.k)"
            case .cashier: "(SELECT u.name || ' ' || u.paternal_surname FROM users u WHERE u.id = g.k)"
            }
        let rows: [(String, String, Int, String, Int64)] = try db.query(
            """
            SELECT CAST(g.k AS TEXT), coalesce(\(label), ''), g.n, g.currency, g.amount
            FROM (SELECT \(column) AS k, s.currency, sum(s.count) AS n, sum(s.amount) AS amount
                  FROM sales_summary s
                  WHERE s.branch_id IN (\(db.dialect.integers(in: "?1"))) AND s.day BETWEEN ?2 AND ?3
                  GROUP BY \(column), s.currency HAVING sum(s.count) > 0) AS g
            """, try branchList(branches), Int64(from.rawValue), Int64(to.rawValue)
        ) { (try $0.get(0), try $0.get(1), try $0.get(2), try $0.get(3), try $0.get(4)) }
        switch by {
        case .branch, .plan, .method, .cashier:
            return rows.map { key, label, count, currency, amount in
                SalesReportRow(
                    key: key, label: label.isEmpty ? Self.unnamed(by, key) : label, count: count, currency: currency,
                    minorUnits: amount)
            }
            .sorted { ($0.minorUnits, $1.key) > ($1.minorUnits, $0.key) }
        case .day, .week, .month:
            // Days summed into weeks or months here: a range holds at most ten years of days.
            var sums: [String: (count: Int, amount: Int64)] = [:]
            for (key, _, count, currency, amount) in rows {
                let day = LocalDay(daysSinceEpoch: Int32(key) ?? 0)
                let period =
                    switch by {
                    case .week: day.weekStart.description
                    case .month: String(day.description.prefix(7))
                    default: day.description
                    }
                let index = period + "\u{0}" + currency
                sums[index, default: (0, 0)].count += count
                sums[index, default: (0, 0)].amount += amount
            }
            return sums.map { index, sum in
                let parts = index.split(separator: "\u{0}", maxSplits: 1).map(String.init)
                return SalesReportRow(
                    key: parts[0], label: parts[0], count: sum.count, currency: parts.count > 1 ? parts[1] : "",
                    minorUnits: sum.amount)
            }
            .sorted { ($0.key, $0.currency) < ($1.key, $1.currency) }
        }
    }

    /// A group with no name: a method's own word, or the cashier 0 (sold with no one signed in).
    static func unnamed(_ by: SalesGrouping, _ key: String) -> String {
        switch by {
        case .cashier where key == "0": "—"
        default: key
        }
    }

    public func pos(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, by: PosGrouping) throws
        -> [PosReportRow]
    {
        let (key, label) =
            switch by {
            case .product: ("d.product_id", "min(p.name)")
            case .category: ("p.category_id", "min(c.name)")
            }
        let rows: [PosReportRow] = try db.query(
            """
            SELECT CAST(coalesce(\(key), 0) AS TEXT), coalesce(\(label), ''), sum(d.quantity), sum(d.amount)
            FROM pos_product_daily d
            JOIN pos_products p ON p.id = d.product_id
            LEFT JOIN pos_categories c ON c.id = p.category_id
            WHERE d.branch_id IN (\(db.dialect.integers(in: "?1"))) AND d.day BETWEEN ?2 AND ?3
            GROUP BY \(key) HAVING sum(d.quantity) <> 0 OR sum(d.amount) <> 0
            """, try branchList(branches), Int64(from.rawValue), Int64(to.rawValue)
        ) { row in
            PosReportRow(
                key: try row.get(0), label: try row.get(1), quantity: try row.get(2), minorUnits: try row.get(3))
        }
        return rows.sorted { ($0.minorUnits, $1.key) > ($1.minorUnits, $0.key) }
    }

    public func heatMap(
        _ branches: Set<BranchID>?, from: LocalDay, to: LocalDay, zone: (BranchID) -> ZoneRules
    ) throws -> [HeatCell] {
        // UTC hours from a day before `from` to a day after `to` cover every zone's local days;
        // each hour is then placed in its branch's local day, weekday and hour.
        let first = Int64(from.adding(days: -1).rawValue) * 24
        let last = Int64(to.adding(days: 2).rawValue) * 24
        let rows: [(Int64, Int64, Int)] = try db.query(
            """
            SELECT branch_id, hour, count FROM attendance_hours
            WHERE branch_id IN (\(db.dialect.integers(in: "?1"))) AND hour >= ?2 AND hour < ?3
            """, try branchList(branches), first, last
        ) { (try $0.get(0), try $0.get(1), try $0.get(2)) }
        var cells = [Int](repeating: 0, count: 7 * 24)
        var zones: [Int64: ZoneRules] = [:]
        for (branch, hour, count) in rows {
            let rules = zones[branch] ?? zone(BranchID(branch))
            zones[branch] = rules
            let local = rules.localTime(at: Timestamp(milliseconds: hour * 3_600_000))
            guard local.day >= from, local.day <= to else { continue }
            cells[(local.day.weekday.rawValue - 1) * 24 + local.minuteOfDay / 60] += count
        }
        return cells.enumerated().map { HeatCell(weekday: $0.offset / 24 + 1, hour: $0.offset % 24, count: $0.element) }
    }

    public func interbranch(_ branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [InterbranchRow] {
        try db.query(
            """
            SELECT d.visited_branch, v.name, d.home_branch, h.name, sum(d.count)
            FROM interbranch_daily d JOIN branches v ON v.id = d.visited_branch JOIN branches h ON h.id = d.home_branch
            WHERE d.day BETWEEN ?2 AND ?3 AND (d.visited_branch IN (\(db.dialect.integers(in: "?1")))
                OR d.home_branch IN (\(db.dialect.integers(in: "?1"))))
            GROUP BY d.visited_branch, v.name, d.home_branch, h.name
            ORDER BY sum(d.count) DESC, d.visited_branch, d.home_branch
            """, try branchList(branches), Int64(from.rawValue), Int64(to.rawValue)
        ) { row in
            InterbranchRow(
                visitedBranch: try row.get(0), visitedBranchName: try row.get(1), homeBranch: try row.get(2),
                homeBranchName: try row.get(3), visits: try row.get(4))
        }
    }
}
