import Foundation
import PorteroModel
import SQLite

/// The sales store in the core's SQLite database.
public final class SQLSalesStore: SalesStore {
    package let db: any SQLDatabase
    package let members: SQLMemberStore

    public init(connection: any SQLDatabase, members: SQLMemberStore) throws {
        db = connection
        self.members = members
    }

    // MARK: Plans

    public func plans(activeOnly: Bool) throws -> [PlanView] {
        let ids: [Int64] = try db.query(
            "SELECT id FROM plans\(activeOnly ? " WHERE active = 1" : "") ORDER BY \(db.dialect.caseless("name"))"
        ) { try $0.get(0) }
        return try ids.compactMap { try plan($0) }
    }

    public func plan(_ id: Int64) throws -> PlanView? {
        guard
            let row: (String, Int64, Bool, String) = try db.queryFirst(
                """
                SELECT p.name, v.id, p.active, v.body FROM plans p JOIN plan_versions v ON v.id = p.current_version
                    WHERE p.id = ?
                """, id, map: { (try $0.get(0), try $0.get(1), try $0.get(2), try $0.get(3)) })
        else { return nil }
        let terms = try Self.decode(row.3)
        let branches: [Int64] = try db.query(
            "SELECT branch_id FROM plan_branches WHERE plan_id = ? ORDER BY branch_id", id
        ) { try $0.get(0) }
        return PlanView(
            id: id, version: row.1, name: row.0, price: terms.plan.price,
            duration: PlanDurationView(terms.plan.duration),
            branches: branches,
            windows: terms.plan.windows?.description, visitLimit: terms.plan.visitLimit, features: terms.plan.features,
            graceDays: terms.graceDays, active: row.2)
    }

    /// What a version stores: the replicas' `Plan` (its id is the version id) and the grace days.
    package struct StoredTerms: Codable {
        var plan: Plan
        var graceDays: Int
    }

    package static func decode(_ body: String) throws -> StoredTerms {
        try JSONDecoder().decode(StoredTerms.self, from: Data(body.utf8))
    }

    /// The replicas' plan for a version id.
    public func planVersion(_ versionID: Int64) throws -> Plan? {
        try db.queryFirst("SELECT body FROM plan_versions WHERE id = ?", versionID) {
            try Self.decode(try $0.get(0)).plan
        }
    }

    package func check(_ terms: PlanTerms, creating: Bool) throws {
        if let name = terms.name {
            try FieldRules.checkName(name, field: "name", required: true)
        } else if creating {
            throw AccountError(field: "name", problem: "is required")
        }
        if let price = terms.priceMinor, !(0...100_000_000_00).contains(price) {
            throw AccountError(field: "priceMinor", problem: "must be from 0 to 10,000,000,000 minor units")
        }
        if creating && terms.priceMinor == nil { throw AccountError(field: "priceMinor", problem: "is required") }
        if let currency = terms.currency, currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase })
        {
            throw AccountError(field: "currency", problem: "an ISO 4217 code such as MXN or EUR")
        }
        let chainCurrency = try SQLSettingsStore(connection: db).chain().currency
        if let currency = terms.currency, currency != chainCurrency {
            throw AccountError(field: "currency", problem: "the chain sells in \(chainCurrency) (its settings)")
        }
        if terms.durationDays != nil && terms.durationMonths != nil {
            throw AccountError(field: "durationDays", problem: "give durationDays or durationMonths, not both")
        }
        if let days = terms.durationDays, !(1...3660).contains(days) {
            throw AccountError(field: "durationDays", problem: "must be from 1 to 3660")
        }
        if let months = terms.durationMonths, !(1...120).contains(months) {
            throw AccountError(field: "durationMonths", problem: "must be from 1 to 120")
        }
        if creating && terms.durationDays == nil && terms.durationMonths == nil {
            throw AccountError(field: "durationMonths", problem: "durationDays or durationMonths is required")
        }
        for (field, value) in [
            ("visitsPerDay", terms.visitsPerDay), ("visitsPerWeek", terms.visitsPerWeek),
            ("visitsPerMonth", terms.visitsPerMonth), ("visitsTotal", terms.visitsTotal),
        ] {
            if let limit = value ?? nil, !(1...1_000).contains(limit) {
                throw AccountError(field: field, problem: "must be from 1 to 1000, or null for no limit")
            }
        }
        if let grace = terms.graceDays, !(0...60).contains(grace) {
            throw AccountError(field: "graceDays", problem: "must be from 0 to 60")
        }
        if let features = terms.features,
            features.count > 50 || features.contains(where: { $0.isEmpty || $0.count > 200 })
        {
            throw AccountError(field: "features", problem: "at most 50, each 1 to 200 characters")
        }
    }

    public func savePlan(id: Int64?, _ terms: PlanTerms, applyToExisting: Bool, today: LocalDay, now: Timestamp) throws
        -> PlanView?
    {
        try check(terms, creating: id == nil)
        var windows: WeeklySchedule?
        if let text = terms.windows, !text.isEmpty {
            do { windows = try WeeklySchedule(parsing: text) } catch {
                throw AccountError(field: "windows", problem: "\(error)")
            }
        }
        return try db.transaction { () -> PlanView? in
            var current: StoredTerms?
            var planID = id ?? 0
            if let id {
                guard
                    let body: String = try db.queryFirst(
                        "SELECT v.body FROM plans p JOIN plan_versions v ON v.id = p.current_version WHERE p.id = ?",
                        id,
                        map: { try $0.get(0) })
                else { return nil }
                current = try Self.decode(body)
            } else {
                do {
                    planID = try db.attempt {
                        try db.scalar(
                            "INSERT INTO plans (name, active, created_at) VALUES (?, 1, ?) RETURNING id",
                            terms.name ?? "", now.milliseconds, as: Int64.self)
                    }
                } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                    throw AccountError.conflict("name", "already in use")
                }
            }
            if let branches = terms.branches {
                try db.run("DELETE FROM plan_branches WHERE plan_id = ?", planID)
                for branch in Set(branches) {
                    do {
                        try db.attempt {
                            try db.run("INSERT INTO plan_branches (plan_id, branch_id) VALUES (?, ?)", planID, branch)
                        }
                    } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                        throw AccountError.notFound("branches", "no branch \(branch)")
                    }
                }
            }
            let covered: [Int64] = try db.query("SELECT branch_id FROM plan_branches WHERE plan_id = ?", planID) {
                try $0.get(0)
            }
            let base = current?.plan
            let price = Money(
                minorUnits: terms.priceMinor ?? base?.price.minorUnits ?? 0,
                currency: try SQLSettingsStore(connection: db).chain().currency)
            let duration: PlanDuration =
                terms.durationDays.map { .days($0) } ?? terms.durationMonths.map { .months($0) } ?? base?.duration
                ?? .months(1)
            var limit = base?.visitLimit ?? .unlimited
            if let value = terms.visitsPerDay { limit.perDay = value }
            if let value = terms.visitsPerWeek { limit.perWeek = value }
            if let value = terms.visitsPerMonth { limit.perMonth = value }
            if let value = terms.visitsTotal { limit.perSubscription = value }
            if let name = terms.name, id != nil {
                do {
                    try db.attempt { try db.run("UPDATE plans SET name = ? WHERE id = ?", name, planID) }
                } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                    throw AccountError.conflict("name", "already in use")
                }
            }
            if let active = terms.active { try db.run("UPDATE plans SET active = ? WHERE id = ?", active, planID) }
            let name: String = try db.scalar("SELECT name FROM plans WHERE id = ?", planID)
            let active: Bool = try db.scalar("SELECT active FROM plans WHERE id = ?", planID)
            let version = try db.scalar(
                "INSERT INTO plan_versions (plan_id, body, price_minor, currency, created_at) "
                    + "VALUES (?, '{}', ?, ?, ?) RETURNING id",
                planID, price.minorUnits, price.currency, now.milliseconds, as: Int64.self)
            let plan = Plan(
                id: PlanID(version), name: name, price: price, duration: duration,
                branches: covered.isEmpty ? .allBranches : .only(Set(covered.map { BranchID($0) })),
                windows: terms.windows == nil ? base?.windows : windows, visitLimit: limit,
                features: terms.features ?? base?.features ?? [], active: active)
            let stored = StoredTerms(plan: plan, graceDays: terms.graceDays ?? current?.graceDays ?? 0)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try db.run(
                "UPDATE plan_versions SET body = ?, visits_total = ?, visits_per_period = ? WHERE id = ?",
                String(decoding: try encoder.encode(stored), as: UTF8.self),
                limit.perSubscription.map { Int64($0) },
                limit.perDay != nil || limit.perWeek != nil || limit.perMonth != nil, version)
            try db.run("UPDATE plans SET current_version = ? WHERE id = ?", version, planID)
            try members.recordChange("plan_version", version, now: now)
            if applyToExisting {
                let moved: [Int64] = try db.query(
                    """
                    SELECT DISTINCT user_id FROM subscriptions WHERE plan_id = ? AND status = 'active'
                        AND end_day + grace_days + 400 >= ?
                    """, planID, Int64(today.rawValue)
                ) { try $0.get(0) }
                try db.run(
                    """
                    UPDATE subscriptions SET plan_version_id = ?1, grace_days = ?2,
                        paid_through_day = CASE WHEN paid_through_day = 2147483647 THEN paid_through_day
                            ELSE paid_through_day - grace_days + ?2 END
                    WHERE plan_id = ?3 AND status = 'active' AND end_day + grace_days + 400 >= ?4
                    """, version, Int64(stored.graceDays), planID, Int64(today.rawValue))
                for user in moved { try members.recordChange("user", user, now: now) }
            }
            return try self.plan(planID)
        }
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLSalesStore: Sendable {}
