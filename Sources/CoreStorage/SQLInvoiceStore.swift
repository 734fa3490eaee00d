import Foundation
import PorteroModel
import SQLite

/// Invoices in the core's database (SQLite or PostgreSQL).
public final class SQLInvoiceStore: InvoiceStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) {
        db = connection
    }

    static let columns = """
        i.id, i.branch_id, i.kind, i.number, i.subscription_id, i.cancels,
        (SELECT c.id FROM invoices c WHERE c.cancels = i.id), i.issued_at, i.issued_day, i.seller_name,
        i.seller_tax_id, i.seller_address, i.branch_name, i.buyer_user_id, i.buyer_name, i.buyer_agreement_id,
        i.description, i.list_price_minor, i.discount_minor, i.total_minor, i.tax_rate_bp, i.tax_minor, i.reason
        """

    func view(_ row: any SQLRow, _ chain: ChainSettings) throws -> InvoiceView {
        let branch: Int64 = try row.get(1)
        let number: Int64 = try row.get(3)
        let total: Int64 = try row.get(19)
        let tax: Int64 = try row.get(21)
        return InvoiceView(
            id: try row.get(0), branch: branch, kind: try row.get(2), number: number,
            folio: Self.folio(branch: branch, number: number), subscriptionID: try row.get(4),
            cancels: row.int64(5), cancelledBy: row.int64(6), issuedAt: Timestamp(milliseconds: try row.get(7)),
            issuedDate: LocalDay(daysSinceEpoch: Int32(try row.get(8) as Int64)),
            seller: InvoiceView.Seller(
                legalName: try row.get(9), taxID: try row.get(10), fiscalAddress: try row.get(11),
                branchName: try row.get(12)),
            buyer: InvoiceView.Buyer(userID: try row.get(13), name: try row.get(14), agreementID: row.int64(15)),
            description: try row.get(16), listPrice: chain.money(try row.get(17)),
            discount: chain.money(try row.get(18)), total: chain.money(total), taxRateBasisPoints: try row.get(20),
            tax: chain.money(tax), net: chain.money(total - tax), reason: try row.get(22))
    }

    /// The branch, then the number: `3-000042`.
    package static func folio(branch: Int64, number: Int64) -> String {
        let digits = String(number)
        return "\(branch)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
    }

    public func invoices(_ filter: InvoiceFilter, limit: Int) throws -> [InvoiceView] {
        var conditions: [String] = []
        var arguments: [any SQLiteBindable] = []
        if let branches = filter.branches {
            // Branch ids are integers, written into the statement.
            let list = branches.isEmpty ? "NULL" : branches.map { String($0.rawValue) }.joined(separator: ",")
            conditions.append("i.branch_id IN (\(list))")
        }
        if let buyer = filter.buyer {
            conditions.append("i.buyer_user_id = ?")
            arguments.append(buyer.rawValue)
        }
        if let from = filter.from {
            conditions.append("i.issued_day >= ?")
            arguments.append(Int64(from.rawValue))
        }
        if let to = filter.to {
            conditions.append("i.issued_day <= ?")
            arguments.append(Int64(to.rawValue))
        }
        arguments.append(Int64(limit))
        let chain = try SQLSettingsStore(connection: db).chain()
        return try db.query(
            "SELECT \(Self.columns) FROM invoices i\(conditions.isEmpty ? "" : " WHERE ")"
                + conditions.joined(separator: " AND ") + " ORDER BY i.issued_at DESC, i.id DESC LIMIT ?",
            arguments: arguments
        ) { try view($0, chain) }
    }

    public func invoice(_ id: Int64) throws -> InvoiceView? {
        let chain = try SQLSettingsStore(connection: db).chain()
        return try db.queryFirst("SELECT \(Self.columns) FROM invoices i WHERE i.id = ?", id) { try view($0, chain) }
    }

    /// The next number of `branch`'s series. The UPDATE holds the series row until the
    /// transaction ends, so parallel sales at one branch take numbers one after the other, and a
    /// rolled-back sale leaves no gap.
    func nextNumber(_ branch: Int64) throws -> Int64 {
        try db.run(
            "INSERT INTO invoice_series (branch_id, last_number) VALUES (?, 0) ON CONFLICT (branch_id) DO NOTHING",
            branch)
        return try db.scalar(
            "UPDATE invoice_series SET last_number = last_number + 1 WHERE branch_id = ? RETURNING last_number", branch,
            as: Int64.self)
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLInvoiceStore: Sendable {}
