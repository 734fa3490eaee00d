import Foundation
import PorteroModel

/// A category of the point of sale's catalogue.
public struct PosCategory: Hashable, Sendable, Codable {
    public var id: Int64
    public var name: String
    public var active: Bool
}

/// A product of the catalogue (chain-wide) with its stock at the branches asked about.
public struct PosProduct: Hashable, Sendable, Codable {
    public struct Stock: Hashable, Sendable, Codable {
        public var branch: Int64
        public var quantity: Int64
    }
    public var id: Int64
    public var name: String
    public var sku: String
    /// Tax-inclusive.
    public var price: Money
    public var taxRateBasisPoints: Int
    public var category: Int64?
    public var active: Bool
    public var tracksStock: Bool
    public var allowsNegativeStock: Bool
    public var stock: [Stock]
}

/// What a product create or change sets; nil keeps the current value.
public struct ProductTerms: Sendable {
    public var name: String?
    public var sku: String?
    public var priceMinor: Int64?
    public var taxRateBasisPoints: Int?
    /// `.some(nil)` takes the product out of its category.
    public var category: Int64??
    public var active: Bool?
    public var tracksStock: Bool?
    public var allowsNegativeStock: Bool?
    public init() {}
}

/// One entry of a product's stock ledger at a branch.
public struct StockMovement: Hashable, Sendable, Codable {
    public var id: Int64
    public var product: Int64
    public var branch: Int64
    /// purchase, sale, refund, void or adjustment.
    public var kind: String
    public var quantity: Int64
    public var reference: String
    public var reason: String
    public var by: Int64
    public var at: Timestamp
}

/// A cash register of a branch, with its open shift if any.
public struct CashRegister: Hashable, Sendable, Codable {
    public var id: Int64
    public var branch: Int64
    public var name: String
    public var active: Bool
    public var openShift: Int64?
}

/// A shift on a register: opened by one user with a float, closed by a cut.
public struct CashShift: Hashable, Sendable, Codable {
    public var id: Int64
    public var register: Int64
    public var registerName: String
    public var branch: Int64
    public var openedBy: Int64
    public var openedByName: String
    public var openedAt: Timestamp
    public var float: Money
    public var closedBy: Int64?
    public var closedAt: Timestamp?
    public var isOpen: Bool { closedAt == nil }
}

/// One amount into (positive) or out of (negative) a shift's register.
public struct CashMovement: Hashable, Sendable, Codable {
    public var id: Int64
    public var shift: Int64
    /// sale, void, refund, withdrawal, deposit, correction or subscription.
    public var kind: String
    public var method: PaymentMethod
    public var amount: Money
    public var reference: String
    public var reason: String
    public var by: Int64
    public var at: Timestamp
}

/// A shift's cut: what each payment method should hold and, once closed, what was counted.
public struct CashCut: Hashable, Sendable, Codable {
    public struct MethodTotal: Hashable, Sendable, Codable {
        public var method: PaymentMethod
        /// The float (cash only) and every movement before the close.
        public var expected: Money
        public var counted: Money?
        public var difference: Money?
    }
    public var shift: CashShift
    public var status: String
    public var salesCount: Int
    public var movements: [CashMovement]
    public var methods: [MethodTotal]
    /// Entries added after the close, shown apart from what the cut counted.
    public var corrections: [CashMovement]
    public var correctionsTotal: Money
}

/// A ticket of the point of sale.
public struct PosSale: Hashable, Sendable, Codable {
    public struct Line: Hashable, Sendable, Codable {
        public var line: Int
        public var product: Int64
        public var name: String
        public var sku: String
        public var quantity: Int64
        public var unitPrice: Money
        public var discount: Money
        /// What the line is paid, after its discount and its share of the ticket's (tax included).
        public var net: Money
        public var taxRateBasisPoints: Int
        public var tax: Money
        public var refundedQuantity: Int64
        public var refunded: Money
    }
    public struct Payment: Hashable, Sendable, Codable {
        public var method: PaymentMethod
        public var amount: Money
    }
    public struct Refund: Hashable, Sendable, Codable {
        public var id: Int64
        public var shift: Int64
        public var method: PaymentMethod
        public var amount: Money
        public var reason: String
        public var by: Int64
        public var at: Timestamp
    }
    public var id: Int64
    public var branch: Int64
    public var shift: Int64
    public var soldBy: Int64
    public var soldAt: Timestamp
    public var subtotal: Money
    public var discount: Money
    public var total: Money
    public var tax: Money
    public var change: Money
    /// completed or void.
    public var status: String
    public var voidReason: String?
    public var lines: [Line]
    public var payments: [Payment]
    public var refunds: [Refund]
}

/// A ticket as the seller rings it up; prices and tax rates come from the catalogue.
public struct SaleOrder: Sendable {
    public struct Line: Sendable {
        public var product: Int64
        public var quantity: Int64
        public var discountMinor: Int64
        public init(product: Int64, quantity: Int64, discountMinor: Int64 = 0) {
            self.product = product
            self.quantity = quantity
            self.discountMinor = discountMinor
        }
    }
    public var shift: Int64
    public var seller: UserID
    public var lines: [Line]
    public var discountMinor: Int64
    /// Cash may exceed what is due (the change); other methods may not.
    public var payments: [(method: PaymentMethod, amountMinor: Int64)]
    public init(
        shift: Int64, seller: UserID, lines: [Line], discountMinor: Int64,
        payments: [(method: PaymentMethod, amountMinor: Int64)]
    ) {
        self.shift = shift
        self.seller = seller
        self.lines = lines
        self.discountMinor = discountMinor
        self.payments = payments
    }
}

/// A purchase from a supplier: stock in at a branch.
public struct PosPurchase: Hashable, Sendable, Codable {
    public struct Line: Hashable, Sendable, Codable {
        public var product: Int64
        public var quantity: Int64
        public var unitCost: Money
        public init(product: Int64, quantity: Int64, unitCost: Money) {
            self.product = product
            self.quantity = quantity
            self.unitCost = unitCost
        }
    }
    public var id: Int64
    public var branch: Int64
    public var supplier: String
    public var totalCost: Money
    public var by: Int64
    public var at: Timestamp
    public var lines: [Line]
}

/// A branch's POS sales on one local day.
public struct PosDailySales: Hashable, Sendable, Codable {
    public var branch: Int64
    public var day: LocalDay
    public var count: Int
    public var amount: Money
    public var refunded: Money
}

/// The point of sale and the cash cuts. Every write checks what it is given and writes all of
/// it or nothing; the caller wraps it with its audit row in one transaction.
public protocol PosStore {
    func categories() throws -> [PosCategory]
    func category(_ id: Int64) throws -> PosCategory?
    /// Creates (id nil) or changes a category; a taken name is a conflict.
    func saveCategory(id: Int64?, name: String?, active: Bool?) throws -> PosCategory?

    /// The catalogue with stock at `branches` (nil: every branch), by name.
    func products(activeOnly: Bool, branches: Set<BranchID>?) throws -> [PosProduct]
    func product(_ id: Int64, branches: Set<BranchID>?) throws -> PosProduct?
    /// Creates (id nil) or changes a product; a taken SKU is a conflict.
    func saveProduct(id: Int64?, _ terms: ProductTerms, now: Timestamp) throws -> PosProduct?
    /// Moves stock by hand (`quantity` signed, not zero) with a reason.
    func adjustStock(product: Int64, branch: BranchID, quantity: Int64, reason: String, by: UserID, now: Timestamp)
        throws -> StockMovement
    /// A product's stock ledger at `branches` (nil: every branch), the newest first.
    func stockMovements(product: Int64, branches: Set<BranchID>?, limit: Int) throws -> [StockMovement]

    func registers(branches: Set<BranchID>?) throws -> [CashRegister]
    func register(_ id: Int64) throws -> CashRegister?
    func saveRegister(id: Int64?, branch: BranchID?, name: String?, active: Bool?) throws -> CashRegister?
    /// Opens a shift on `register` for `user`; a register with an open shift is a conflict.
    func openShift(register: Int64, user: UserID, floatMinor: Int64, now: Timestamp) throws -> CashShift
    func shift(_ id: Int64) throws -> CashShift?
    /// Shifts of `branches` (nil: every branch), the newest first; only open ones when asked.
    func shifts(branches: Set<BranchID>?, openOnly: Bool, limit: Int) throws -> [CashShift]
    /// A withdrawal, deposit (open shift) or correction (closed shift) with its reason.
    func addMovement(
        shift: Int64, kind: String, method: PaymentMethod, amountMinor: Int64, reason: String, by: UserID,
        now: Timestamp
    ) throws -> CashMovement
    /// Posts a subscription payment taken by `by` into their open shift at `branch`, when they
    /// have one; nil otherwise (a payment taken away from a register).
    func postSubscriptionPayment(
        subscription: Int64, branch: BranchID, method: PaymentMethod, amountMinor: Int64, by: UserID,
        now: Timestamp
    ) throws -> CashMovement?
    func cut(_ shift: Int64) throws -> CashCut?
    /// Closes the shift with the amount counted per method; a closed shift is a conflict.
    func closeShift(_ shift: Int64, counted: [PaymentMethod: Int64], by: UserID, now: Timestamp) throws -> CashCut

    func sell(_ order: SaleOrder, day: LocalDay, now: Timestamp) throws -> PosSale
    func sale(_ id: Int64) throws -> PosSale?
    /// Tickets of `branches` (or of one shift), the newest first.
    func sales(branches: Set<BranchID>?, shift: Int64?, limit: Int) throws -> [PosSale]
    /// Voids a ticket of a shift still open that has no refunds: its stock and money go back.
    func voidSale(_ id: Int64, reason: String, by: UserID, now: Timestamp) throws -> PosSale
    /// Refunds lines (`quantities` by line number; empty: everything not yet refunded), paid out of
    /// `shift` (open, at the sale's branch) by `method`.
    func refund(
        _ id: Int64, quantities: [Int: Int64], shift: Int64, method: PaymentMethod, reason: String, by: UserID,
        day: LocalDay, now: Timestamp
    ) throws -> PosSale

    func purchase(
        branch: BranchID, supplier: String, lines: [PosPurchase.Line], by: UserID, now: Timestamp
    ) throws -> PosPurchase
    func purchases(branches: Set<BranchID>?, limit: Int) throws -> [PosPurchase]

    /// Daily POS sales of `branches` (nil: every branch) from `from` through `to`.
    func dailySales(branches: Set<BranchID>?, from: LocalDay, to: LocalDay) throws -> [PosDailySales]
}
