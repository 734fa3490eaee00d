import Foundation
import PorteroModel

/// A promotion as the BackOffice shows it.
public struct PromotionView: Hashable, Sendable, Codable {
    public var id: Int64
    /// Upper case; nil for an automatic promotion (it applies by itself to the sales it covers).
    public var code: String?
    public var name: String
    /// `percent` (value in basis points: 1000 = 10 %) or `amount` (value in minor units).
    public var kind: String
    public var value: Int64
    /// For `amount`: the value in the chain's currency.
    public var amount: Money?
    /// Plans and branches covered; empty: all.
    public var plans: [Int64]
    public var branches: [Int64]
    public var validFrom: LocalDay?
    public var validTo: LocalDay?
    public var maxUses: Int64?
    public var maxUsesPerMember: Int64?
    /// Sales made with it so far.
    public var uses: Int64
    public var active: Bool

    public var automatic: Bool { code == nil }

    /// The discount on `listPrice`: a percentage rounds half away from zero (the chain's rule);
    /// never more than the price.
    public func discount(on listPrice: Int64) -> Int64 {
        let off = kind == "percent" ? MinorUnits.share(listPrice, basisPoints: Int(value)) : value
        return min(max(off, 0), listPrice)
    }
}

/// What a promotion create or change sets; nil keeps the current value (a double optional clears).
public struct PromotionTerms: Sendable {
    /// A code; "" (or nil when creating) for an automatic promotion.
    public var code: String?
    public var name: String?
    public var kind: String?
    public var value: Int64?
    public var plans: [Int64]?
    public var branches: [Int64]?
    public var validFrom: LocalDay??
    public var validTo: LocalDay??
    public var maxUses: Int64??
    public var maxUsesPerMember: Int64??
    public var active: Bool?
    public init() {}
}

/// The promotion a sale took: its id, the code (or name) the sale keeps, the discount.
public struct AppliedPromotion: Hashable, Sendable {
    public var id: Int64
    public var label: String
    public var discount: Int64
}

/// Promotions, and choosing and counting the one a subscription sale takes.
public protocol PromotionStore {
    /// Every promotion, codes first (by code), then automatic ones by name.
    func promotions() throws -> [PromotionView]
    func promotion(_ id: Int64) throws -> PromotionView?
    /// Creates (id nil) or changes a promotion; nil when there is no such promotion.
    func savePromotion(id: Int64?, _ terms: PromotionTerms, now: Timestamp) throws -> PromotionView?
    /// The promotion a sale of `plan` at `branch` to `user` takes, counted as used: the one with
    /// `code` (refused with the reason when it does not apply), or without a code the automatic
    /// promotion that applies with the largest discount (ties: the one ending first, then the
    /// oldest). Call inside the sale's transaction: the count and its cap are checked under the
    /// promotion's row lock, so parallel sales never pass a cap.
    func take(
        code: String?, user: UserID, plan: Int64, branch: BranchID, listPrice: Int64, today: LocalDay
    ) throws -> AppliedPromotion?
}
