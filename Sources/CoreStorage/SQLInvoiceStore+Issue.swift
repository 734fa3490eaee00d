import Foundation
import PorteroModel
import SQLite

/// Issuing an invoice with a sale, and cancelling one with a credit note.
extension SQLInvoiceStore {
    public func issue(forSubscription id: Int64, now: Timestamp, today: LocalDay) throws -> InvoiceView {
        guard
            let sale = try db.queryFirst(
                """
                SELECT s.branch_id, b.name, s.user_id, u.name, u.paternal_surname, u.maternal_surname, u.agreement_id,
                       a.name, p.name, s.start_day, s.end_day, s.price_minor, s.list_price_minor, s.promotion
                FROM subscriptions s JOIN branches b ON b.id = s.branch_id JOIN users u ON u.id = s.user_id
                    JOIN plans p ON p.id = s.plan_id LEFT JOIN agreements a ON a.id = u.agreement_id
                WHERE s.id = ?
                """, id,
                map: { row in
                    (
                        branch: try row.get(0) as Int64, branchName: try row.get(1) as String,
                        user: try row.get(2) as Int64,
                        person: [try row.get(3) as String, try row.get(4) as String, try row.get(5) as String],
                        agreement: row.int64(6), company: try row.get(7) as String?, plan: try row.get(8) as String,
                        start: try row.get(9) as Int64, end: try row.get(10) as Int64, total: try row.get(11) as Int64,
                        list: try row.get(12) as Int64, promotion: try row.get(13) as String
                    )
                })
        else { throw AccountError.notFound("subscription", "no subscription \(id)") }
        let chain = try SQLSettingsStore(connection: db).chain()
        // A price below the list price (a promotion, or a price given by hand) shows as a discount.
        let discount = max(0, sale.list - sale.total)
        let buyer =
            sale.agreement != nil ? sale.company ?? "" : sale.person.filter { !$0.isEmpty }.joined(separator: " ")
        let period =
            "\(LocalDay(daysSinceEpoch: Int32(sale.start))) – \(LocalDay(daysSinceEpoch: Int32(sale.end)))"
        let description =
            "\(sale.plan) \(period)" + (sale.promotion.isEmpty ? "" : " (\(sale.promotion))")
        let number = try nextNumber(sale.branch)
        let invoice = try db.scalar(
            """
            INSERT INTO invoices (branch_id, number, kind, subscription_id, issued_at, issued_day, seller_name,
                                  seller_tax_id, seller_address, branch_name, buyer_user_id, buyer_name,
                                  buyer_agreement_id, description, list_price_minor, discount_minor, total_minor,
                                  tax_rate_bp, tax_minor, reason)
            VALUES (?, ?, 'invoice', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '') RETURNING id
            """, sale.branch, number, id, now.milliseconds, Int64(today.rawValue), chain.legalName, chain.taxID,
            chain.fiscalAddress, sale.branchName, sale.user, buyer, sale.agreement, description, sale.total + discount,
            discount, sale.total, Int64(chain.taxRateBasisPoints), chain.taxRate.included(in: sale.total),
            as: Int64.self)
        guard let issued = try self.invoice(invoice) else {
            throw AccountError(field: "invoice", problem: "could not be read back")
        }
        return issued
    }

    public func cancel(_ id: Int64, reason: String, now: Timestamp, today: LocalDay) throws -> InvoiceView? {
        guard let original = try invoice(id) else { return nil }
        guard original.kind == "invoice" else {
            throw AccountError(field: "invoice", problem: "\(original.folio) is a credit note: it is not cancelled")
        }
        if let note = original.cancelledBy {
            throw AccountError.conflict("invoice", "\(original.folio) is already cancelled (credit note id \(note))")
        }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.unicodeScalars.count <= 200, why.unicodeScalars.count >= 3 else {
            throw AccountError(field: "reason", problem: "say why, in 3 to 200 characters")
        }
        return try db.transaction { () -> InvoiceView? in
            let number = try nextNumber(original.branch)
            let note: Int64
            do {
                note = try db.attempt {
                    try db.scalar(
                        """
                        INSERT INTO invoices (branch_id, number, kind, subscription_id, cancels, issued_at, issued_day,
                                              seller_name, seller_tax_id, seller_address, branch_name, buyer_user_id,
                                              buyer_name, buyer_agreement_id, description, list_price_minor,
                                              discount_minor, total_minor, tax_rate_bp, tax_minor, reason)
                        SELECT branch_id, ?, 'credit_note', subscription_id, id, ?, ?, seller_name, seller_tax_id,
                               seller_address, branch_name, buyer_user_id, buyer_name, buyer_agreement_id, description,
                               -list_price_minor, -discount_minor, -total_minor, tax_rate_bp, -tax_minor, ?
                        FROM invoices WHERE id = ? RETURNING id
                        """, number, now.milliseconds, Int64(today.rawValue), why, id, as: Int64.self)
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("invoice", "\(original.folio) is already cancelled")
            }
            return try invoice(note)
        }
    }
}
