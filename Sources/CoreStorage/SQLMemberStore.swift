import Crypto
import Foundation
import PorteroModel
import SQLite

/// The member store in the core's SQLite database.
public final class SQLMemberStore: MemberStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) throws {
        db = connection
    }

    // MARK: Change log

    public func recordChange(_ entity: String, _ id: Int64, now: Timestamp) throws {
        try db.run("INSERT INTO change_log (at, entity, entity_id) VALUES (?, ?, ?)", now.milliseconds, entity, id)
    }

    // MARK: PIN key

    /// Kept in core_meta.
    public func pinKey() throws -> [UInt8] {
        if let hex: String = try db.queryFirst(
            "SELECT value FROM core_meta WHERE key = 'pin_key'", map: { try $0.get(0) }),
            let bytes = Self.bytes(hex: hex)
        {
            return bytes
        }
        let key = try SecureRandom.bytes(32)
        try db.run(
            "INSERT INTO core_meta (key, value) VALUES ('pin_key', ?) ON CONFLICT(key) DO NOTHING",
            key.map { String(format: "%02x", $0) }.joined())
        return try pinKey()
    }

    package static func bytes(hex: String) -> [UInt8]? { Hex.decode(hex) }

    // MARK: Profiles

    public func nextClave() throws -> Int64 {
        try db.scalar("SELECT coalesce(max(clave), 0) + 1 FROM users", as: Int64.self)
    }

    package static let userColumns = DialectText { dialect in
        """
        u.id, u.username, u.email, u.clave, u.name, u.paternal_surname, u.maternal_surname, u.gender, u.agreement_id,
        u.birth_day, u.join_day, u.phone, u.alternate_email, u.active, u.follow_up, u.notes,
        (SELECT \(dialect.joined("role", separator: ",")) FROM user_roles WHERE user_id = u.id),
        (SELECT \(dialect.joined("branch_id", separator: ",")) FROM user_branches WHERE user_id = u.id)
        """
    }

    package static func user(_ row: Row) throws -> User {
        let roles: String? = try row.get(16)
        let branches: String? = try row.get(17)
        return User(
            id: UserID(try row.get(0)), username: try row.get(1), email: try row.get(2), clave: try row.get(3),
            name: try row.get(4),
            paternalSurname: try row.get(5), maternalSurname: try row.get(6),
            gender: Gender(rawValue: try row.get(7)) ?? .unspecified,
            agreementID: row.int64(8).map { AgreementID($0) },
            birthDate: row.int64(9).map { LocalDay(daysSinceEpoch: Int32($0)) },
            joinDate: LocalDay(daysSinceEpoch: Int32(row.int64(10) ?? 0)), phone: try row.get(11),
            alternateEmail: try row.get(12),
            active: try row.get(13), followUp: try row.get(14), notes: try row.get(15),
            roles: RoleSet((roles ?? "").split(separator: ",").compactMap { Role(rawValue: String($0)) }),
            branches: Set((branches ?? "").split(separator: ",").compactMap { Int64($0) }.map { BranchID($0) }))
    }

    public func user(_ id: UserID) throws -> User? {
        try db.queryFirst(
            "SELECT \(Self.userColumns[db.dialect]) FROM users u WHERE u.id = ?", id.rawValue, map: Self.user)
    }

    public func hasPIN(_ id: UserID) throws -> Bool {
        try db.scalar("SELECT pin_digest IS NOT NULL FROM users WHERE id = ?", id.rawValue, as: Bool.self)
    }

    public func hasDuressPIN(_ id: UserID) throws -> Bool {
        try db.scalar("SELECT duress_digest IS NOT NULL FROM users WHERE id = ?", id.rawValue, as: Bool.self)
    }

    public func language(_ id: UserID) throws -> String {
        try db.queryFirst("SELECT language FROM users WHERE id = ?", id.rawValue, map: { try $0.get(0) }) ?? "es"
    }

    public func chosenLanguage(_ id: UserID) throws -> String? {
        try db.queryFirst(
            "SELECT language FROM users WHERE id = ? AND language_chosen = 1", id.rawValue, map: { try $0.get(0) })
    }

    public func setProfile(_ id: UserID, _ fields: ProfileFields) throws {
        if let value = fields.maternalSurname {
            try FieldRules.checkName(value, field: "maternalSurname", required: false)
        }
        if let value = fields.phone {
            guard value.count <= 32, value.allSatisfy({ $0.isASCII && ($0.isNumber || " +-().".contains($0)) }) else {
                throw AccountError(field: "phone", problem: "digits, spaces and + - ( ) . only, at most 32")
            }
        }
        if let value = fields.alternateEmail, !value.isEmpty { try FieldRules.checkEmail(value) }
        if let value = fields.notes, value.count > 4_000 {
            throw AccountError(field: "notes", problem: "at most 4,000 characters")
        }
        if let value = fields.language, !["es", "en"].contains(value) {
            throw AccountError(field: "language", problem: "es or en")
        }
        if let clave = fields.clave {
            guard clave > 0 else { throw AccountError(field: "clave", problem: "must be a positive number") }
            if try db.scalar("SELECT count(*) FROM users WHERE clave = ? AND id != ?", clave, id.rawValue, as: Int.self)
                > 0
            {
                throw AccountError.conflict("clave", "already in use (suggested: \(try nextClave()))")
            }
        }
        if let agreement = fields.agreementID, agreement != 0,
            try db.scalar("SELECT count(*) FROM agreements WHERE id = ?", agreement, as: Int.self) == 0
        {
            throw AccountError(field: "agreement", problem: "no agreement \(agreement)")
        }
        if let birth = fields.birthDate, let day = birth {
            let stored: Int64?? = try db.queryFirst(
                "SELECT join_day FROM users WHERE id = ?", id.rawValue, map: { $0.int64(0) })
            let join = fields.joinDate ?? (stored ?? nil).map { LocalDay(daysSinceEpoch: Int32($0)) }
            if let join, day > join { throw AccountError(field: "birthDate", problem: "is after the join date") }
            if day < LocalDay(year: 1900, month: 1, day: 1)! {
                throw AccountError(field: "birthDate", problem: "is before 1900")
            }  // safe: a valid date
        }
        try db.run(
            """
            UPDATE users SET clave = coalesce(?, clave), name = coalesce(?, name),
                paternal_surname = coalesce(?, paternal_surname),
                maternal_surname = coalesce(?, maternal_surname), gender = coalesce(?, gender),
                agreement_id = CASE WHEN ? THEN nullif(?, 0) ELSE agreement_id END,
                birth_day = CASE WHEN ? THEN ? ELSE birth_day END, join_day = coalesce(?, join_day),
                phone = coalesce(?, phone), alternate_email = coalesce(?, alternate_email),
                follow_up = coalesce(?, follow_up), notes = coalesce(?, notes), language = coalesce(?, language),
                language_chosen = CASE WHEN CAST(? AS TEXT) IS NOT NULL THEN 1 ELSE language_chosen END
            WHERE id = ?
            """, fields.clave, fields.name, fields.paternalSurname, fields.maternalSurname, fields.gender?.rawValue,
            fields.agreementID != nil, fields.agreementID, fields.birthDate != nil,
            (fields.birthDate ?? nil).map { Int64($0.rawValue) },
            fields.joinDate.map { Int64($0.rawValue) }, fields.phone, fields.alternateEmail, fields.followUp,
            fields.notes, fields.language, fields.language, id.rawValue)
    }

    public func search(
        _ search: String?, in branches: Set<BranchID>?, followUpOnly: Bool, limit: Int, offset: Int
    ) throws -> [User] {
        var sql = "SELECT \(Self.userColumns[db.dialect]) FROM users u WHERE 1 = 1"
        var arguments: [any SQLiteBindable] = []
        if let branches {
            sql +=
                " AND EXISTS (SELECT 1 FROM user_branches b WHERE b.user_id = u.id "
                + "AND b.branch_id IN (\(db.dialect.integers(in: "?"))))"
            arguments.append(Self.jsonList(branches))
        }
        if followUpOnly { sql += " AND u.follow_up = 1" }
        if let search = search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            let pattern =
                "%"
                + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            let n = arguments.count + 1
            var clauses = [
                "u.username \(db.dialect.like) ?\(n) ESCAPE '\\'", "u.email \(db.dialect.like) ?\(n) ESCAPE '\\'",
                "(u.name || ' ' || u.paternal_surname || ' ' || u.maternal_surname) \(db.dialect.like) ?\(n) "
                    + "ESCAPE '\\'",
            ]
            arguments.append(pattern)
            if let number = Int64(search) {
                clauses.append("u.clave = ?\(n + 1)")
                arguments.append(number)
            }
            if let card = try? CardNumber(parsing: search) {
                clauses.append(
                    "u.id IN (SELECT user_id FROM cards WHERE number = ?\(arguments.count + 1) AND status = 'active')")
                arguments.append(Int64(bitPattern: card.rawValue))
            }
            sql += " AND (" + clauses.joined(separator: " OR ") + ")"
        }
        sql += " ORDER BY u.follow_up DESC, u.id LIMIT \(max(0, min(limit, 500))) OFFSET \(max(0, offset))"
        return try db.query(sql, arguments: arguments, map: Self.user)
    }

    package static func jsonList(_ branches: Set<BranchID>) -> String {
        "[" + branches.map { String($0.rawValue) }.sorted().joined(separator: ",") + "]"
    }

    // MARK: Cards

    package static func card(_ row: Row) throws -> MemberCard {
        let number = CardNumber(rawValue: UInt64(bitPattern: try row.get(1)))
        return MemberCard(
            id: try row.get(0), userID: try row.get(2), number: number.description, printed: number.printed,
            status: Credential.Status(rawValue: try row.get(3)) ?? .revoked,
            createdAt: Timestamp(milliseconds: try row.get(4)),
            changedAt: Timestamp(milliseconds: try row.get(5)))
    }

    public func cards(of user: UserID) throws -> [MemberCard] {
        try db.query(
            "SELECT id, number, user_id, status, created_at, changed_at FROM cards WHERE user_id = ? ORDER BY id",
            user.rawValue, map: Self.card)
    }

    public func card(_ id: Int64) throws -> MemberCard? {
        try db.queryFirst(
            "SELECT id, number, user_id, status, created_at, changed_at FROM cards WHERE id = ?", id, map: Self.card)
    }

    public func cards(number: CardNumber) throws -> [MemberCard] {
        try db.query(
            "SELECT id, number, user_id, status, created_at, changed_at FROM cards WHERE number = ? ORDER BY id DESC",
            Int64(bitPattern: number.rawValue), map: Self.card)
    }

    public func addCard(_ user: UserID, number: CardNumber, now: Timestamp) throws -> MemberCard {
        try db.transaction {
            if let holder: (Int64, Int64) = try db.queryFirst(
                """
                SELECT u.id, u.clave FROM cards c JOIN users u ON u.id = c.user_id WHERE c.number = ?
                    AND c.status = 'active'
                """, Int64(bitPattern: number.rawValue), map: { (try $0.get(0), try $0.get(1)) })
            {
                throw AccountError(
                    field: "number",
                    problem: holder.0 == user.rawValue
                        ? "already an active card of this user" : "already in use: assigned to clave \(holder.1)",
                    kind: .conflict)
            }
            let id = try db.scalar(
                "INSERT INTO cards (number, user_id, status, created_at, changed_at) VALUES (?, ?, 'active', ?, ?) "
                    + "RETURNING id",
                Int64(bitPattern: number.rawValue), user.rawValue, now.milliseconds, now.milliseconds, as: Int64.self)
            try recordChange("user", user.rawValue, now: now)
            guard let card = try card(id) else {
                throw AccountError(field: "number", problem: "could not be read back")
            }
            return card
        }
    }

    public func setCardStatus(_ id: Int64, _ status: Credential.Status, now: Timestamp) throws -> MemberCard? {
        try db.transaction {
            guard let current = try card(id) else { return nil }
            do {
                try db.attempt {
                    try db.run(
                        "UPDATE cards SET status = ?, changed_at = ? WHERE id = ?", status.rawValue, now.milliseconds,
                        id)
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("status", "already in use: the number is active for someone else")
            }
            try recordChange("user", current.userID, now: now)
            return try card(id)
        }
    }

    // MARK: PIN

    public func setPIN(_ user: UserID, digest: PINDigest?, duress: Bool, now: Timestamp) throws {
        let (column, setAt) = duress ? ("duress_digest", "duress_set_at") : ("pin_digest", "pin_set_at")
        if let digest {
            // Whose it is stays unsaid: the answer must not tell one person another's PIN.
            let taken = try db.scalar(
                """
                SELECT count(*) FROM users WHERE (pin_digest = ?1 OR duress_digest = ?1)
                    AND NOT (id = ?2 AND \(column) IS NOT DISTINCT FROM ?1)
                """, digest.bytes, user.rawValue, as: Int.self)
            guard taken == 0 else {
                throw AccountError.conflict("pin", "not available; choose another")
            }
        }
        try db.run(
            "UPDATE users SET \(column) = ?, \(setAt) = ? WHERE id = ?", digest?.bytes,
            digest == nil ? nil : now.milliseconds, user.rawValue)
        try recordChange("user", user.rawValue, now: now)
    }

    // MARK: Agreements

    public func agreements() throws -> [Agreement] {
        try db.query("SELECT id, name, notes FROM agreements ORDER BY \(db.dialect.caseless("name"))") {
            Agreement(id: AgreementID(try $0.get(0)), name: try $0.get(1), notes: try $0.get(2))
        }
    }

    public func agreement(_ id: Int64) throws -> Agreement? {
        try db.queryFirst("SELECT id, name, notes FROM agreements WHERE id = ?", id) {
            Agreement(id: AgreementID(try $0.get(0)), name: try $0.get(1), notes: try $0.get(2))
        }
    }

    public func saveAgreement(id: Int64?, name: String?, notes: String?) throws -> Agreement? {
        if let name { try FieldRules.checkName(name, field: "name", required: true) }
        if let notes, notes.count > 2_000 { throw AccountError(field: "notes", problem: "at most 2,000 characters") }
        do {
            if let id {
                try db.attempt {
                    try db.run(
                        "UPDATE agreements SET name = coalesce(?, name), notes = coalesce(?, notes) WHERE id = ?",
                        name, notes, id)
                }
                return try agreement(id)
            }
            guard let name else { throw AccountError(field: "name", problem: "is required") }
            let added = try db.attempt {
                try db.scalar(
                    "INSERT INTO agreements (name, notes) VALUES (?, ?) RETURNING id", name, notes ?? "",
                    as: Int64.self)
            }
            return try agreement(added)
        } catch let error as any SQLDatabaseError where error.isConstraintViolation {
            throw AccountError.conflict("name", "already in use")
        }
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLMemberStore: Sendable {}
