import Foundation
import PorteroModel
import SQLite

/// Voids and refunds of tickets, purchases from suppliers, and the daily sums.
extension SQLPosStore {
    public func voidSale(_ id: Int64, reason: String, by: UserID, now: Timestamp) throws -> PosSale {
        try db.transaction {
            guard let found = try sale(id) else { throw AccountError.notFound("sale", "no sale \(id)") }
            guard found.status == "completed" else { throw AccountError.conflict("sale", "sale \(id) is already void") }
            guard found.refunds.isEmpty else {
                throw AccountError.conflict("sale", "sale \(id) has refunds; refund the rest instead")
            }
            do {
                _ = try holdOpenShift(found.shift)
            } catch let error as AccountError where error.kind == .conflict {
                throw AccountError.conflict("sale", "the shift of sale \(id) is closed; refund it instead")
            }
            try db.run(
                "UPDATE pos_sales SET status = 'void', voided_by = ?, voided_at = ?, void_reason = ? WHERE id = ?",
                by.rawValue, now.milliseconds, reason, id)
            let moved = try db.query(
                """
                SELECT m.product_id, m.branch_id, p.name, sum(m.quantity) FROM pos_stock_movements m
                JOIN pos_products p ON p.id = m.product_id WHERE m.reference = ?
                GROUP BY m.product_id, m.branch_id, p.name
                """, "sale:\(id)"
            ) { (try $0.get(0) as Int64, try $0.get(1) as Int64, try $0.get(2) as String, try $0.get(3) as Int64) }
            for (product, branch, name, quantity) in moved where quantity != 0 {
                _ = try moveStock(
                    product: product, name: name, branch: BranchID(branch), kind: "void", quantity: -quantity,
                    allowsNegative: true, reference: "sale:\(id)", reason: reason, by: by, now: now)
            }
            let paid = try db.query(
                """
                SELECT method, sum(amount_minor) FROM cash_movements WHERE reference = ? AND kind = 'sale'
                GROUP BY method ORDER BY method
                """, "sale:\(id)"
            ) { (try $0.get(0) as String, try $0.get(1) as Int64) }
            for (method, amount) in paid where amount != 0 {
                _ = try postMovement(
                    shift: found.shift, kind: "void", method: PaymentMethod(rawValue: method) ?? .cash,
                    amountMinor: -amount, reference: "sale:\(id)", reason: reason, by: by, now: now)
            }
            let day: Int64 = try db.scalar("SELECT sold_day FROM pos_sales WHERE id = ?", id)
            try addDaily(
                branch: BranchID(found.branch), day: LocalDay(rawValue: Int32(day)), count: -1,
                amount: -found.total.minorUnits, refunded: 0)
            guard let voided = try sale(id) else { throw AccountError.notFound("sale", "no sale \(id)") }
            return voided
        }
    }

    public func refund(
        _ id: Int64, quantities: [Int: Int64], shift: Int64, method: PaymentMethod, reason: String, by: UserID,
        day: LocalDay, now: Timestamp
    ) throws -> PosSale {
        for (line, quantity) in quantities where !(1...Self.largestQuantity).contains(quantity) {
            throw AccountError(field: "lines[\(line)].quantity", problem: "must be from 1 to 100000")
        }
        return try db.transaction {
            guard let found = try sale(id) else { throw AccountError.notFound("sale", "no sale \(id)") }
            guard found.status == "completed" else { throw AccountError.conflict("sale", "sale \(id) is void") }
            let payer = try holdOpenShift(shift)
            guard payer.branch == found.branch else {
                throw AccountError.conflict(
                    "shift", "shift \(shift) is at branch \(payer.branch), the sale at \(found.branch)")
            }
            for line in quantities.keys where !found.lines.contains(where: { $0.line == line }) {
                throw AccountError.notFound("lines", "sale \(id) has no line \(line)")
            }
            var refunded: [(line: PosSale.Line, quantity: Int64, amount: Int64)] = []
            for line in found.lines {
                let left = line.quantity - line.refundedQuantity
                let quantity = quantities.isEmpty ? left : quantities[line.line] ?? 0
                guard quantity > 0 else { continue }
                guard quantity <= left else {
                    throw AccountError.conflict(
                        "quantity", "line \(line.line) (\(line.name)): \(left) of \(line.quantity) left to refund")
                }
                let amountLeft = line.net.minorUnits - line.refunded.minorUnits
                let amount =
                    quantity == left
                    ? amountLeft : min(amountLeft, Self.scaled(line.net.minorUnits, quantity, line.quantity))
                let changed = try db.run(
                    """
                    UPDATE pos_sale_lines SET refunded_quantity = refunded_quantity + ?1,
                        refunded_minor = refunded_minor + ?2
                    WHERE sale_id = ?3 AND line = ?4 AND refunded_quantity + ?1 <= quantity
                    """, quantity, amount, id, Int64(line.line))
                guard changed == 1 else {
                    throw AccountError.conflict("quantity", "line \(line.line) was refunded meanwhile")
                }
                refunded.append((line, quantity, amount))
            }
            guard !refunded.isEmpty else {
                throw AccountError.conflict("sale", "sale \(id) has nothing left to refund")
            }
            let total = refunded.reduce(0) { $0 + $1.amount }
            let refundID = try db.scalar(
                """
                INSERT INTO pos_refunds (sale_id, shift_id, method, amount_minor, reason, by_user, at)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, id, shift, method.rawValue, total, reason, by.rawValue, now.milliseconds, as: Int64.self)
            for entry in refunded {
                try db.run(
                    "INSERT INTO pos_refund_lines (refund_id, line, quantity, amount_minor) VALUES (?, ?, ?, ?)",
                    refundID, Int64(entry.line.line), entry.quantity, entry.amount)
                let tracked: Int = try db.scalar(
                    "SELECT count(*) FROM pos_stock_movements WHERE reference = ? AND product_id = ?", "sale:\(id)",
                    entry.line.product)
                if tracked > 0 {
                    _ = try moveStock(
                        product: entry.line.product, name: entry.line.name, branch: BranchID(found.branch),
                        kind: "refund", quantity: entry.quantity, allowsNegative: true, reference: "refund:\(refundID)",
                        reason: reason, by: by, now: now)
                }
            }
            if total > 0 {
                _ = try postMovement(
                    shift: shift, kind: "refund", method: method, amountMinor: -total, reference: "refund:\(refundID)",
                    reason: reason, by: by, now: now)
            }
            try addDaily(branch: BranchID(found.branch), day: day, count: 0, amount: 0, refunded: total)
            guard let after = try sale(id) else { throw AccountError.notFound("sale", "no sale \(id)") }
            return after
        }
    }

    public func purchase(
        branch: BranchID, supplier: String, lines: [PosPurchase.Line], by: UserID, now: Timestamp
    ) throws -> PosPurchase {
        try FieldRules.checkName(supplier, field: "supplier", required: true)
        guard (1...100).contains(lines.count) else {
            throw AccountError(field: "lines", problem: "from 1 to 100 lines")
        }
        for (index, line) in lines.enumerated() {
            guard (1...Self.largestQuantity).contains(line.quantity) else {
                throw AccountError(field: "lines[\(index)].quantity", problem: "must be from 1 to 100000")
            }
            guard (0...Self.largestAmount).contains(line.unitCost.minorUnits) else {
                throw AccountError(field: "lines[\(index)].unitCostMinor", problem: "must be from 0 to 10,000,000,000")
            }
        }
        return try db.transaction {
            let total = lines.reduce(0) { $0 + $1.quantity * $1.unitCost.minorUnits }
            let id = try db.scalar(
                """
                INSERT INTO pos_purchases (branch_id, supplier, total_cost_minor, by_user, at) VALUES (?, ?, ?, ?, ?)
                RETURNING id
                """, branch.rawValue, supplier, total, by.rawValue, now.milliseconds, as: Int64.self)
            for (index, line) in lines.enumerated() {
                guard let product = try product(line.product, branches: []) else {
                    throw AccountError.notFound("lines[\(index)].product", "no product \(line.product)")
                }
                guard product.tracksStock else {
                    throw AccountError.conflict("lines[\(index)].product", "\(product.name) does not track stock")
                }
                try db.run(
                    """
                    INSERT INTO pos_purchase_lines (purchase_id, line, product_id, quantity, unit_cost_minor)
                    VALUES (?, ?, ?, ?, ?)
                    """, id, Int64(index + 1), line.product, line.quantity, line.unitCost.minorUnits)
                _ = try moveStock(
                    product: product.id, name: product.name, branch: branch, kind: "purchase", quantity: line.quantity,
                    allowsNegative: true, reference: "purchase:\(id)", reason: supplier, by: by, now: now)
            }
            return PosPurchase(
                id: id, branch: branch.rawValue, supplier: supplier, totalCost: try money(total), by: by.rawValue,
                at: now,
                lines: try lines.map {
                    PosPurchase.Line(
                        product: $0.product, quantity: $0.quantity, unitCost: try money($0.unitCost.minorUnits))
                })
        }
    }

    public func purchases(branches: Set<BranchID>?, limit: Int) throws -> [PosPurchase] {
        let filter = branches.map {
            " WHERE branch_id IN (\(([0] + $0.map(\.rawValue)).map(String.init).joined(separator: ", ")))"
        }
        return try db.query(
            "SELECT id, branch_id, supplier, total_cost_minor, by_user, at FROM pos_purchases\(filter ?? "") "
                + "ORDER BY id DESC LIMIT ?", Int64(limit)
        ) { row in
            let id: Int64 = try row.get(0)
            let lines = try db.query(
                "SELECT product_id, quantity, unit_cost_minor FROM pos_purchase_lines WHERE purchase_id = ? "
                    + "ORDER BY line", id
            ) { PosPurchase.Line(product: try $0.get(0), quantity: try $0.get(1), unitCost: try money(try $0.get(2))) }
            return PosPurchase(
                id: id, branch: try row.get(1), supplier: try row.get(2), totalCost: try money(try row.get(3)),
                by: try row.get(4), at: Timestamp(milliseconds: try row.get(5)), lines: lines)
        }
    }

    public func dailySales(branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [PosDailySales] {
        try db.query(
            """
            SELECT branch_id, day, count, amount_minor, refunded_minor FROM pos_sales_daily
            WHERE day >= ? AND day <= ? ORDER BY day, branch_id
            """, Int64(from.rawValue), Int64(to.rawValue)
        ) {
            PosDailySales(
                branch: try $0.get(0), day: LocalDay(rawValue: Int32(try $0.get(1) as Int64)), count: try $0.get(2),
                amount: try money(try $0.get(3)), refunded: try money(try $0.get(4)))
        }
        .filter { branches?.contains(BranchID($0.branch)) ?? true }
    }
}
