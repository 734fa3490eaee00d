import PorteroModel
import SQLite

/// The call lists: subscriptions about to end, members who stopped coming. Both walk an index in
/// the order they answer in and stop at the page's limit; the next page starts after the last row.
extension SQLReportStore {
    public func expiring(
        _ branches: Set<BranchID>?, today: LocalDay, days: Int, limit: Int, after: (LocalDay, Int64)?
    ) throws -> [ExpiringRow] {
        let last = today.adding(days: days)
        let start = after ?? (today, 0)
        return try db.query(
            """
            SELECT s.id, s.user_id, u.clave, u.name || ' ' || u.paternal_surname, u.phone, u.email, p.name,
                   s.branch_id, b.name, s.end_day
            FROM subscriptions s
            JOIN users u ON u.id = s.user_id JOIN plans p ON p.id = s.plan_id JOIN branches b ON b.id = s.branch_id
            WHERE s.status = 'active' AND s.end_day <= ?2 AND (s.end_day > ?3 OR (s.end_day = ?3 AND s.id > ?4))
                AND s.end_day >= ?5 AND s.end_day >= ?3
                AND s.branch_id IN (\(db.dialect.integers(in: "?1"))) AND u.active = 1
                AND NOT EXISTS (SELECT 1 FROM subscriptions r WHERE r.user_id = s.user_id AND r.status = 'active'
                                AND r.end_day > s.end_day)
            ORDER BY s.end_day, s.id LIMIT ?6
            """, try branchList(branches), Int64(last.rawValue), Int64(start.0.rawValue), start.1,
            Int64(today.rawValue), Int64(limit)
        ) { row in
            let end = LocalDay(daysSinceEpoch: Int32(try row.get(9) as Int64))
            return ExpiringRow(
                subscription: try row.get(0), user: try row.get(1), clave: try row.get(2), name: try row.get(3),
                phone: try row.get(4), email: try row.get(5), plan: try row.get(6), branch: try row.get(7),
                branchName: try row.get(8), endDate: end, daysLeft: end.days(since: today))
        }
    }

    public func absent(
        _ branches: Set<BranchID>?, today: LocalDay, now: Timestamp, days: Int, limit: Int, after: String?
    ) throws -> AbsentPage {
        let cutoff = now.milliseconds - Int64(days) * 86_400_000
        let cutoffDay = today.adding(days: -days)
        // The cursor is "at.user": the last row of the previous page.
        var start: (Int64, Int64) = (-1, 0)
        if let after {
            let parts = after.split(separator: ".")
            guard parts.count == 2, let at = Int64(parts[0]), let user = Int64(parts[1]), at >= 0, user >= 0 else {
                throw AccountError(field: "after", problem: "must be the next value of a previous page")
            }
            start = (at, user)
        }
        let rows: [AbsentRow] = try db.query(
            """
            SELECT l.user_id, l.at, l.branch_id, b.name, u.clave, u.name || ' ' || u.paternal_surname, u.phone,
                   u.email
            FROM last_visits l JOIN users u ON u.id = l.user_id LEFT JOIN branches b ON b.id = l.branch_id
            WHERE l.at < ?2 AND l.at >= ?3 AND (l.at > ?3 OR (l.at = ?3 AND l.user_id > ?4)) AND u.active = 1
                AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = l.user_id AND s.status = 'active'
                            AND s.paid_through_day >= ?5 AND s.start_day <= ?5
                            AND s.branch_id IN (\(db.dialect.integers(in: "?1"))))
                AND (l.at > 0 OR (SELECT min(f.start_day) FROM subscriptions f WHERE f.user_id = l.user_id) <= ?6)
            ORDER BY l.at, l.user_id LIMIT ?7
            """, try branchList(branches), cutoff, start.0, start.1, Int64(today.rawValue),
            Int64(cutoffDay.rawValue), Int64(limit)
        ) { row in
            let at: Int64 = try row.get(1)
            let seen = at > 0 ? Timestamp(milliseconds: at) : nil
            return AbsentRow(
                user: try row.get(0), clave: try row.get(4), name: try row.get(5), phone: try row.get(6),
                email: try row.get(7), lastVisit: seen, lastBranch: at > 0 ? row.int64(2) : nil,
                lastBranchName: at > 0 && !row.isNull(3) ? try row.get(3) as String : nil,
                daysAway: seen.map { max(0, Int((now.milliseconds - $0.milliseconds) / 86_400_000)) })
        }
        let next = rows.count == limit ? rows.last.map { "\($0.lastVisit?.milliseconds ?? 0).\($0.user)" } : nil
        return AbsentPage(rows: rows, next: next)
    }
}
