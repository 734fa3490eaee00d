import Foundation
import PorteroModel
import SQLite

/// Tickets: the sale, its void and its refunds, each moving stock, the shift's ledger and the
/// daily sums in one transaction.
extension SQLPosStore {
    /// `amount × numerator / denominator` by the chain's one rounding rule.
    package static func scaled(_ amount: Int64, _ numerator: Int64, _ denominator: Int64) -> Int64 {
        MinorUnits.scaled(amount, by: numerator, over: denominator)
    }

    /// The tax contained in a tax-inclusive amount at `basisPoints`.
    package static func includedTax(_ gross: Int64, basisPoints: Int) -> Int64 {
        TaxRate(basisPoints: basisPoints).included(in: gross)
    }

    package static func checkOrder(_ order: SaleOrder) throws {
        guard (1...100).contains(order.lines.count) else {
            throw AccountError(field: "lines", problem: "from 1 to 100 lines")
        }
        for (index, line) in order.lines.enumerated() {
            guard (1...largestQuantity).contains(line.quantity) else {
                throw AccountError(field: "lines[\(index)].quantity", problem: "must be from 1 to 100000")
            }
            guard (0...largestAmount).contains(line.discountMinor) else {
                throw AccountError(field: "lines[\(index)].discountMinor", problem: "must not be negative")
            }
        }
        guard (0...largestAmount).contains(order.discountMinor) else {
            throw AccountError(field: "discountMinor", problem: "must not be negative")
        }
        guard (1...5).contains(order.payments.count) else {
            throw AccountError(field: "payments", problem: "from 1 to 5 payments")
        }
        for (index, payment) in order.payments.enumerated() where !(1...largestAmount).contains(payment.amountMinor) {
            throw AccountError(
                field: "payments[\(index)].amountMinor", problem: "must be from 1 to 10,000,000,000 minor units")
        }
    }

    public func sell(_ order: SaleOrder, day: LocalDay, now: Timestamp) throws -> PosSale {
        try Self.checkOrder(order)
        return try db.transaction {
            let shift = try holdOpenShift(order.shift)
            guard shift.openedBy == order.seller.rawValue else {
                throw AccountError.conflict("shift", "shift \(shift.id) is \(shift.openedByName)'s, not yours")
            }
            let branch = BranchID(shift.branch)
            var products: [PosProduct] = []
            var afterDiscount: [Int64] = []
            for (index, line) in order.lines.enumerated() {
                guard let product = try product(line.product, branches: []), try isOnSale(product.id) else {
                    throw AccountError.notFound("lines[\(index)].product", "no product \(line.product) on sale")
                }
                let gross = product.price.minorUnits * line.quantity
                guard line.discountMinor <= gross else {
                    throw AccountError(
                        field: "lines[\(index)].discountMinor", problem: "is more than the line's \(gross)")
                }
                products.append(product)
                afterDiscount.append(gross - line.discountMinor)
            }
            let beforeTicketDiscount = afterDiscount.reduce(0, +)
            guard order.discountMinor <= beforeTicketDiscount else {
                throw AccountError(field: "discountMinor", problem: "is more than the lines' \(beforeTicketDiscount)")
            }
            // The ticket's discount is shared by the lines in proportion; the last takes what rounding leaves.
            var shared: Int64 = 0
            var nets: [Int64] = []
            for (index, amount) in afterDiscount.enumerated() {
                let share =
                    index == afterDiscount.count - 1
                    ? order.discountMinor - shared
                    : beforeTicketDiscount == 0 ? 0 : Self.scaled(order.discountMinor, amount, beforeTicketDiscount)
                shared += share
                nets.append(amount - share)
            }
            let total = nets.reduce(0, +)
            let cash = order.payments.filter { $0.method == .cash }.reduce(0) { $0 + $1.amountMinor }
            let other = order.payments.filter { $0.method != .cash }.reduce(0) { $0 + $1.amountMinor }
            guard other <= total else {
                throw AccountError(field: "payments", problem: "card and transfer may not exceed the \(total) due")
            }
            guard cash + other >= total else {
                throw AccountError(field: "payments", problem: "\(cash + other) paid does not cover the \(total) due")
            }
            let change = cash + other - total
            let taxes = zip(nets, products).map { Self.includedTax($0, basisPoints: $1.taxRateBasisPoints) }
            let subtotal = zip(products, order.lines).reduce(0) { $0 + $1.0.price.minorUnits * $1.1.quantity }
            let id = try db.scalar(
                """
                INSERT INTO pos_sales (branch_id, shift_id, sold_by, sold_at, sold_day, subtotal_minor, discount_minor,
                    total_minor, tax_minor, change_minor, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed') RETURNING id
                """, branch.rawValue, shift.id, order.seller.rawValue, now.milliseconds, Int64(day.rawValue),
                subtotal, order.discountMinor, total, taxes.reduce(0, +), change, as: Int64.self)
            for (index, line) in order.lines.enumerated() {
                let product = products[index]
                try db.run(
                    """
                    INSERT INTO pos_sale_lines (sale_id, line, product_id, name, sku, quantity, unit_price_minor,
                        discount_minor, net_minor, tax_basis_points, tax_minor, refunded_quantity, refunded_minor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)
                    """, id, Int64(index + 1), product.id, product.name, product.sku, line.quantity,
                    product.price.minorUnits, line.discountMinor, nets[index], Int64(product.taxRateBasisPoints),
                    taxes[index])
                if product.tracksStock {
                    _ = try moveStock(
                        product: product.id, name: product.name, branch: branch, kind: "sale", quantity: -line.quantity,
                        allowsNegative: product.allowsNegativeStock, reference: "sale:\(id)", reason: "",
                        by: order.seller, now: now)
                }
            }
            for (index, payment) in order.payments.enumerated() {
                try db.run(
                    "INSERT INTO pos_sale_payments (sale_id, position, method, amount_minor) VALUES (?, ?, ?, ?)", id,
                    Int64(index + 1), payment.method.rawValue, payment.amountMinor)
            }
            for (method, amount) in [(PaymentMethod.cash, cash - change)]
                + [.card, .transfer].map({ method in
                    (method, order.payments.filter { $0.method == method }.reduce(0) { $0 + $1.amountMinor })
                }) where amount != 0
            {
                _ = try postMovement(
                    shift: shift.id, kind: "sale", method: method, amountMinor: amount, reference: "sale:\(id)",
                    reason: "", by: order.seller, now: now)
            }
            try addDaily(branch: branch, day: day, count: 1, amount: total, refunded: 0)
            guard let sold = try sale(id) else { throw AccountError.notFound("sale", "no sale \(id)") }
            return sold
        }
    }

    package func addDaily(branch: BranchID, day: LocalDay, count: Int64, amount: Int64, refunded: Int64) throws {
        try db.run(
            """
            INSERT INTO pos_sales_daily AS d (branch_id, day, count, amount_minor, refunded_minor)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (branch_id, day) DO UPDATE SET count = d.count + excluded.count,
                amount_minor = d.amount_minor + excluded.amount_minor,
                refunded_minor = d.refunded_minor + excluded.refunded_minor
            """, branch.rawValue, Int64(day.rawValue), count, amount, refunded)
    }

    private static let saleColumns = """
        id, branch_id, shift_id, sold_by, sold_at, subtotal_minor, discount_minor, total_minor, tax_minor,
        change_minor, status, void_reason
        """

    private func sale(_ row: Row) throws -> PosSale {
        let id: Int64 = try row.get(0)
        let lines = try db.query(
            """
            SELECT line, product_id, name, sku, quantity, unit_price_minor, discount_minor, net_minor,
                tax_basis_points, tax_minor, refunded_quantity, refunded_minor
            FROM pos_sale_lines WHERE sale_id = ? ORDER BY line
            """, id
        ) {
            PosSale.Line(
                line: try $0.get(0), product: try $0.get(1), name: try $0.get(2), sku: try $0.get(3),
                quantity: try $0.get(4), unitPrice: try money(try $0.get(5)), discount: try money(try $0.get(6)),
                net: try money(try $0.get(7)), taxRateBasisPoints: try $0.get(8), tax: try money(try $0.get(9)),
                refundedQuantity: try $0.get(10), refunded: try money(try $0.get(11)))
        }
        let payments = try db.query(
            "SELECT method, amount_minor FROM pos_sale_payments WHERE sale_id = ? ORDER BY position", id
        ) {
            PosSale.Payment(method: PaymentMethod(rawValue: try $0.get(0)) ?? .cash, amount: try money(try $0.get(1)))
        }
        let refunds = try db.query(
            "SELECT id, shift_id, method, amount_minor, reason, by_user, at FROM pos_refunds WHERE sale_id = ? "
                + "ORDER BY id", id
        ) {
            PosSale.Refund(
                id: try $0.get(0), shift: try $0.get(1), method: PaymentMethod(rawValue: try $0.get(2)) ?? .cash,
                amount: try money(try $0.get(3)), reason: try $0.get(4), by: try $0.get(5),
                at: Timestamp(milliseconds: try $0.get(6)))
        }
        return PosSale(
            id: id, branch: try row.get(1), shift: try row.get(2), soldBy: try row.get(3),
            soldAt: Timestamp(milliseconds: try row.get(4)), subtotal: try money(try row.get(5)),
            discount: try money(try row.get(6)), total: try money(try row.get(7)), tax: try money(try row.get(8)),
            change: try money(try row.get(9)), status: try row.get(10), voidReason: try row.get(11), lines: lines,
            payments: payments, refunds: refunds)
    }

    public func sale(_ id: Int64) throws -> PosSale? {
        try db.queryFirst("SELECT \(Self.saleColumns) FROM pos_sales WHERE id = ?", id) { try sale($0) }
    }

    public func sales(branches: Set<BranchID>?, shift: Int64?, limit: Int) throws -> [PosSale] {
        var conditions: [String] = []
        if let branches {
            conditions.append(
                "branch_id IN (\(([0] + branches.map(\.rawValue)).map(String.init).joined(separator: ", ")))")
        }
        if let shift { conditions.append("shift_id = \(shift)") }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try db.query(
            "SELECT \(Self.saleColumns) FROM pos_sales\(filter) ORDER BY id DESC LIMIT ?", Int64(limit)
        ) { try sale($0) }
    }
}
