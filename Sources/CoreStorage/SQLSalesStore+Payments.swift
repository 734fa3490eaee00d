import Foundation
import PorteroModel
import SQLite

/// Where a subscription's payment stands.
public enum PaymentStatus: String, Sendable, Codable, CaseIterable {
    case paid
    /// Sold; the payment is expected (a transfer on its way, a card to be charged).
    case pending
    /// A payment was tried and did not go through.
    case failed
    /// Sold on credit: the member pays by the due day.
    case credit
}

/// How a payment was made.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case cash, card, transfer
}

/// A payment recorded against a subscription: one that went through, or one that failed.
public struct PaymentRecord: Hashable, Sendable, Codable {
    public enum Outcome: String, Sendable, Codable, CaseIterable { case paid, failed }
    public var id: Int64
    public var subscription: Int64
    public var outcome: Outcome
    public var method: PaymentMethod
    public var amount: Money
    public var reference: String
    public var note: String
    public var recordedBy: Int64?
    public var recordedAt: Timestamp
}

/// What the desk records: a payment that went through, or one that failed.
public struct PaymentEntry: Sendable {
    public var outcome: PaymentRecord.Outcome
    public var method: PaymentMethod
    public var amountMinor: Int64
    public var reference: String
    public var note: String

    public init(
        outcome: PaymentRecord.Outcome, method: PaymentMethod, amountMinor: Int64, reference: String = "",
        note: String = ""
    ) {
        self.outcome = outcome
        self.method = method
        self.amountMinor = amountMinor
        self.reference = reference
        self.note = note
    }
}

/// Payments owed on subscriptions. A change puts the member in the change log, so the door
/// learns within the feed's latency when a payment falls overdue or is made.
public protocol PaymentStore {
    /// Marks a subscription as owing a payment (`pending` or `credit`) due on `due`.
    func owe(_ id: Int64, status: PaymentStatus, due: LocalDay, now: Timestamp) throws
    /// Records a payment: one that went through settles the subscription; a failed one leaves
    /// it owing (due today when it was settled before, as with a charge-back).
    func recordPayment(_ id: Int64, _ entry: PaymentEntry, by: UserID?, today: LocalDay, now: Timestamp) throws
        -> SubscriptionView?
    /// Records how a sale paid at once was paid, for the sales report.
    func paidAtOnce(_ id: Int64, method: PaymentMethod) throws
    /// The payments recorded against a subscription, oldest first.
    func payments(of id: Int64) throws -> [PaymentRecord]
    /// Active subscriptions still owing, at `branches` (nil: every branch), the earliest due first.
    func owed(branches: Set<BranchID>?, today: LocalDay, limit: Int) throws -> [SubscriptionView]
    /// The chain's payment grace changed: every member owing a payment goes to the doors again.
    func paymentGraceChanged(now: Timestamp) throws
    /// True once any plan or product has a price or anything has been sold (the currency then stays).
    func hasPrices() throws -> Bool
}

extension SQLSalesStore: PaymentStore {
    public func paidAtOnce(_ id: Int64, method: PaymentMethod) throws {
        try db.run("UPDATE subscriptions SET payment_method = ? WHERE id = ?", method.rawValue, id)
    }

    public func owe(_ id: Int64, status: PaymentStatus, due: LocalDay, now: Timestamp) throws {
        guard status == .pending || status == .credit else {
            throw AccountError(field: "payment", problem: "a sale owes a payment only as pending or credit")
        }
        try db.transaction {
            guard
                let user = try db.queryFirst(
                    "UPDATE subscriptions SET payment_status = ?, payment_due_day = ? WHERE id = ? RETURNING user_id",
                    status.rawValue, Int64(due.rawValue), id, map: { try $0.get(0) as Int64 })
            else { throw AccountError.notFound("subscription", "no subscription \(id)") }
            try members.recordChange("user", user, now: now)
        }
    }

    public func recordPayment(_ id: Int64, _ entry: PaymentEntry, by: UserID?, today: LocalDay, now: Timestamp)
        throws -> SubscriptionView?
    {
        guard let current = try subscription(id, today: today) else { return nil }
        guard (0...100_000_000_00).contains(entry.amountMinor) else {
            throw AccountError(field: "amountMinor", problem: "must be from 0 to 10,000,000,000 minor units")
        }
        guard entry.reference.count <= 100 else {
            throw AccountError(field: "reference", problem: "at most 100 characters")
        }
        guard entry.note.count <= 200 else { throw AccountError(field: "note", problem: "at most 200 characters") }
        return try db.transaction { () -> SubscriptionView? in
            // Settling is a conditional update, so of two desks recording one payment at once only
            // one records it.
            if entry.outcome == .paid {
                guard
                    try db.queryFirst(
                        """
                        UPDATE subscriptions SET payment_status = 'paid', payment_due_day = NULL, payment_method = ?
                        WHERE id = ? AND payment_status <> 'paid' RETURNING id
                        """, entry.method.rawValue, id, map: { try $0.get(0) as Int64 }) != nil
                else { throw AccountError.conflict("subscription", "is already paid") }
            }
            try db.run(
                """
                INSERT INTO subscription_payments (subscription_id, outcome, method, amount_minor, reference, note,
                                                   recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, id, entry.outcome.rawValue, entry.method.rawValue, entry.amountMinor, entry.reference,
                entry.note, by?.rawValue, now.milliseconds)
            if entry.outcome == .failed {
                try db.run(
                    """
                    UPDATE subscriptions SET payment_status = 'failed', payment_method = NULL,
                        payment_due_day = coalesce(payment_due_day, ?) WHERE id = ?
                    """, Int64(today.rawValue), id)
            }
            try members.recordChange("user", current.userID, now: now)
            return try subscription(id, today: today)
        }
    }

    public func payments(of id: Int64) throws -> [PaymentRecord] {
        let currency = try SQLSettingsStore(connection: db).chain().currency
        return try db.query(
            """
            SELECT id, subscription_id, outcome, method, amount_minor, reference, note, recorded_by, recorded_at
            FROM subscription_payments WHERE subscription_id = ? ORDER BY id
            """, id
        ) { row in
            PaymentRecord(
                id: try row.get(0), subscription: try row.get(1),
                outcome: PaymentRecord.Outcome(rawValue: try row.get(2)) ?? .failed,
                method: PaymentMethod(rawValue: try row.get(3)) ?? .cash,
                amount: Money(minorUnits: try row.get(4), currency: currency), reference: try row.get(5),
                note: try row.get(6), recordedBy: row.int64(7), recordedAt: Timestamp(milliseconds: try row.get(8)))
        }
    }

    public func owed(branches: Set<BranchID>?, today: LocalDay, limit: Int) throws -> [SubscriptionView] {
        let scope = branches.map { Array($0.map(\.rawValue)).sorted() }
        return try db.query(
            """
            SELECT \(Self.subscriptionColumns) FROM subscriptions s JOIN plans p ON p.id = s.plan_id
            WHERE s.payment_due_day IS NOT NULL AND s.status = 'active'
                AND (? = 1 OR s.branch_id IN (\(db.dialect.integers(in: "?"))))
            ORDER BY s.payment_due_day, s.id LIMIT ?
            """, scope == nil ? 1 : 0, "[" + (scope ?? []).map(String.init).joined(separator: ",") + "]", limit
        ) { try view($0, today: today) }
    }

    public func paymentGraceChanged(now: Timestamp) throws {
        try db.run(
            """
            INSERT INTO change_log (at, entity, entity_id)
            SELECT DISTINCT CAST(? AS BIGINT), 'user', user_id FROM subscriptions WHERE payment_due_day IS NOT NULL
            """, now.milliseconds)
    }

    public func hasPrices() throws -> Bool {
        try db.queryFirst(
            """
            SELECT 1 WHERE EXISTS (SELECT 1 FROM plans) OR EXISTS (SELECT 1 FROM subscriptions)
                OR EXISTS (SELECT 1 FROM pos_products)
            """, map: { _ in true }) ?? false
    }
}
