import Foundation
import PorteroModel
import SQLite

/// The point of sale and cash cuts over the core's database (SQLite or PostgreSQL). Amounts are
/// integer minor units in the chain's currency, which `currency` reads when an answer is built.
public final class SQLPosStore: PosStore {
    package let db: any SQLDatabase
    package let currency: () throws -> String

    public init(connection: any SQLDatabase, currency: @escaping () throws -> String) {
        db = connection
        self.currency = currency
    }

    package func money(_ minorUnits: Int64) throws -> Money { Money(minorUnits: minorUnits, currency: try currency()) }

    /// The most a price, cost or float may be: 10,000,000,000 minor units.
    package static let largestAmount: Int64 = 10_000_000_000
    /// The most units one line or adjustment may move.
    package static let largestQuantity: Int64 = 100_000

    // MARK: Categories

    private static func category(_ row: Row) throws -> PosCategory {
        PosCategory(id: try row.get(0), name: try row.get(1), active: try row.get(2))
    }

    public func categories() throws -> [PosCategory] {
        try db.query(
            "SELECT id, name, active FROM pos_categories ORDER BY \(db.dialect.caseless("name"))", map: Self.category)
    }

    public func category(_ id: Int64) throws -> PosCategory? {
        try db.queryFirst("SELECT id, name, active FROM pos_categories WHERE id = ?", id, map: Self.category)
    }

    public func saveCategory(id: Int64?, name: String?, active: Bool?) throws -> PosCategory? {
        if let name { try FieldRules.checkName(name, field: "name", required: true) }
        return try db.transaction { () -> PosCategory? in
            var categoryID = id ?? 0
            do {
                try db.attempt {
                    if let id {
                        guard try category(id) != nil else {
                            categoryID = 0
                            return
                        }
                        if let name { try db.run("UPDATE pos_categories SET name = ? WHERE id = ?", name, id) }
                        if let active { try db.run("UPDATE pos_categories SET active = ? WHERE id = ?", active, id) }
                    } else {
                        guard let name else { throw AccountError(field: "name", problem: "is required") }
                        categoryID = try db.scalar(
                            "INSERT INTO pos_categories (name, active) VALUES (?, ?) RETURNING id", name,
                            active ?? true, as: Int64.self)
                    }
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("name", "another category is named \(name ?? "")")
            }
            return categoryID == 0 ? nil : try category(categoryID)
        }
    }

    // MARK: Products

    private static let productColumns = """
        id, name, sku, price_minor, tax_basis_points, category_id, active, tracks_stock, allows_negative_stock
        """

    private func product(_ row: Row, branches: Set<BranchID>?) throws -> PosProduct {
        let id: Int64 = try row.get(0)
        let stock = try db.query(
            "SELECT branch_id, quantity FROM pos_stock WHERE product_id = ? ORDER BY branch_id", id
        ) { PosProduct.Stock(branch: try $0.get(0), quantity: try $0.get(1)) }
        return PosProduct(
            id: id, name: try row.get(1), sku: try row.get(2), price: try money(try row.get(3)),
            taxRateBasisPoints: try row.get(4), category: row.int64(5), active: try row.get(6),
            tracksStock: try row.get(7), allowsNegativeStock: try row.get(8),
            stock: stock.filter { branches?.contains(BranchID($0.branch)) ?? true })
    }

    /// A product on sale: itself active, and its category (if any) too.
    static let onSale =
        "active = 1 AND (category_id IS NULL OR category_id IN (SELECT id FROM pos_categories WHERE active = 1))"

    /// True when product `id` is on sale (itself and its category).
    func isOnSale(_ id: Int64) throws -> Bool {
        try db.queryFirst("SELECT 1 FROM pos_products WHERE id = ? AND \(Self.onSale)", id, map: { _ in true }) ?? false
    }

    public func products(activeOnly: Bool, branches: Set<BranchID>?) throws -> [PosProduct] {
        try db.query(
            "SELECT \(Self.productColumns) FROM pos_products\(activeOnly ? " WHERE \(Self.onSale)" : "") "
                + "ORDER BY \(db.dialect.caseless("name")), id"
        ) { try product($0, branches: branches) }
    }

    public func product(_ id: Int64, branches: Set<BranchID>?) throws -> PosProduct? {
        try db.queryFirst("SELECT \(Self.productColumns) FROM pos_products WHERE id = ?", id) {
            try product($0, branches: branches)
        }
    }

    package static func isSKUCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-_.".contains(character))
    }

    package static func check(_ terms: ProductTerms, creating: Bool) throws {
        if let name = terms.name { try FieldRules.checkName(name, field: "name", required: true) }
        if let sku = terms.sku, sku.isEmpty || sku.count > 64 || !sku.allSatisfy(Self.isSKUCharacter) {
            throw AccountError(field: "sku", problem: "1 to 64 letters, digits, '-', '_' or '.'")
        }
        if let price = terms.priceMinor, !(1...largestAmount).contains(price) {
            throw AccountError(field: "priceMinor", problem: "must be from 1 to 10,000,000,000 minor units")
        }
        if let rate = terms.taxRateBasisPoints, !(0...10_000).contains(rate) {
            throw AccountError(field: "taxRateBasisPoints", problem: "must be from 0 to 10000 (1600 is 16 %)")
        }
        guard creating else { return }
        for (field, missing) in [
            ("name", terms.name == nil), ("sku", terms.sku == nil), ("priceMinor", terms.priceMinor == nil),
        ] where missing {
            throw AccountError(field: field, problem: "is required")
        }
    }

    public func saveProduct(id: Int64?, _ terms: ProductTerms, now: Timestamp) throws -> PosProduct? {
        try Self.check(terms, creating: id == nil)
        return try db.transaction { () -> PosProduct? in
            if let category = terms.category ?? nil, try self.category(category) == nil {
                throw AccountError.notFound("category", "no category \(category)")
            }
            var productID = id ?? 0
            if let id {
                guard try product(id, branches: []) != nil else { return nil }
            } else {
                productID = try insertProduct(terms, now: now)
            }
            var sets: [(String, any SQLiteBindable)] = []
            if let name = terms.name { sets.append(("name", name)) }
            if let sku = terms.sku { sets.append(("sku", sku)) }
            if let price = terms.priceMinor { sets.append(("price_minor", price)) }
            if let rate = terms.taxRateBasisPoints { sets.append(("tax_basis_points", Int64(rate))) }
            if let active = terms.active { sets.append(("active", active)) }
            if let tracks = terms.tracksStock { sets.append(("tracks_stock", tracks)) }
            if let negative = terms.allowsNegativeStock { sets.append(("allows_negative_stock", negative)) }
            if let category = terms.category {
                try db.run("UPDATE pos_products SET category_id = ? WHERE id = ?", category, productID)
            }
            for (column, value) in sets where id != nil {
                do {
                    try db.attempt {
                        try db.run("UPDATE pos_products SET \(column) = ? WHERE id = ?", arguments: [value, productID])
                    }
                } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                    throw AccountError.conflict("sku", "another product has SKU \(terms.sku ?? "")")
                }
            }
            return try product(productID, branches: nil)
        }
    }

    private func insertProduct(_ terms: ProductTerms, now: Timestamp) throws -> Int64 {
        do {
            return try db.attempt {
                try db.scalar(
                    """
                    INSERT INTO pos_products (name, sku, price_minor, tax_basis_points, category_id, active,
                        tracks_stock, allows_negative_stock, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                    """, terms.name ?? "", terms.sku ?? "", terms.priceMinor ?? 1, Int64(terms.taxRateBasisPoints ?? 0),
                    terms.category ?? nil, terms.active ?? true, terms.tracksStock ?? true,
                    terms.allowsNegativeStock ?? false, now.milliseconds, as: Int64.self)
            }
        } catch let error as any SQLDatabaseError where error.isConstraintViolation {
            throw AccountError.conflict("sku", "another product has SKU \(terms.sku ?? "")")
        }
    }

    // MARK: Stock

    /// Moves a product's stock at a branch and writes the movement. A decrease of a product that
    /// does not allow negative stock happens only when the stock covers it, in the statement that
    /// changes it, so of two desks selling the last unit at once exactly one wins.
    package func moveStock(
        product: Int64, name: String, branch: BranchID, kind: String, quantity: Int64, allowsNegative: Bool,
        reference: String, reason: String, by: UserID, now: Timestamp
    ) throws -> StockMovement {
        try db.run(
            """
            INSERT INTO pos_stock (product_id, branch_id, quantity) VALUES (?, ?, 0)
            ON CONFLICT (product_id, branch_id) DO NOTHING
            """, product, branch.rawValue)
        let changed = try db.run(
            """
            UPDATE pos_stock SET quantity = quantity + ?1
            WHERE product_id = ?2 AND branch_id = ?3 AND (?1 > 0 OR ?4 = 1 OR quantity + ?1 >= 0)
            """, quantity, product, branch.rawValue, Int64(allowsNegative ? 1 : 0))
        guard changed == 1 else {
            let left: Int64 = try db.scalar(
                "SELECT quantity FROM pos_stock WHERE product_id = ? AND branch_id = ?", product, branch.rawValue)
            throw AccountError.conflict(
                "quantity", "\(name): only \(left) in stock at branch \(branch), \(-quantity) wanted")
        }
        let id = try db.scalar(
            """
            INSERT INTO pos_stock_movements (product_id, branch_id, kind, quantity, reference, reason, by_user, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, product, branch.rawValue, kind, quantity, reference, reason, by.rawValue, now.milliseconds,
            as: Int64.self)
        return StockMovement(
            id: id, product: product, branch: branch.rawValue, kind: kind, quantity: quantity, reference: reference,
            reason: reason, by: by.rawValue, at: now)
    }

    public func adjustStock(
        product: Int64, branch: BranchID, quantity: Int64, reason: String, by: UserID, now: Timestamp
    ) throws -> StockMovement {
        guard quantity != 0, quantity.magnitude <= Self.largestQuantity.magnitude else {
            throw AccountError(field: "quantity", problem: "must not be zero, and at most 100000 either way")
        }
        return try db.transaction {
            guard let found = try self.product(product, branches: []) else {
                throw AccountError.notFound("product", "no product \(product)")
            }
            guard found.tracksStock else {
                throw AccountError.conflict("product", "\(found.name) does not track stock")
            }
            return try moveStock(
                product: product, name: found.name, branch: branch, kind: "adjustment", quantity: quantity,
                allowsNegative: found.allowsNegativeStock, reference: "", reason: reason, by: by, now: now)
        }
    }

    public func stockMovements(product: Int64, branches: Set<BranchID>?, limit: Int) throws -> [StockMovement] {
        let scope = branches.map { $0.map(\.rawValue).sorted() }
        return try db.query(
            """
            SELECT id, product_id, branch_id, kind, quantity, reference, reason, by_user, at FROM pos_stock_movements
            WHERE product_id = ? AND (? = 1 OR branch_id IN (\(db.dialect.integers(in: "?"))))
            ORDER BY id DESC LIMIT ?
            """, product, scope == nil ? 1 : 0, "[" + (scope ?? []).map(String.init).joined(separator: ",") + "]",
            Int64(limit)
        ) {
            StockMovement(
                id: try $0.get(0), product: try $0.get(1), branch: try $0.get(2), kind: try $0.get(3),
                quantity: try $0.get(4), reference: try $0.get(5), reason: try $0.get(6), by: try $0.get(7),
                at: Timestamp(milliseconds: try $0.get(8)))
        }
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLPosStore: Sendable {}
