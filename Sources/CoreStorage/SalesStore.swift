import Foundation
import PorteroModel

/// A plan as the BackOffice shows it: its current terms, and the version they are.
public struct PlanView: Hashable, Sendable, Codable {
    public var id: Int64
    public var version: Int64
    public var name: String
    public var price: Money
    public var duration: PlanDurationView
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
    /// `PaymentStatus`: paid, pending, failed or credit.
    public var paymentStatus: String
    /// While a payment is owed: the day it falls due.
    public var paymentDue: LocalDay?
    /// While a payment is owed: the first day the door refuses (`payment.overdue`), once the
    /// chain's payment grace has run.
    public var doorRefusesFrom: LocalDay?
    /// The plan's price when sold, the promotion's discount, and the promotion (`promotion` keeps
    /// its code, or an automatic one's name).
    public var listPrice: Money
    public var discount: Money
    public var promotionID: Int64?

    public struct FreezeView: Hashable, Sendable, Codable {
        public var start: LocalDay
        public var end: LocalDay?
        public var reason: String
    }
}

/// Plans (versioned terms) and subscriptions (the sales). Changes that matter at a door go to the
/// change log in the same transaction.
public protocol SalesStore: PaymentStore {
    /// Every plan (or only those still sold), by name.
    func plans(activeOnly: Bool) throws -> [PlanView]
    func plan(_ id: Int64) throws -> PlanView?
    /// Creates a plan, or changes one (a new version). `applyToExisting` moves the subscriptions
    /// running today onto the new terms; otherwise they keep the terms they were sold on.
    func savePlan(id: Int64?, _ terms: PlanTerms, applyToExisting: Bool, today: LocalDay, now: Timestamp) throws
        -> PlanView?
    func subscription(_ id: Int64, today: LocalDay) throws -> SubscriptionView?
    /// The user's subscriptions, the latest start first.
    func subscriptions(of user: UserID, today: LocalDay) throws -> [SubscriptionView]
    /// Enrols `user` on the plan's current terms at `branch`, from `start`. The price is the plan's
    /// less the promotion with the code `promotion`, or with none the best automatic one; a
    /// `pricePaid` given by hand takes no promotion.
    func enroll(
        user: UserID, plan planID: Int64, branch: BranchID, start: LocalDay, pricePaid: Int64?, promotion: String,
        paymentReference: String, renews: Int64?, soldBy: UserID?, today: LocalDay, now: Timestamp
    ) throws -> SubscriptionView
    /// A new subscription on the same plan, starting the day after this one's effective end
    /// (or today when it has ended).
    func renew(
        _ id: Int64, pricePaid: Int64?, promotion: String, paymentReference: String, soldBy: UserID?, today: LocalDay,
        now: Timestamp
    ) throws -> SubscriptionView?
    /// Freezes from `start` to `end` (open-ended when nil): refused when it overlaps another freeze,
    /// starts before the subscription or after its effective end.
    func freeze(_ id: Int64, start: LocalDay, end: LocalDay?, reason: String, today: LocalDay, now: Timestamp) throws
        -> SubscriptionView?
    /// Ends the open freeze: the member is back from `day` (frozen through the day before).
    func unfreeze(_ id: Int64, on day: LocalDay, today: LocalDay, now: Timestamp) throws -> SubscriptionView?
    func cancel(_ id: Int64, today: LocalDay, now: Timestamp) throws -> SubscriptionView?
}

extension SalesStore {
    /// Every plan, sold or not.
    public func plans() throws -> [PlanView] { try plans(activeOnly: false) }

    /// A first subscription, renewing none.
    public func enroll(
        user: UserID, plan planID: Int64, branch: BranchID, start: LocalDay, pricePaid: Int64?, promotion: String,
        paymentReference: String, soldBy: UserID?, today: LocalDay, now: Timestamp
    ) throws -> SubscriptionView {
        try enroll(
            user: user, plan: planID, branch: branch, start: start, pricePaid: pricePaid, promotion: promotion,
            paymentReference: paymentReference, renews: nil, soldBy: soldBy, today: today, now: now)
    }
}
