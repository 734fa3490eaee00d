import BackOffice
import CoreStorage
import Foundation
import PorteroModel
import SQLite

/// Times every report on the dashboard benchmark's database (`users` members, `attendance` rows),
/// after adding point-of-sale tickets and filling the report sums the way the migration does.
struct ReportBenchmark {
    let dashboard: DashboardBenchmark
    let tickets: Int
    let runs = 5

    func run() throws {
        let path = dashboard.path
        if !dashboard.reuse || !FileManager.default.fileExists(atPath: path) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let started = Date()
            try dashboard.build()
            try addTickets()
            print(
                String(
                    format: "built %@ (%d users, %d attendance rows, %d tickets) in %.0f s", path, dashboard.users,
                    dashboard.attendance, tickets, Date().timeIntervalSince(started)))
        }
        let api = try CoreAPI(path: path)
        let now = Timestamp.now()
        let zone = try ZoneRules(identifier: "America/Mexico_City")
        let today = zone.localDay(at: now)
        let month = (today.adding(days: -29), today)
        let year = (today.adding(days: -364), today)
        print("report (ms, median of \(runs); max)      all branches, 30 d   all branches, 1 y   one branch, 30 d")
        try api.withDatabase { database in
            let store = database.reports
            var reports: [(String, (Set<BranchID>?, (LocalDay, LocalDay)) throws -> Void)] = []
            for by in SalesGrouping.allCases {
                reports.append(("sales by \(by.rawValue)", { _ = try store.sales($0, from: $1.0, to: $1.1, by: by) }))
            }
            for by in PosGrouping.allCases {
                reports.append(
                    ("shop sales by \(by.rawValue)", { _ = try store.pos($0, from: $1.0, to: $1.1, by: by) }))
            }
            reports += [
                ("attendance heat map", { _ = try store.heatMap($0, from: $1.0, to: $1.1, zone: { _ in zone }) }),
                ("visits between branches", { _ = try store.interbranch($0, from: $1.0, to: $1.1) }),
                (
                    "renewals to call (7 d, 200 rows)",
                    { branches, _ in
                        _ = try store.expiring(branches, today: today, days: 7, limit: 200, after: nil)
                    }
                ),
                (
                    "renewals to call, file (30 d)",
                    { branches, _ in
                        _ = try store.expiring(branches, today: today, days: 30, limit: 100_000, after: nil)
                    }
                ),
                (
                    "absent 30 d (200 rows)",
                    { branches, _ in
                        _ = try store.absent(branches, today: today, now: now, days: 30, limit: 200, after: nil)
                    }
                ),
                (
                    "absent 30 d, 50 pages in turn (10,000 rows)",
                    { branches, _ in
                        var after: String?
                        for _ in 0..<50 {
                            after = try store.absent(
                                branches, today: today, now: now, days: 30, limit: 200, after: after
                            ).next
                        }
                    }
                ),
            ]
            try DashboardBenchmark.printTimes(reports, month: month, year: year, runs: runs, width: 42)
        }
    }

    /// `tickets` point-of-sale tickets of two lines each over the past year, at the three branches,
    /// from 20 products in 4 categories; then the report sums filled as the migration fills them.
    func addTickets() throws {
        let api = try CoreAPI(path: dashboard.path)
        let now = Timestamp.now()
        let today = Int64(now.milliseconds / 86_400_000)
        try api.withDatabase { database in
            let db = database.db
            try db.execute("PRAGMA synchronous = OFF")
            try db.transaction {
                try db.execute(
                    """
                    INSERT INTO pos_categories (id, name, active)
                        VALUES (1, 'Bebidas', 1), (2, 'Suplementos', 1), (3, 'Ropa', 1), (4, 'Accesorios', 1);
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
                    INSERT INTO pos_products (id, name, sku, price_minor, tax_basis_points, category_id, active,
                                              tracks_stock, allows_negative_stock, created_at)
                        SELECT i, 'Producto ' || i, 'SKU-' || i, 2500 + i * 500, 1600, 1 + i % 4, 1, 0, 1, 0 FROM n;
                    INSERT INTO cash_registers (id, branch_id, name, active)
                        VALUES (1, 1, 'Caja', 1), (2, 2, 'Caja', 1), (3, 3, 'Caja', 1);
                    INSERT INTO cash_shifts (id, register_id, branch_id, opened_by, opened_at, float_minor)
                        VALUES (1, 1, 1, 1, 0, 0), (2, 2, 2, 1, 0, 0), (3, 3, 3, 1, 0, 0);
                    """)
                try db.run(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                    INSERT INTO pos_sales (id, branch_id, shift_id, sold_by, sold_at, sold_day, subtotal_minor,
                                           discount_minor, total_minor, tax_minor, change_minor, status)
                        SELECT i, 1 + i % 3, 1 + i % 3, 1 + i % 20, (?2 - i % 365) * 86400000, ?2 - i % 365, 10000, 0,
                               10000, 1379, 0, CASE WHEN i % 50 = 0 THEN 'void' ELSE 'completed' END FROM n
                    """, Int64(tickets), today)
                try db.execute(
                    """
                    INSERT INTO pos_sale_lines (sale_id, line, product_id, name, sku, quantity, unit_price_minor,
                                                discount_minor, net_minor, tax_basis_points, tax_minor,
                                                refunded_quantity, refunded_minor)
                        SELECT s.id, l.line, p.id, p.name, p.sku, 1, 5000, 0, 5000, 1600, 690, 0, 0
                        FROM pos_sales s JOIN (SELECT 1 AS line UNION ALL SELECT 2) l
                        JOIN pos_products p ON p.id = 1 + (s.id * l.line * 7) % 20
                    """)
                try db.execute(
                    """
                    DELETE FROM sales_summary; DELETE FROM attendance_hours; DELETE FROM interbranch_daily;
                    DELETE FROM last_visits; DELETE FROM pos_product_daily;
                    \(CoreSchema.reportBackfill)
                    """)
            }
            try db.execute("PRAGMA synchronous = FULL")
            try db.execute("ANALYZE")
            try (db as? SQLiteDatabase)?.connection.checkpoint()
        }
    }
}
