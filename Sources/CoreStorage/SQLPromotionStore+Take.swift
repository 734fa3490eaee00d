import Foundation
import PorteroModel
import SQLite

/// Choosing the promotion a sale takes, and counting it under the promotion's row lock.
extension SQLPromotionStore {
    /// Why `promotion` does not apply to this sale (nil: it applies). The total cap and the
    /// member's are checked again under the row lock by `count`.
    func refusal(
        _ promotion: PromotionView, user: UserID, plan: Int64, branch: BranchID, today: LocalDay
    ) throws -> AccountError? {
        let name = promotion.code ?? promotion.name
        if !promotion.active { return AccountError(field: "promotion", problem: "\(name) is inactive") }
        if let from = promotion.validFrom, today < from {
            return AccountError(field: "promotion", problem: "\(name) is not valid yet: from \(from)")
        }
        if let to = promotion.validTo, today > to {
            return AccountError(field: "promotion", problem: "\(name) has expired: it ended on \(to)")
        }
        if !promotion.plans.isEmpty && !promotion.plans.contains(plan) {
            return AccountError(field: "promotion", problem: "\(name) does not cover plan \(plan)")
        }
        if !promotion.branches.isEmpty && !promotion.branches.contains(branch.rawValue) {
            return AccountError(field: "promotion", problem: "\(name) does not cover branch \(branch)")
        }
        if let cap = promotion.maxUses, promotion.uses >= cap {
            return .conflict("promotion", "\(name) is used up: all \(cap) uses are taken")
        }
        return try memberRefusal(promotion, user: user)
    }

    private func memberRefusal(_ promotion: PromotionView, user: UserID) throws -> AccountError? {
        guard let cap = promotion.maxUsesPerMember else { return nil }
        let used: Int64 = try db.scalar(
            "SELECT count(*) FROM subscriptions WHERE promotion_id = ? AND user_id = ?", promotion.id, user.rawValue)
        guard used >= cap else { return nil }
        return .conflict(
            "promotion", "\(promotion.code ?? promotion.name) is used up by this member: \(cap) use(s) each")
    }

    /// Counts one use, holding the promotion's row until the sale commits: false (nothing
    /// counted) when a cap is reached, the total or the member's.
    private func count(_ promotion: PromotionView, user: UserID) throws -> AccountError? {
        let counted = try db.run(
            "UPDATE promotions SET uses = uses + 1 WHERE id = ? AND (max_uses IS NULL OR uses < max_uses)",
            promotion.id)
        guard counted == 1 else {
            return .conflict("promotion", "\(promotion.code ?? promotion.name) is used up")
        }
        // Read after the lock: a parallel sale to the same member has committed by now.
        if let refusal = try memberRefusal(promotion, user: user) {
            try db.run("UPDATE promotions SET uses = uses - 1 WHERE id = ?", promotion.id)
            return refusal
        }
        return nil
    }

    public func take(
        code: String?, user: UserID, plan: Int64, branch: BranchID, listPrice: Int64, today: LocalDay
    ) throws -> AppliedPromotion? {
        if let code {
            let normalized = try Self.normalized(code: code, field: "promotion")
            guard
                let id: Int64 = try db.queryFirst(
                    "SELECT id FROM promotions WHERE code = ?", normalized, map: { try $0.get(0) }),
                let promotion = try promotion(id)
            else { throw AccountError.notFound("promotion", "no promotion with code \(normalized)") }
            if let refusal = try refusal(promotion, user: user, plan: plan, branch: branch, today: today) {
                throw refusal
            }
            if let refusal = try count(promotion, user: user) { throw refusal }
            return AppliedPromotion(id: id, label: normalized, discount: promotion.discount(on: listPrice))
        }
        let ids: [Int64] = try db.query("SELECT id FROM promotions WHERE code IS NULL AND active = 1") {
            try $0.get(0)
        }
        let candidates = try ids.compactMap { try promotion($0) }.filter {
            try refusal($0, user: user, plan: plan, branch: branch, today: today) == nil
        }
        // The largest discount, then the one ending first (it is gone soonest), then the oldest.
        let ranked = candidates.sorted {
            let (first, second) = ($0.discount(on: listPrice), $1.discount(on: listPrice))
            if first != second { return first > second }
            let (end0, end1) = ($0.validTo?.rawValue ?? Int32.max, $1.validTo?.rawValue ?? Int32.max)
            if end0 != end1 { return end0 < end1 }
            return $0.id < $1.id
        }
        for promotion in ranked where promotion.discount(on: listPrice) > 0 {
            if try count(promotion, user: user) == nil {
                return AppliedPromotion(
                    id: promotion.id, label: promotion.name, discount: promotion.discount(on: listPrice))
            }
        }
        return nil
    }
}
