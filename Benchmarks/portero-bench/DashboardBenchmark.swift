import BackOffice
import CoreStorage
import DemoSeed
import WebUI
import Foundation
import PorteroModel
import SQLite

/// Builds a core database with `users` members and `attendance` rows, then times each dashboard
/// figure over the last 30 days and over the year, for every branch (a SuperAdministrador) and
/// for one branch.
struct DashboardBenchmark {
    let users: Int
    let attendance: Int
    let path: String
    let reuse: Bool
    let runs = 5

    func run() throws {
        if !reuse || !FileManager.default.fileExists(atPath: path) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let started = Date()
            try build()
            print(
                String(
                    format: "built %@ (%d users, %d attendance rows) in %.0f s", path, users, attendance,
                    Date().timeIntervalSince(started)))
        }
        let api = try CoreAPI(path: path)
        let today = LocalDay(daysSinceEpoch: Int32(Timestamp.now().milliseconds / 86_400_000))
        let month = (today.adding(days: -29), today)
        let year = (today.adding(days: -364), today)
        print(
            "figure (ms, median of \(runs); max)            all branches, 30 d   all branches, 1 y   one branch, 30 d")
        try api.withDatabase { database in
            let store = database.dashboard
            let figures: [(String, (Set<BranchID>?, (LocalDay, LocalDay)) throws -> Void)] = [
                ("total users", { branches, _ in _ = try store.totalUsers(branches) }),
                ("active customers", { branches, _ in _ = try store.activeCustomers(branches, today: today) }),
                ("inactive customers", { branches, _ in _ = try store.inactiveCustomers(branches, today: today) }),
                ("sales, plans sold", { branches, range in _ = try store.sales(branches, from: range.0, to: range.1) }),
                (
                    "average sale",
                    { branches, range in _ = try store.averageSale(branches, from: range.0, to: range.1) }
                ),
                ("customers per city", { branches, _ in _ = try store.customersPerCity(branches, today: today) }),
                (
                    "sales per plan",
                    { branches, range in _ = try store.salesPerPlan(branches, from: range.0, to: range.1) }
                ),
                (
                    "new customers per month",
                    { branches, range in _ = try store.newCustomersPerMonth(branches, year: range.1.components.year) }
                ),
                (
                    "attendance per day",
                    { branches, range in _ = try store.attendancePerDay(branches, from: range.0, to: range.1) }
                ),
                (
                    "live occupancy (report)",
                    { branches, _ in _ = try CoreAPI.occupancyReport(database, scope: branches, now: .now()) }
                ),
                (
                    "all figures (one request)",
                    { branches, range in _ = try store.figures(branches, from: range.0, to: range.1, today: today) }
                ),
            ]
            try Self.printTimes(figures, month: month, year: year, runs: runs, width: 44)
        }
    }

    /// Times each of `figures` `runs` times for every branch over 30 days and a year, and for one
    /// branch over 30 days, and prints a line of median and maximum milliseconds for each.
    static func printTimes(
        _ figures: [(String, (Set<BranchID>?, (LocalDay, LocalDay)) throws -> Void)], month: (LocalDay, LocalDay),
        year: (LocalDay, LocalDay), runs: Int, width: Int
    ) throws {
        for (name, figure) in figures {
            var cells: [String] = []
            for (branches, range) in [(nil, month), (nil, year), (Set([BranchID(1)]), month)]
                as [(Set<BranchID>?, (LocalDay, LocalDay))]
            {
                var times: [Double] = []
                for _ in 0..<runs {
                    let start = DispatchTime.now().uptimeNanoseconds
                    try figure(branches, range)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
                }
                times.sort()
                cells.append(String(format: "%8.1f; %8.1f", times[runs / 2], times.last ?? 0))
            }
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + cells.joined(separator: "   "))
        }
    }

    func build() throws {
        let api = try CoreAPI(path: path)
        let now = Timestamp.now()
        let today = Int64(now.milliseconds / 86_400_000)
        try api.withDatabase { database in
            let db = database.db
            for (name, city, zone) in [
                ("Centro", "Ciudad de México", "America/Mexico_City"), ("Valle", "Monterrey", "America/Monterrey"),
                ("Providencia", "Guadalajara", "America/Mexico_City"),
            ] {
                _ = try database.accounts.createBranch(name: name, city: city, timeZone: zone)
            }
            for (name, price, months) in [
                ("Mensual", 59_900, 1), ("Trimestral", 159_900, 3), ("Anual", 549_900, 12), ("Matutino", 39_900, 1),
            ] {
                var terms = PlanTerms()
                terms.name = name
                terms.priceMinor = Int64(price)
                terms.currency = "MXN"
                terms.durationMonths = months
                _ = try database.sales.savePlan(
                    id: nil, terms, applyToExisting: false, today: LocalDay(daysSinceEpoch: Int32(today)), now: now)
            }
            // The bulk load goes without the row triggers; the sums are filled after it.
            let names = ["attendance_daily_count", "attendance_reported", "sales_summary_sold"]
            let triggers: [String] = try names.map {
                try db.scalar("SELECT sql FROM sqlite_master WHERE name = ?", $0)
            }
            try db.execute("PRAGMA synchronous = OFF")
            try db.transaction {
                for name in names { try db.execute("DROP TRIGGER \(name)") }
                try db.run(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                    INSERT INTO users (id, username, email, clave, name, paternal_surname, created_at, join_day,
                                       follow_up)
                    SELECT i, 'socio' || i, 'socio' || i || '@correo.mx', i, 'Socio', 'Número ' || i,
                           (?2 - (i % 730)) * 86400000, ?2 - (i % 730), i % 1000 = 0 FROM n
                    """, Int64(users), today)
                try db.execute("INSERT INTO user_roles (user_id, role) SELECT id, 'cliente' FROM users")
                try db.execute("INSERT INTO user_branches (user_id, branch_id) SELECT id, 1 + id % 3 FROM users")
                // One subscription each, a renewal for three in ten.
                try db.run(
                    """
                    INSERT INTO subscriptions (user_id, plan_id, plan_version_id, branch_id, start_day, end_day,
                                               grace_days, status, price_minor, currency, sold_at, sold_day,
                                               paid_through_day, payment_method, sold_by)
                    SELECT u.id, p.id, p.current_version, 1 + u.id % 3, u.join_day,
                           u.join_day + 30 * CASE p.id WHEN 2 THEN 3 WHEN 3 THEN 12 ELSE 1 END,
                           3, CASE WHEN u.id % 50 = 0 THEN 'cancelled' ELSE 'active' END, v.price_minor, 'MXN',
                           u.join_day * 86400000, u.join_day,
                           u.join_day + 3 + 30 * CASE p.id WHEN 2 THEN 3 WHEN 3 THEN 12 ELSE 1 END,
                           CASE u.id % 4 WHEN 0 THEN 'cash' WHEN 1 THEN 'card' WHEN 2 THEN 'transfer' END,
                           1 + u.id % 20
                    FROM users u JOIN plans p ON p.id = 1 + u.id % 4 JOIN plan_versions v ON v.id = p.current_version
                    """)
                try db.run(
                    """
                    INSERT INTO subscriptions (user_id, plan_id, plan_version_id, branch_id, start_day, end_day,
                                               grace_days, status, price_minor, currency, sold_at, sold_day,
                                               renews, paid_through_day)
                    SELECT s.user_id, s.plan_id, s.plan_version_id, s.branch_id, s.end_day + 1, s.end_day + 31, 3,
                           'active', s.price_minor, 'MXN', (s.end_day + 1) * 86400000,
                           min(s.end_day + 1, ?1), s.id, s.end_day + 34
                    FROM subscriptions s WHERE s.user_id % 10 < 3 AND s.end_day < ?1
                    """, today)
                try db.run(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                    INSERT INTO attendance (id, branch_id, door_id, at, local_day, direction, credential_kind,
                                            card_number, user_id, subscription_id, granted, reason,
                                            received_at)
                    SELECT randomblob(16), 1 + i % 3, 1, (?2 - (i % 365)) * 86400000 + (i * 7919) % 86400000,
                           ?2 - (i % 365), 'in', 'card', NULL, 1 + (i * 104729) % ?3,
                           CASE WHEN i % 10 != 0 THEN 1 + (i * 104729) % ?3 END, i % 10 != 0,
                           CASE WHEN i % 10 = 0 THEN 'subscription.expired' ELSE 'granted' END, 0 FROM n
                    """, Int64(attendance), today, Int64(users))
                try db.execute(
                    "INSERT INTO attendance_daily (branch_id, local_day, granted, count) "
                        + "SELECT branch_id, local_day, granted, count(*) FROM attendance GROUP BY 1, 2, 3"
                )
                for trigger in triggers { try db.execute(trigger) }
            }
            try db.execute("PRAGMA synchronous = FULL")
            try db.execute("ANALYZE")
            try (db as? SQLiteDatabase)?.connection.checkpoint()
        }
    }
}
