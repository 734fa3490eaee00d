import Foundation
import PorteroModel
import SQLite

/// Subscriptions (the sales): enrolment, renewal, freezes and cancellation.
extension SQLSalesStore {
    package static let subscriptionColumns = """
        s.id, s.user_id, s.plan_id, p.name, s.plan_version_id, s.branch_id, s.start_day, s.end_day, s.grace_days,
        s.status, s.price_minor, s.currency, s.promotion, s.payment_reference, s.renews, s.sold_at, s.payment_status,
        s.payment_due_day, s.list_price_minor, s.discount_minor, s.promotion_id
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
        let due = row.int64(17).map { LocalDay(daysSinceEpoch: Int32($0)) }
        let grace = try due == nil ? 0 : SQLSettingsStore(connection: db).chain().paymentGraceDays
        return SubscriptionView(
            id: id, userID: model.userID.rawValue, planID: try row.get(2), planName: try row.get(3),
            planVersion: try row.get(4), branch: try row.get(5),
            startDate: model.startDay, endDate: model.endDay,
            effectiveEndDate: model.effectiveEndDay(on: max(today, model.endDay)),
            graceDays: model.graceDays, status: model.status.rawValue, standing: model.standing(on: today),
            freezes: freezes,
            pricePaid: model.pricePaid, promotion: try row.get(12), paymentReference: try row.get(13),
            renews: row.int64(14),
            soldAt: Timestamp(milliseconds: try row.get(15)), paymentStatus: try row.get(16), paymentDue: due,
            doorRefusesFrom: due.map { Subscription.unpaidFrom(due: $0, graceDays: grace) },
            listPrice: Money(minorUnits: try row.get(18), currency: model.pricePaid.currency),
            discount: Money(minorUnits: try row.get(19), currency: model.pricePaid.currency),
            promotionID: row.int64(20))
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

    public func enroll(
        user: UserID, plan planID: Int64, branch: BranchID, start: LocalDay, pricePaid: Int64?, promotion: String,
        paymentReference: String,
        renews: Int64?, soldBy: UserID?, today: LocalDay, now: Timestamp
    ) throws -> SubscriptionView {
        guard let plan = try plan(planID) else { throw AccountError.notFound("plan", "no plan \(planID)") }
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
        if pricePaid != nil && !promotion.isEmpty {
            throw AccountError(field: "pricePaid", problem: "give pricePaid (a price by hand) or promotion, not both")
        }
        return try db.transaction {
            guard try db.scalar("SELECT count(*) FROM users WHERE id = ?", user.rawValue, as: Int.self) == 1 else {
                throw AccountError.notFound("user", "no user \(user)")
            }
            let end = plan.duration.lastDay(startingOn: start)
            // A price by hand takes no promotion; otherwise the code given, or the best automatic one.
            let listPrice = plan.price.minorUnits
            let applied =
                pricePaid != nil
                ? nil
                : try SQLPromotionStore(connection: db).take(
                    code: promotion.isEmpty ? nil : promotion, user: user, plan: planID, branch: branch,
                    listPrice: listPrice, today: today)
            let id = try db.scalar(
                """
                INSERT INTO subscriptions (user_id, plan_id, plan_version_id, branch_id, start_day, end_day, grace_days,
                                           status, price_minor, currency, promotion, payment_reference, renews, sold_by,
                                           sold_at, sold_day, paid_through_day, list_price_minor, discount_minor,
                                           promotion_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, user.rawValue, planID, plan.version, branch.rawValue, Int64(start.rawValue), Int64(end.rawValue),
                plan.graceDays,
                pricePaid ?? listPrice - (applied?.discount ?? 0), plan.price.currency, applied?.label ?? "",
                paymentReference, renews, soldBy?.rawValue, now.milliseconds, Int64(today.rawValue),
                Int64(end.rawValue) + Int64(plan.graceDays), listPrice, applied?.discount ?? 0, applied?.id,
                as: Int64.self)
            try members.recordChange("user", user.rawValue, now: now)
            // Every sale is invoiced in its own transaction, numbered in its branch's series.
            _ = try SQLInvoiceStore(connection: db).issue(forSubscription: id, now: now, today: today)
            guard let created = try subscription(id, today: today) else {
                throw AccountError(field: "plan", problem: "could not be read back")
            }
            return created
        }
    }

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
            throw AccountError.conflict("subscription", "is already cancelled")
        }
        return try db.transaction { () -> SubscriptionView? in
            try db.run(
                "UPDATE subscriptions SET status = 'cancelled', cancelled_at = ? WHERE id = ?", now.milliseconds, id)
            try members.recordChange("user", current.userID, now: now)
            return try subscription(id, today: today)
        }
    }
}
