import Foundation
import PorteroModel
import SQLite

/// Promotions in the core's database (SQLite or PostgreSQL).
public final class SQLPromotionStore: PromotionStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) {
        db = connection
    }

    static let columns = """
        id, code, name, kind, value, valid_from_day, valid_to_day, max_uses, max_uses_per_member, uses, active
        """

    func view(_ row: any SQLRow) throws -> PromotionView {
        let id: Int64 = try row.get(0)
        let plans: [Int64] = try db.query(
            "SELECT plan_id FROM promotion_plans WHERE promotion_id = ? ORDER BY plan_id", id
        ) { try $0.get(0) }
        let branches: [Int64] = try db.query(
            "SELECT branch_id FROM promotion_branches WHERE promotion_id = ? ORDER BY branch_id", id
        ) { try $0.get(0) }
        let (kind, value): (String, Int64) = (try row.get(3), try row.get(4))
        return PromotionView(
            id: id, code: try row.get(1), name: try row.get(2), kind: kind, value: value,
            amount: kind == "amount" ? try SQLSettingsStore(connection: db).chain().money(value) : nil,
            plans: plans, branches: branches,
            validFrom: row.int64(5).map { LocalDay(daysSinceEpoch: Int32($0)) },
            validTo: row.int64(6).map { LocalDay(daysSinceEpoch: Int32($0)) }, maxUses: row.int64(7),
            maxUsesPerMember: row.int64(8), uses: try row.get(9), active: try row.get(10))
    }

    public func promotions() throws -> [PromotionView] {
        try db.query(
            "SELECT \(Self.columns) FROM promotions ORDER BY code IS NULL, code, \(db.dialect.caseless("name")), id"
        ) { try view($0) }
    }

    public func promotion(_ id: Int64) throws -> PromotionView? {
        try db.queryFirst("SELECT \(Self.columns) FROM promotions WHERE id = ?", id) { try view($0) }
    }

    /// A code as stored: trimmed, upper case, letters, digits, `-` and `_`; "" for none.
    package static func normalized(code: String, field: String = "code") throws -> String {
        let code = code.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count <= 40,
            code.unicodeScalars.allSatisfy({
                $0.isASCII && ($0 == "-" || $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
            })
        else {
            throw AccountError(field: field, problem: "at most 40 letters (A-Z), digits, '-' or '_'")
        }
        return code
    }

    func check(_ terms: PromotionTerms, creating: Bool, current: PromotionView?) throws {
        if let name = terms.name {
            try FieldRules.checkName(name, field: "name", required: true)
        } else if creating {
            throw AccountError(field: "name", problem: "is required")
        }
        if let kind = terms.kind, kind != "percent" && kind != "amount" {
            throw AccountError(field: "kind", problem: "percent or amount")
        }
        if creating && terms.kind == nil { throw AccountError(field: "kind", problem: "is required") }
        if creating && terms.value == nil { throw AccountError(field: "value", problem: "is required") }
        let kind = terms.kind ?? current?.kind ?? "amount"
        if let value = terms.value ?? current?.value {
            if kind == "percent" && !(1...10_000).contains(value) {
                throw AccountError(field: "value", problem: "a percentage from 1 to 10000 basis points (100.00 %)")
            }
            if kind == "amount" && !(1...100_000_000_00).contains(value) {
                throw AccountError(field: "value", problem: "an amount from 1 to 10,000,000,000 minor units")
            }
        }
        if let limit = terms.maxUses ?? nil, !(1...1_000_000).contains(limit) {
            throw AccountError(field: "maxUses", problem: "from 1 to 1000000, or null for no cap")
        }
        if let limit = terms.maxUsesPerMember ?? nil, !(1...1_000).contains(limit) {
            throw AccountError(field: "maxUsesPerMember", problem: "from 1 to 1000, or null for no cap")
        }
        let from = terms.validFrom ?? current?.validFrom
        let to = terms.validTo ?? current?.validTo
        if let from, let to, to < from { throw AccountError(field: "validTo", problem: "is before validFrom") }
        if (terms.plans?.count ?? 0) > 500 || (terms.branches?.count ?? 0) > 500 {
            throw AccountError(field: "plans", problem: "at most 500 plans and 500 branches")
        }
    }

    public func savePromotion(id: Int64?, _ terms: PromotionTerms, now: Timestamp) throws -> PromotionView? {
        let current = try id.flatMap { try promotion($0) }
        if id != nil && current == nil { return nil }
        try check(terms, creating: id == nil, current: current)
        let code = try terms.code.map { try Self.normalized(code: $0) }
        // The row as it will be, written by one statement: its checks (a percentage's bound, the
        // days' order) hold between the new values, never between a new one and an old one.
        let storedCode = code.map { $0.isEmpty ? nil : $0 } ?? current?.code
        let kind = terms.kind ?? current?.kind ?? "amount"
        let value = terms.value ?? current?.value ?? 1
        let from = (terms.validFrom ?? current?.validFrom).map { Int64($0.rawValue) }
        let to = (terms.validTo ?? current?.validTo).map { Int64($0.rawValue) }
        let maxUses = terms.maxUses ?? current?.maxUses
        let perMember = terms.maxUsesPerMember ?? current?.maxUsesPerMember
        let active = terms.active ?? current?.active ?? true
        return try db.transaction { () -> PromotionView? in
            var promotionID = id ?? 0
            do {
                try db.attempt {
                    if let id {
                        try db.run(
                            """
                            UPDATE promotions SET code = ?, name = ?, kind = ?, value = ?, valid_from_day = ?,
                                valid_to_day = ?, max_uses = ?, max_uses_per_member = ?, active = ?, updated_at = ?
                            WHERE id = ?
                            """, storedCode, terms.name ?? current?.name ?? "", kind, value, from, to, maxUses,
                            perMember, active, now.milliseconds, id)
                    } else {
                        promotionID = try db.scalar(
                            """
                            INSERT INTO promotions (code, name, kind, value, valid_from_day, valid_to_day, max_uses,
                                                    max_uses_per_member, active, created_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                            """, storedCode, terms.name ?? "", kind, value, from, to, maxUses, perMember, active,
                            now.milliseconds, now.milliseconds, as: Int64.self)
                    }
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("code", "already in use")
            }
            try replace("promotion_plans", "plan_id", field: "plans", with: terms.plans, of: promotionID)
            try replace("promotion_branches", "branch_id", field: "branches", with: terms.branches, of: promotionID)
            return try promotion(promotionID)
        }
    }

    /// Replaces the plans or branches a promotion covers (nil keeps them).
    private func replace(_ table: String, _ column: String, field: String, with ids: [Int64]?, of id: Int64) throws {
        guard let ids else { return }
        try db.run("DELETE FROM \(table) WHERE promotion_id = ?", id)
        for item in Set(ids).sorted() {
            do {
                try db.attempt {
                    try db.run("INSERT INTO \(table) (promotion_id, \(column)) VALUES (?, ?)", id, item)
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.notFound(field, "no \(field.dropLast()) \(item)")
            }
        }
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLPromotionStore: Sendable {}
