import Foundation
import PorteroModel
import SQLite

/// A plan as the BackOffice shows it: its current terms, and the version they are.
public struct PlanView: Hashable, Sendable, Codable {
    public var id: Int64
    public var version: Int64
    public var name: String
    public var price: Money
    public var duration: PlanDuration
    public var branches: [Int64]
    public var windows: String?
    public var visitLimit: VisitLimit
    public var features: [String]
    public var graceDays: Int
    public var active: Bool
}

/// The terms a plan create or change sets; nil keeps the current value.
public struct PlanTerms: Sendable {
    public var name: String?
    public var priceMinor: Int64?
    public var currency: String?
    public var durationDays: Int?
    public var durationMonths: Int?
    /// Empty: every branch.
    public var branches: [Int64]?
    /// `DAYS HH:MM-HH:MM; …`, or "" for any time.
    public var windows: String?
    public var visitsPerDay: Int??
    public var visitsPerWeek: Int??
    public var visitsPerMonth: Int??
    /// Entries over the whole subscription, at every branch (a pack).
    public var visitsTotal: Int??
    public var features: [String]?
    public var graceDays: Int?
    public var active: Bool?
    public init() {}
}

/// A subscription as the BackOffice shows it, with where it stands on the day asked.
public struct SubscriptionView: Hashable, Sendable, Codable {
    public var id: Int64
    public var userID: Int64
    public var planID: Int64
    public var planName: String
    public var planVersion: Int64
    public var branch: Int64
    public var startDate: LocalDay
    public var endDate: LocalDay
    /// The end once freezes are counted.
    public var effectiveEndDate: LocalDay
    public var graceDays: Int
    public var status: String
    public var standing: SubscriptionStanding
    public var freezes: [FreezeView]
    public var pricePaid: Money
    public var promotion: String
    public var paymentReference: String
    public var renews: Int64?
    public var soldAt: Timestamp

    public struct FreezeView: Hashable, Sendable, Codable {
        public var start: LocalDay
        public var end: LocalDay?
        public var reason: String
    }
}

/// Plans (versioned terms) and subscriptions (the sales). Changes that matter at a door go to the
/// change log in the same transaction.
public final class SQLiteSalesStore {
    package let db: Connection
    package let members: SQLiteMemberStore

    public init(connection: Connection, members: SQLiteMemberStore) throws {
        db = connection
        self.members = members
    }

    // MARK: Plans

    public func plans(activeOnly: Bool = false) throws -> [PlanView] {
        let ids: [Int64] = try db.query(
            "SELECT id FROM plans\(activeOnly ? " WHERE active = 1" : "") ORDER BY name COLLATE NOCASE"
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
            id: id, version: row.1, name: row.0, price: terms.plan.price, duration: terms.plan.duration,
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
            try SQLiteAccountStore.checkName(name, field: "name", required: true)
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

    /// Creates a plan, or changes one (a new version). `applyToExisting` moves the subscriptions
    /// running today onto the new terms; otherwise they keep the terms they were sold on.
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
                    try db.run(
                        "INSERT INTO plans (name, active, created_at) VALUES (?, 1, ?)", terms.name ?? "",
                        now.milliseconds)
                } catch let error as SQLiteError where error.isConstraintViolation {
                    throw AccountError(field: "name", problem: "already in use")
                }
                planID = db.lastInsertRowID
            }
            if let branches = terms.branches {
                try db.run("DELETE FROM plan_branches WHERE plan_id = ?", planID)
                for branch in Set(branches) {
                    do {
                        try db.run("INSERT INTO plan_branches (plan_id, branch_id) VALUES (?, ?)", planID, branch)
                    } catch let error as SQLiteError where error.isConstraintViolation {
                        throw AccountError(field: "branches", problem: "no branch \(branch)")
                    }
                }
            }
            let covered: [Int64] = try db.query("SELECT branch_id FROM plan_branches WHERE plan_id = ?", planID) {
                try $0.get(0)
            }
            let base = current?.plan
            let price = Money(
                minorUnits: terms.priceMinor ?? base?.price.minorUnits ?? 0,
                currency: terms.currency ?? base?.price.currency ?? "MXN")
            let duration: PlanDuration =
                terms.durationDays.map { .days($0) } ?? terms.durationMonths.map { .months($0) } ?? base?.duration
                ?? .months(1)
            var limit = base?.visitLimit ?? .unlimited
            if let value = terms.visitsPerDay { limit.perDay = value }
            if let value = terms.visitsPerWeek { limit.perWeek = value }
            if let value = terms.visitsPerMonth { limit.perMonth = value }
            if let value = terms.visitsTotal { limit.perSubscription = value }
            if let name = terms.name, id != nil {
                do { try db.run("UPDATE plans SET name = ? WHERE id = ?", name, planID) } catch let error as SQLiteError
                    where error.isConstraintViolation
                {
                    throw AccountError(field: "name", problem: "already in use")
                }
            }
            if let active = terms.active { try db.run("UPDATE plans SET active = ? WHERE id = ?", active, planID) }
            let name: String = try db.scalar("SELECT name FROM plans WHERE id = ?", planID)
            let active: Bool = try db.scalar("SELECT active FROM plans WHERE id = ?", planID)
            try db.run(
                "INSERT INTO plan_versions (plan_id, body, price_minor, currency, created_at) "
                    + "VALUES (?, '{}', ?, ?, ?)",
                planID, price.minorUnits, price.currency, now.milliseconds)
            let version = db.lastInsertRowID
            let plan = Plan(
                id: PlanID(version), name: name, price: price, duration: duration,
                branches: covered.isEmpty ? .allBranches : .only(Set(covered.map { BranchID($0) })),
                windows: terms.windows == nil ? base?.windows : windows, visitLimit: limit,
                features: terms.features ?? base?.features ?? [], active: active)
            let stored = StoredTerms(plan: plan, graceDays: terms.graceDays ?? current?.graceDays ?? 0)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try db.run(
                "UPDATE plan_versions SET body = ?, visits_total = ? WHERE id = ?",
                String(decoding: try encoder.encode(stored), as: UTF8.self),
                limit.perSubscription.map { Int64($0) }, version)
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

    // MARK: Subscriptions

    package static let subscriptionColumns = """
        s.id, s.user_id, s.plan_id, p.name, s.plan_version_id, s.branch_id, s.start_day, s.end_day, s.grace_days,
        s.status, s.price_minor, s.currency, s.promotion, s.payment_reference, s.renews, s.sold_at
        """

    package func view(_ row: Row, today: LocalDay) throws -> SubscriptionView {
        let id: Int64 = try row.get(0)
        let freezes: [SubscriptionView.FreezeView] = try db.query(
            "SELECT start_day, end_day, reason FROM freezes WHERE subscription_id = ? ORDER BY start_day", id
        ) {
            SubscriptionView.FreezeView(
                start: LocalDay(daysSinceEpoch: Int32(try $0.get(0) as Int64)),
                end: $0.int64(1).map { LocalDay(daysSinceEpoch: Int32($0)) }, reason: try $0.get(2))
        }
        let model = Subscription(
            id: SubscriptionID(id), userID: UserID(try row.get(1)), planID: PlanID(try row.get(4)),
            startDay: LocalDay(daysSinceEpoch: Int32(try row.get(6) as Int64)),
            endDay: LocalDay(daysSinceEpoch: Int32(try row.get(7) as Int64)),
            graceDays: try row.get(8), status: Subscription.Status(rawValue: try row.get(9)) ?? .cancelled,
            freezes: freezes.map { FreezePeriod(start: $0.start, end: $0.end) },
            pricePaid: Money(minorUnits: try row.get(10), currency: try row.get(11)))
        return SubscriptionView(
            id: id, userID: model.userID.rawValue, planID: try row.get(2), planName: try row.get(3),
            planVersion: try row.get(4), branch: try row.get(5),
            startDate: model.startDay, endDate: model.endDay,
            effectiveEndDate: model.effectiveEndDay(on: max(today, model.endDay)),
            graceDays: model.graceDays, status: model.status.rawValue, standing: model.standing(on: today),
            freezes: freezes,
            pricePaid: model.pricePaid, promotion: try row.get(12), paymentReference: try row.get(13),
            renews: row.int64(14),
            soldAt: Timestamp(milliseconds: try row.get(15)))
    }

    /// Recomputes `paid_through_day` after a freeze, an unfreeze or a grace change.
    package func refreshPaidThrough(_ id: Int64) throws {
        try db.run(
            """
            UPDATE subscriptions SET paid_through_day = CASE
                WHEN EXISTS (SELECT 1 FROM freezes f WHERE f.subscription_id = subscriptions.id AND f.end_day IS NULL)
                    THEN 2147483647
                ELSE end_day + grace_days + coalesce((SELECT sum(f.end_day - f.start_day + 1) FROM freezes f
                    WHERE f.subscription_id = subscriptions.id), 0) END
            WHERE id = ?
            """, id)
    }

    public func subscription(_ id: Int64, today: LocalDay) throws -> SubscriptionView? {
        try db.queryFirst(
            "SELECT \(Self.subscriptionColumns) FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.id = ?",
            id
        ) { try view($0, today: today) }
    }

    public func subscriptions(of user: UserID, today: LocalDay) throws -> [SubscriptionView] {
        try db.query(
            "SELECT \(Self.subscriptionColumns) FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
                + "WHERE s.user_id = ? ORDER BY s.start_day DESC, s.id DESC",
            user.rawValue
        ) { try view($0, today: today) }
    }

    /// Enrols `user` on the plan's current terms at `branch`, from `start`; the price defaults to the plan's.
    public func enroll(
        user: UserID, plan planID: Int64, branch: BranchID, start: LocalDay, pricePaid: Int64?, promotion: String,
        paymentReference: String,
        renews: Int64? = nil, soldBy: UserID?, today: LocalDay, now: Timestamp
    ) throws -> SubscriptionView {
        guard let plan = try plan(planID) else { throw AccountError(field: "plan", problem: "no plan \(planID)") }
        guard plan.active else { throw AccountError(field: "plan", problem: "\(plan.name) is not sold any more") }
        guard plan.branches.isEmpty || plan.branches.contains(branch.rawValue) else {
            throw AccountError(field: "branch", problem: "\(plan.name) does not cover branch \(branch)")
        }
        if let price = pricePaid, !(0...100_000_000_00).contains(price) {
            throw AccountError(field: "pricePaid", problem: "must be from 0 to 10,000,000,000 minor units")
        }
        guard start >= today.adding(days: -31), start <= today.adding(days: 366) else {
            throw AccountError(field: "startDate", problem: "must be within a month before and a year after today")
        }
        guard promotion.count <= 100, paymentReference.count <= 100 else {
            throw AccountError(field: "promotion", problem: "promotion and paymentReference: at most 100 characters")
        }
        return try db.transaction {
            guard try db.scalar("SELECT count(*) FROM users WHERE id = ?", user.rawValue, as: Int.self) == 1 else {
                throw AccountError(field: "user", problem: "no user \(user)")
            }
            let end = plan.duration.lastDay(startingOn: start)
            try db.run(
                """
                INSERT INTO subscriptions (user_id, plan_id, plan_version_id, branch_id, start_day, end_day, grace_days,
                                           status, price_minor, currency, promotion, payment_reference, renews, sold_by,
                                           sold_at, sold_day, paid_through_day)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, user.rawValue, planID, plan.version, branch.rawValue, Int64(start.rawValue), Int64(end.rawValue),
                plan.graceDays,
                pricePaid ?? plan.price.minorUnits, plan.price.currency, promotion, paymentReference, renews,
                soldBy?.rawValue, now.milliseconds, Int64(today.rawValue),
                Int64(end.rawValue) + Int64(plan.graceDays))
            let id = db.lastInsertRowID
            try members.recordChange("user", user.rawValue, now: now)
            guard let created = try subscription(id, today: today) else {
                throw AccountError(field: "plan", problem: "could not be read back")
            }
            return created
        }
    }

    /// A new subscription on the same plan, starting the day after this one's effective end
    /// (or today when it has ended).
    public func renew(
        _ id: Int64, pricePaid: Int64?, promotion: String, paymentReference: String, soldBy: UserID?, today: LocalDay,
        now: Timestamp
    ) throws -> SubscriptionView? {
        guard let current = try subscription(id, today: today) else { return nil }
        guard current.status == "active" else {
            throw AccountError(field: "subscription", problem: "a cancelled subscription is not renewed; enrol instead")
        }
        let start = max(today, current.effectiveEndDate.adding(days: 1))
        return try enroll(
            user: UserID(current.userID), plan: current.planID, branch: BranchID(current.branch), start: start,
            pricePaid: pricePaid,
            promotion: promotion, paymentReference: paymentReference, renews: id, soldBy: soldBy, today: today, now: now
        )
    }

    /// Freezes from `start` to `end` (open-ended when nil): refused when it overlaps another freeze,
    /// starts before the subscription or after its effective end.
    public func freeze(_ id: Int64, start: LocalDay, end: LocalDay?, reason: String, today: LocalDay, now: Timestamp)
        throws -> SubscriptionView?
    {
        guard let current = try subscription(id, today: today) else { return nil }
        guard current.status == "active" else { throw AccountError(field: "subscription", problem: "is cancelled") }
        if let end, end < start { throw AccountError(field: "endDate", problem: "is before startDate") }
        guard start >= current.startDate else {
            throw AccountError(field: "startDate", problem: "is before the subscription starts (\(current.startDate))")
        }
        guard start <= current.effectiveEndDate else {
            throw AccountError(
                field: "startDate", problem: "is after the subscription ends (\(current.effectiveEndDate))")
        }
        if let end, end.days(since: start) > 366 {
            throw AccountError(field: "endDate", problem: "a freeze lasts at most a year")
        }
        guard reason.count <= 200 else { throw AccountError(field: "reason", problem: "at most 200 characters") }
        for other in current.freezes {
            let otherEnd = other.end ?? LocalDay(daysSinceEpoch: Int32.max)
            let thisEnd = end ?? LocalDay(daysSinceEpoch: Int32.max)
            if start <= otherEnd && other.start <= thisEnd {
                throw AccountError(
                    field: "startDate",
                    problem:
                        "overlaps the freeze from \(other.start)\(other.end.map { " to \($0)" } ?? " (still open)")")
            }
        }
        return try db.transaction { () -> SubscriptionView? in
            try db.run(
                "INSERT INTO freezes (subscription_id, start_day, end_day, reason) VALUES (?, ?, ?, ?)", id,
                Int64(start.rawValue), end.map { Int64($0.rawValue) }, reason)
            try refreshPaidThrough(id)
            try members.recordChange("user", current.userID, now: now)
            return try subscription(id, today: today)
        }
    }

    /// Ends the open freeze: the member is back from `day` (frozen through the day before).
    public func unfreeze(_ id: Int64, on day: LocalDay, today: LocalDay, now: Timestamp) throws -> SubscriptionView? {
        guard let current = try subscription(id, today: today) else { return nil }
        guard
            let open = current.freezes.first(where: { $0.end == nil || $0.end! >= day })  // safe: checked non-nil first
        else {
            throw AccountError(field: "subscription", problem: "is not frozen on \(day)")
        }
        return try db.transaction { () -> SubscriptionView? in
            if day <= open.start {
                try db.run(
                    "DELETE FROM freezes WHERE subscription_id = ? AND start_day = ?", id, Int64(open.start.rawValue))
            } else {
                try db.run(
                    "UPDATE freezes SET end_day = ? WHERE subscription_id = ? AND start_day = ?",
                    Int64(day.adding(days: -1).rawValue), id, Int64(open.start.rawValue))
            }
            try refreshPaidThrough(id)
            try members.recordChange("user", current.userID, now: now)
            return try subscription(id, today: today)
        }
    }

    public func cancel(_ id: Int64, today: LocalDay, now: Timestamp) throws -> SubscriptionView? {
        guard let current = try subscription(id, today: today) else { return nil }
        guard current.status == "active" else {
            throw AccountError(field: "subscription", problem: "is already cancelled")
        }
        return try db.transaction { () -> SubscriptionView? in
            try db.run(
                "UPDATE subscriptions SET status = 'cancelled', cancelled_at = ? WHERE id = ?", now.milliseconds, id)
            try members.recordChange("user", current.userID, now: now)
            return try subscription(id, today: today)
        }
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLiteSalesStore: Sendable {}
