import Foundation
import PorteroModel
import SQLite

/// Cash registers, their shifts, the ledger of cash movements and the cuts that close them.
extension SQLPosStore {
    private static func register(_ row: Row) throws -> CashRegister {
        CashRegister(
            id: try row.get(0), branch: try row.get(1), name: try row.get(2), active: try row.get(3),
            openShift: row.int64(4))
    }

    private static let registerSelect = """
        SELECT r.id, r.branch_id, r.name, r.active, s.id FROM cash_registers r
        LEFT JOIN cash_shifts s ON s.register_id = r.id AND s.closed_at IS NULL
        """

    public func registers(branches: Set<BranchID>?) throws -> [CashRegister] {
        try db.query("\(Self.registerSelect) ORDER BY r.branch_id, r.name", map: Self.register)
            .filter { branches?.contains(BranchID($0.branch)) ?? true }
    }

    public func register(_ id: Int64) throws -> CashRegister? {
        try db.queryFirst("\(Self.registerSelect) WHERE r.id = ?", id, map: Self.register)
    }

    public func saveRegister(id: Int64?, branch: BranchID?, name: String?, active: Bool?) throws -> CashRegister? {
        if let name { try FieldRules.checkName(name, field: "name", required: true) }
        return try db.transaction { () -> CashRegister? in
            var registerID = id ?? 0
            do {
                try db.attempt {
                    if let id {
                        guard try register(id) != nil else {
                            registerID = 0
                            return
                        }
                        if let name { try db.run("UPDATE cash_registers SET name = ? WHERE id = ?", name, id) }
                        if let active { try db.run("UPDATE cash_registers SET active = ? WHERE id = ?", active, id) }
                    } else {
                        guard let name, let branch else { throw AccountError(field: "name", problem: "is required") }
                        registerID = try db.scalar(
                            "INSERT INTO cash_registers (branch_id, name, active) VALUES (?, ?, ?) RETURNING id",
                            branch.rawValue, name, active ?? true, as: Int64.self)
                    }
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("name", "the branch has another register named \(name ?? "")")
            }
            return registerID == 0 ? nil : try register(registerID)
        }
    }

    private static let shiftSelect = """
        SELECT s.id, s.register_id, r.name, s.branch_id, s.opened_by, u.name || ' ' || u.paternal_surname,
            s.opened_at, s.float_minor, s.closed_by, s.closed_at
        FROM cash_shifts s JOIN cash_registers r ON r.id = s.register_id JOIN users u ON u.id = s.opened_by
        """

    private func shift(_ row: Row) throws -> CashShift {
        CashShift(
            id: try row.get(0), register: try row.get(1), registerName: try row.get(2), branch: try row.get(3),
            openedBy: try row.get(4), openedByName: try row.get(5), openedAt: Timestamp(milliseconds: try row.get(6)),
            float: try money(try row.get(7)), closedBy: row.int64(8),
            closedAt: row.int64(9).map { Timestamp(milliseconds: $0) })
    }

    public func shift(_ id: Int64) throws -> CashShift? {
        try db.queryFirst("\(Self.shiftSelect) WHERE s.id = ?", id) { try shift($0) }
    }

    public func shifts(branches: Set<BranchID>?, openOnly: Bool, limit: Int) throws -> [CashShift] {
        let branchFilter = branches.map {
            " AND s.branch_id IN (\($0.map { String($0.rawValue) }.joined(separator: ", ")))"
        }
        let sql =
            "\(Self.shiftSelect) WHERE 1 = 1\(openOnly ? " AND s.closed_at IS NULL" : "")"
            + "\(branches?.isEmpty == true ? " AND 1 = 0" : branchFilter ?? "") ORDER BY s.id DESC LIMIT ?"
        return try db.query(sql, Int64(limit)) { try shift($0) }
    }

    public func openShift(register: Int64, user: UserID, floatMinor: Int64, now: Timestamp) throws -> CashShift {
        guard (0...Self.largestAmount).contains(floatMinor) else {
            throw AccountError(field: "floatMinor", problem: "must be from 0 to 10,000,000,000 minor units")
        }
        return try db.transaction {
            guard let found = try self.register(register) else {
                throw AccountError.notFound("register", "no register \(register)")
            }
            guard found.active else { throw AccountError.conflict("register", "\(found.name) is not in use") }
            let id: Int64
            do {
                id = try db.attempt {
                    try db.scalar(
                        """
                        INSERT INTO cash_shifts (register_id, branch_id, opened_by, opened_at, float_minor)
                        VALUES (?, ?, ?, ?, ?) RETURNING id
                        """, register, found.branch, user.rawValue, now.milliseconds, floatMinor, as: Int64.self)
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("register", "\(found.name) already has an open shift")
            }
            guard let opened = try shift(id) else { throw AccountError.notFound("shift", "no shift \(id)") }
            return opened
        }
    }

    /// Locks the shift's row for the rest of the transaction (PostgreSQL: a sale and a close of
    /// one shift queue on it), and refuses a closed shift.
    package func holdOpenShift(_ id: Int64) throws -> CashShift {
        guard let found = try shift(id) else { throw AccountError.notFound("shift", "no shift \(id)") }
        let held = try db.run("UPDATE cash_shifts SET opened_at = opened_at WHERE id = ? AND closed_at IS NULL", id)
        guard held == 1 else {
            throw AccountError.conflict("shift", "shift \(id) on \(found.registerName) is closed")
        }
        return found
    }

    package func postMovement(
        shift: Int64, kind: String, method: PaymentMethod, amountMinor: Int64, reference: String, reason: String,
        by: UserID, now: Timestamp
    ) throws -> CashMovement {
        let id = try db.scalar(
            """
            INSERT INTO cash_movements (shift_id, kind, method, amount_minor, reference, reason, by_user, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, shift, kind, method.rawValue, amountMinor, reference, reason, by.rawValue, now.milliseconds,
            as: Int64.self)
        return CashMovement(
            id: id, shift: shift, kind: kind, method: method, amount: try money(amountMinor), reference: reference,
            reason: reason, by: by.rawValue, at: now)
    }

    public func addMovement(
        shift: Int64, kind: String, method: PaymentMethod, amountMinor: Int64, reason: String, by: UserID,
        now: Timestamp
    ) throws -> CashMovement {
        let bound = Self.largestAmount
        switch kind {
        case "withdrawal", "deposit":
            guard (1...bound).contains(amountMinor) else {
                throw AccountError(field: "amountMinor", problem: "must be from 1 to 10,000,000,000 minor units")
            }
        case "correction":
            guard amountMinor != 0, (-bound...bound).contains(amountMinor) else {
                throw AccountError(field: "amountMinor", problem: "a signed amount, not zero, within 10,000,000,000")
            }
        default: throw AccountError(field: "kind", problem: "withdrawal, deposit or correction")
        }
        return try db.transaction {
            guard let found = try self.shift(shift) else { throw AccountError.notFound("shift", "no shift \(shift)") }
            if kind == "correction" {
                guard !found.isOpen else {
                    throw AccountError.conflict("kind", "corrections go on closed cuts; this shift is still open")
                }
            } else {
                _ = try holdOpenShift(shift)
            }
            let signed = kind == "withdrawal" ? -amountMinor : amountMinor
            return try postMovement(
                shift: shift, kind: kind, method: method, amountMinor: signed, reference: "", reason: reason, by: by,
                now: now)
        }
    }

    public func postSubscriptionPayment(
        subscription: Int64, branch: BranchID, method: PaymentMethod, amountMinor: Int64, by: UserID,
        now: Timestamp
    ) throws -> CashMovement? {
        guard amountMinor > 0 else { return nil }
        return try db.transaction { () -> CashMovement? in
            guard
                let open: Int64 = try db.queryFirst(
                    """
                    SELECT id FROM cash_shifts WHERE opened_by = ? AND branch_id = ? AND closed_at IS NULL
                    ORDER BY id DESC LIMIT 1
                    """, by.rawValue, branch.rawValue, map: { try $0.get(0) })
            else { return nil }
            _ = try holdOpenShift(open)
            return try postMovement(
                shift: open, kind: "subscription", method: method, amountMinor: amountMinor,
                reference: "subscription:\(subscription)", reason: "", by: by, now: now)
        }
    }

    private func movement(_ row: Row) throws -> CashMovement {
        CashMovement(
            id: try row.get(0), shift: try row.get(1), kind: try row.get(2),
            method: PaymentMethod(rawValue: try row.get(3)) ?? .cash, amount: try money(try row.get(4)),
            reference: try row.get(5), reason: try row.get(6), by: try row.get(7),
            at: Timestamp(milliseconds: try row.get(8)))
    }

    public func cut(_ id: Int64) throws -> CashCut? {
        try db.read { () -> CashCut? in
            guard let found = try shift(id) else { return nil }
            let all = try db.query(
                """
                SELECT id, shift_id, kind, method, amount_minor, reference, reason, by_user, at FROM cash_movements
                WHERE shift_id = ? ORDER BY id
                """, id
            ) { try movement($0) }
            let counts: [PaymentMethod: (Int64, Int64)] = Dictionary(
                uniqueKeysWithValues: try db.query(
                    "SELECT method, expected_minor, counted_minor FROM cash_counts WHERE shift_id = ?", id
                ) {
                    (PaymentMethod(rawValue: try $0.get(0)) ?? .cash, (try $0.get(1) as Int64, try $0.get(2) as Int64))
                })
            let movements = all.filter { $0.kind != "correction" }
            let corrections = all.filter { $0.kind == "correction" }
            var methods: [CashCut.MethodTotal] = []
            for method in PaymentMethod.allCases {
                let moved = movements.filter { $0.method == method }.reduce(0) { $0 + $1.amount.minorUnits }
                let expected = counts[method]?.0 ?? (method == .cash ? found.float.minorUnits : 0) + moved
                let counted = counts[method]?.1
                methods.append(
                    CashCut.MethodTotal(
                        method: method, expected: try money(expected), counted: try counted.map { try money($0) },
                        difference: try counted.map { try money($0 - expected) }))
            }
            let salesCount: Int = try db.scalar(
                "SELECT count(*) FROM pos_sales WHERE shift_id = ? AND status = 'completed'", id)
            return CashCut(
                shift: found, status: found.isOpen ? "open" : "closed", salesCount: salesCount, movements: movements,
                methods: methods, corrections: corrections,
                correctionsTotal: try money(corrections.reduce(0) { $0 + $1.amount.minorUnits }))
        }
    }

    public func closeShift(_ id: Int64, counted: [PaymentMethod: Int64], by: UserID, now: Timestamp) throws -> CashCut {
        for method in PaymentMethod.allCases {
            guard let amount = counted[method], (0...Self.largestAmount).contains(amount) else {
                throw AccountError(
                    field: "counted.\(method.rawValue)", problem: "the amount counted, from 0 to 10,000,000,000")
            }
        }
        return try db.transaction {
            _ = try holdOpenShift(id)
            guard let open = try cut(id) else { throw AccountError.notFound("shift", "no shift \(id)") }
            for total in open.methods {
                try db.run(
                    "INSERT INTO cash_counts (shift_id, method, expected_minor, counted_minor) VALUES (?, ?, ?, ?)", id,
                    total.method.rawValue, total.expected.minorUnits, counted[total.method] ?? 0)
            }
            try db.run(
                "UPDATE cash_shifts SET closed_by = ?, closed_at = ? WHERE id = ?", by.rawValue, now.milliseconds, id)
            guard let closed = try cut(id) else { throw AccountError.notFound("shift", "no shift \(id)") }
            return closed
        }
    }
}
