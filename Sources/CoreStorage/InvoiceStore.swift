import Foundation
import PorteroModel

/// An invoice for a subscription sale, or a credit note cancelling one (its amounts negative).
/// Seller and buyer are as they were when it was issued.
public struct InvoiceView: Hashable, Sendable, Codable {
    public var id: Int64
    public var branch: Int64
    /// `invoice` or `credit_note`.
    public var kind: String
    /// The number in the branch's series, gapless from 1.
    public var number: Int64
    /// As printed: the branch, then the number (`3-000042`).
    public var folio: String
    public var subscriptionID: Int64
    /// A credit note: the invoice it cancels.
    public var cancels: Int64?
    /// An invoice: the credit note that cancelled it.
    public var cancelledBy: Int64?
    public var issuedAt: Timestamp
    public var issuedDate: LocalDay
    public var seller: Seller
    public var buyer: Buyer
    public var description: String
    public var listPrice: Money
    public var discount: Money
    /// Tax-inclusive.
    public var total: Money
    public var taxRateBasisPoints: Int
    /// The tax contained in the total, and the total without it.
    public var tax: Money
    public var net: Money
    /// Why a credit note was made.
    public var reason: String

    public struct Seller: Hashable, Sendable, Codable {
        public var legalName: String
        public var taxID: String
        public var fiscalAddress: String
        public var branchName: String
    }

    /// The member, or the company of the member's agreement when they have one.
    public struct Buyer: Hashable, Sendable, Codable {
        public var userID: Int64
        public var name: String
        public var agreementID: Int64?
    }
}

/// Which invoices a listing shows.
public struct InvoiceFilter: Sendable {
    /// nil: every branch.
    public var branches: Set<BranchID>?
    public var buyer: UserID?
    public var from: LocalDay?
    public var to: LocalDay?
    public init() {}
}

/// Subscription invoices: issued with each sale, numbered per branch without gaps, cancelled only
/// by a credit note, never changed or deleted.
public protocol InvoiceStore {
    /// The invoices and credit notes the filter lets through, the latest first.
    func invoices(_ filter: InvoiceFilter, limit: Int) throws -> [InvoiceView]
    func invoice(_ id: Int64) throws -> InvoiceView?
    /// Issues the invoice of subscription `id` (call inside the sale's transaction).
    func issue(forSubscription id: Int64, now: Timestamp, today: LocalDay) throws -> InvoiceView
    /// Cancels invoice `id` with a credit note, the next number of its branch's series; nil when
    /// there is no such invoice. Refused for a credit note and for an invoice already cancelled.
    func cancel(_ id: Int64, reason: String, now: Timestamp, today: LocalDay) throws -> InvoiceView?
}
