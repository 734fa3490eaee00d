import Crypto
import Foundation
import PorteroModel
import SQLite

/// A staff or member account as authentication and RBAC need it.
public struct Account: Hashable, Sendable {
    public var id: UserID
    public var username: String
    public var email: String
    public var active: Bool
    public var roles: RoleSet
    public var branches: Set<BranchID>
    /// Seed 003's clave: unique, the next free number suggested.
    public var clave: Int64 = 0
    public var name = ""
    public var paternalSurname = ""
    public var maternalSurname = ""

    /// The role with the most privileges (roles are ordered SuperAdministrador first).
    public var highestRole: Role { roles.roles.min() ?? .client }

    /// True when one of the account's roles carries `privilege` at `branch` (SuperAdministrador
    /// everywhere, the other roles only at granted branches). Deny by default.
    public func may(_ privilege: Privilege, at branch: BranchID?, matrix: PrivilegeMatrix = .seed003) -> Bool {
        guard active else { return false }
        let granted = branch.map { branches.contains($0) } ?? !branches.isEmpty
        return matrix.allows(privilege, for: granted ? roles : roles.intersection(RoleSet(.superAdministrator)))
    }
}

/// Why an account operation was refused, phrased for the API's 400/409 answers.
public struct AccountError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of refusal: a value that can never be right (400), one that clashes with what
    /// exists (409: a taken name, your own account), or a reference to something that is not
    /// there (404: no such user, branch or plan).
    public enum Kind: Hashable, Sendable {
        case invalid, conflict, notFound
    }
    public let field: String
    public let problem: String
    public let kind: Kind
    public var description: String { "\(field): \(problem)" }

    public init(field: String, problem: String, kind: Kind = .invalid) {
        self.field = field
        self.problem = problem
        self.kind = kind
    }

    /// The value clashes with what exists.
    public static func conflict(_ field: String, _ problem: String) -> AccountError {
        AccountError(field: field, problem: problem, kind: .conflict)
    }

    /// The value names something that is not there.
    public static func notFound(_ field: String, _ problem: String) -> AccountError {
        AccountError(field: field, problem: problem, kind: .notFound)
    }
}

/// The checks every store makes on names and email addresses before it writes them.
package enum FieldRules {
    package static func checkEmail(_ email: String) throws {
        guard email.count <= 254, email.contains("@"), !email.hasPrefix("@"), !email.hasSuffix("@"),
            !email.contains(where: { $0.isWhitespace || $0.isNewline })
        else {
            throw AccountError(field: "email", problem: "not an email address")
        }
    }

    package static func checkName(_ value: String, field: String, required: Bool) throws {
        if required && value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw AccountError(field: field, problem: "must not be empty")
        }
        // Counted in code points, as JSON Schema's maxLength counts them.
        guard value.unicodeScalars.count <= 100,
            !value.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true })
        else {
            throw AccountError(field: field, problem: "at most 100 characters on one line")
        }
    }
}

/// Accounts and branches storage.
public protocol AccountStore {
    func createBranch(name: String, city: String, timeZone: String) throws -> BranchID
    /// The password checked against the policy and hashed: an `AccountError` naming the field
    /// when it falls short. Done outside any transaction, since scrypt takes tens of milliseconds.
    func preparePassword(_ password: String) throws -> String
    /// `password` nil: an account that cannot sign in until one is set (members enrolled at the desk).
    func createAccount(
        username: String, email: String, password: String?, name: String, paternalSurname: String,
        roles: RoleSet, branches: Set<BranchID>, now: Timestamp
    ) throws -> Account
    /// The account and its password hash for a login name (username or email, any case).
    func findForLogin(_ login: String) throws -> (Account, passwordHash: String?)?
    func account(_ id: UserID) throws -> Account?
    func replacePasswordHash(_ id: UserID, hash: String) throws
    func accountCount() throws -> Int
    /// Accounts granted any of `branches` (nil: every account), matching `search` in username,
    /// email or name, by id.
    func accounts(in branches: Set<BranchID>?, search: String?, limit: Int, offset: Int) throws -> [Account]
    func updateAccount(_ id: UserID, _ changes: AccountChanges) throws -> Account?
    func setRoles(_ id: UserID, _ roles: RoleSet) throws
    func setBranches(_ id: UserID, _ branches: Set<BranchID>) throws
    func branches() throws -> [Branch]
    func branch(_ id: BranchID) throws -> Branch?
    func updateBranch(_ id: BranchID, name: String?, city: String?, timeZone: String?, active: Bool?) throws -> Branch?
}

/// The fields an update may change; nil leaves a field as it is.
public struct AccountChanges: Sendable {
    public var email: String?
    public var name: String?
    public var paternalSurname: String?
    public var maternalSurname: String?
    public var active: Bool?
    /// Already hashed (hash before the transaction: scrypt must not hold the write lock).
    public var passwordHash: String?
    public init() {}
}

/// The account store in the core's SQLite database.
public final class SQLAccountStore: AccountStore {
    package let db: any SQLDatabase
    package let hasher: PasswordHasher
    package let policy: PasswordPolicy

    public init(
        connection: any SQLDatabase, hasher: PasswordHasher = PasswordHasher(),
        policy: PasswordPolicy = PasswordPolicy()
    ) throws {
        db = connection
        self.hasher = hasher
        self.policy = policy
    }

    public func createBranch(name: String, city: String, timeZone: String) throws -> BranchID {
        do { _ = try ZoneRules(identifier: timeZone) } catch {
            throw AccountError(field: "timeZone", problem: "\(error)")
        }
        try FieldRules.checkName(name, field: "name", required: true)
        try FieldRules.checkName(city, field: "city", required: true)
        do {
            return BranchID(
                try db.attempt {
                    try db.scalar(
                        "INSERT INTO branches (name, city, time_zone) VALUES (?, ?, ?) RETURNING id", name, city,
                        timeZone, as: Int64.self)
                })
        } catch let error as any SQLDatabaseError where error.isConstraintViolation {
            throw AccountError.conflict("name", "a branch named \"\(name)\" exists")
        }
    }

    public func preparePassword(_ password: String) throws -> String {
        // The chain's rule as it stands now (changed in the web UI without a restart).
        let rule = try SQLSettingsStore(connection: db).chain().passwordPolicy(over: policy)
        let problems = rule.problems(with: password)
        guard problems.isEmpty else {
            throw AccountError(field: "password", problem: "needs " + problems.joined(separator: ", "))
        }
        return try hasher.hash(password)
    }

    public func createAccount(
        username: String, email: String, password: String?, name: String, paternalSurname: String,
        roles: RoleSet, branches: Set<BranchID>, now: Timestamp
    ) throws -> Account {
        guard (3...64).contains(username.count),
            username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw AccountError(field: "username", problem: "3 to 64 letters, digits, '.', '_' or '-'")
        }
        try FieldRules.checkEmail(email)
        try FieldRules.checkName(name, field: "name", required: true)
        try FieldRules.checkName(paternalSurname, field: "paternalSurname", required: false)
        let hash = try password.map { try preparePassword($0) }
        return try db.transaction {
            let clave: Int64 = try db.scalar("SELECT coalesce(max(clave), 0) + 1 FROM users", as: Int64.self)
            let id: UserID
            do {
                id = UserID(
                    try db.attempt {
                        try db.scalar(
                            """
                            INSERT INTO users (username, email, password_hash, clave, name, paternal_surname,
                                created_at, join_day)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                            """, username, email, hash, clave, name, paternalSurname, now.milliseconds,
                            now.milliseconds / 86_400_000, as: Int64.self)
                    })
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                let sameName = "\(db.dialect.caseless("username")) = \(db.dialect.caseless("?"))"
                let taken = try db.scalar("SELECT count(*) FROM users WHERE \(sameName)", username, as: Int.self) > 0
                throw AccountError.conflict(taken ? "username" : "email", "already in use")
            }
            for role in roles.roles {
                try db.run("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", id.rawValue, role.rawValue)
            }
            try insertBranches(id, branches)
            return Account(
                id: id, username: username, email: email, active: true, roles: roles, branches: branches,
                clave: clave, name: name, paternalSurname: paternalSurname)
        }
    }

    private func insertBranches(_ id: UserID, _ branches: Set<BranchID>) throws {
        for branch in branches.sorted(by: { $0.rawValue < $1.rawValue }) {
            do {
                try db.attempt {
                    try db.run(
                        "INSERT INTO user_branches (user_id, branch_id) VALUES (?, ?)", id.rawValue, branch.rawValue)
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.notFound("branches", "no branch \(branch)")
            }
        }
    }

    public func accounts(in branches: Set<BranchID>?, search: String?, limit: Int, offset: Int) throws -> [Account] {
        var sql = "SELECT id FROM users u WHERE 1 = 1"
        var arguments: [any SQLiteBindable] = []
        if let branches {
            sql +=
                " AND EXISTS (SELECT 1 FROM user_branches b WHERE b.user_id = u.id "
                + "AND b.branch_id IN (\(db.dialect.integers(in: "?"))))"
            arguments.append("[" + branches.map { String($0.rawValue) }.joined(separator: ",") + "]")
        }
        if let search, !search.isEmpty {
            // LIKE with its wildcards escaped: the text is matched literally.
            let pattern =
                "%"
                + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            sql +=
                " AND (username \(db.dialect.like) ?1x ESCAPE '\\' OR email \(db.dialect.like) ?1x ESCAPE '\\' "
                + "OR name || ' ' || paternal_surname || ' ' || maternal_surname \(db.dialect.like) ?1x ESCAPE '\\')"
            sql = sql.replacingOccurrences(of: "?1x", with: "?\(arguments.count + 1)")
            arguments.append(pattern)
        }
        sql += " ORDER BY id LIMIT \(max(0, min(limit, 500))) OFFSET \(max(0, offset))"
        let ids: [Int64] = try db.query(sql, arguments: arguments) { try $0.get(0) }
        return try ids.compactMap { try account(UserID($0)) }
    }

    public func updateAccount(_ id: UserID, _ changes: AccountChanges) throws -> Account? {
        if let email = changes.email { try FieldRules.checkEmail(email) }
        if let name = changes.name { try FieldRules.checkName(name, field: "name", required: true) }
        if let value = changes.paternalSurname {
            try FieldRules.checkName(value, field: "paternalSurname", required: false)
        }
        if let value = changes.maternalSurname {
            try FieldRules.checkName(value, field: "maternalSurname", required: false)
        }
        return try db.transaction {
            guard try account(id) != nil else { return nil }
            do {
                try db.attempt {
                    try db.run(
                        """
                        UPDATE users SET email = coalesce(?, email), name = coalesce(?, name),
                        paternal_surname = coalesce(?, paternal_surname),
                        maternal_surname = coalesce(?, maternal_surname), active = coalesce(?, active),
                        password_hash = coalesce(?, password_hash) WHERE id = ?
                        """, changes.email, changes.name, changes.paternalSurname, changes.maternalSurname,
                        changes.active, changes.passwordHash, id.rawValue)
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("email", "already in use")
            }
            // A deactivated account, or one with a new password, keeps no session open.
            if changes.active == false || changes.passwordHash != nil {
                try db.run("DELETE FROM sessions WHERE user_id = ?", id.rawValue)
            }
            return try account(id)
        }
    }

    public func setRoles(_ id: UserID, _ roles: RoleSet) throws {
        try db.transaction {
            try db.run("DELETE FROM user_roles WHERE user_id = ?", id.rawValue)
            for role in roles.roles {
                try db.run("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", id.rawValue, role.rawValue)
            }
        }
    }

    public func setBranches(_ id: UserID, _ branches: Set<BranchID>) throws {
        try db.transaction {
            try db.run("DELETE FROM user_branches WHERE user_id = ?", id.rawValue)
            try insertBranches(id, branches)
        }
    }

    public func branches() throws -> [Branch] {
        try db.query("SELECT id, name, city, time_zone, active FROM branches ORDER BY id") {
            Branch(
                id: BranchID(try $0.get(0)), name: try $0.get(1), city: try $0.get(2), timeZone: try $0.get(3),
                active: try $0.get(4))
        }
    }

    public func branch(_ id: BranchID) throws -> Branch? {
        try db.queryFirst("SELECT id, name, city, time_zone, active FROM branches WHERE id = ?", id.rawValue) {
            Branch(
                id: BranchID(try $0.get(0)), name: try $0.get(1), city: try $0.get(2), timeZone: try $0.get(3),
                active: try $0.get(4))
        }
    }

    public func updateBranch(_ id: BranchID, name: String?, city: String?, timeZone: String?, active: Bool?) throws
        -> Branch?
    {
        if let timeZone {
            do { _ = try ZoneRules(identifier: timeZone) } catch {
                throw AccountError(field: "timeZone", problem: "\(error)")
            }
        }
        if let name { try FieldRules.checkName(name, field: "name", required: true) }
        if let city { try FieldRules.checkName(city, field: "city", required: true) }
        do {
            try db.attempt {
                try db.run(
                    "UPDATE branches SET name = coalesce(?, name), city = coalesce(?, city), "
                        + "time_zone = coalesce(?, time_zone), active = coalesce(?, active) WHERE id = ?",
                    name, city, timeZone, active, id.rawValue)
            }
        } catch let error as any SQLDatabaseError where error.isConstraintViolation {
            throw AccountError.conflict("name", "already in use")
        }
        return try branch(id)
    }

    public func findForLogin(_ login: String) throws -> (Account, passwordHash: String?)? {
        let given = db.dialect.caseless("?1")
        guard
            let row: (Int64, String?) = try db.queryFirst(
                """
                SELECT id, password_hash FROM users
                WHERE \(db.dialect.caseless("username")) = \(given) OR \(db.dialect.caseless("email")) = \(given)
                """, login, map: { (try $0.get(0), try $0.get(1)) }), let account = try account(UserID(row.0))
        else { return nil }
        return (account, row.1)
    }

    public func account(_ id: UserID) throws -> Account? {
        try db.queryFirst(Self.accountSQL[db.dialect], id.rawValue) { row in try Self.account(id, from: row, at: 0) }
    }

    package static let accountSQL = DialectText { "SELECT \(accountColumns[$0]) FROM users u WHERE id = ?" }

    /// The columns `account(_:from:at:)` reads, for a statement over `users u`: one statement,
    /// the roles and branches come along as lists.
    package static let accountColumns = DialectText { dialect in
        """
        u.username, u.email, u.active, u.clave, u.name, u.paternal_surname, u.maternal_surname,
        (SELECT \(dialect.joined("role", separator: ",")) FROM user_roles WHERE user_id = u.id),
        (SELECT \(dialect.joined("branch_id", separator: ",")) FROM user_branches WHERE user_id = u.id)
        """
    }

    /// The account in `accountColumns`, starting at column `first` of `row`.
    package static func account(_ id: UserID, from row: Row, at first: Int32) throws -> Account {
        var roles = RoleSet()
        if let text: String = try row.get(first + 7) {
            for name in text.utf8.split(separator: UInt8(ascii: ",")) {
                if let role = Role(rawValue: String(decoding: name, as: UTF8.self)) { roles.insert(RoleSet(role)) }
            }
        }
        var branches = Set<BranchID>()
        if let text: String = try row.get(first + 8) {
            for number in text.utf8.split(separator: UInt8(ascii: ",")) {
                if let value = Int64(String(decoding: number, as: UTF8.self)) { branches.insert(BranchID(value)) }
            }
        }
        return Account(
            id: id, username: try row.get(first), email: try row.get(first + 1), active: try row.get(first + 2),
            roles: roles, branches: branches,
            clave: try row.get(first + 3), name: try row.get(first + 4), paternalSurname: try row.get(first + 5),
            maternalSurname: try row.get(first + 6))
    }

    public func replacePasswordHash(_ id: UserID, hash: String) throws {
        try db.run("UPDATE users SET password_hash = ? WHERE id = ?", hash, id.rawValue)
    }

    public func accountCount() throws -> Int { try db.scalar("SELECT count(*) FROM users", as: Int.self) }
}

@available(*, unavailable, message: "Owned by the core's database thread")
extension SQLAccountStore: Sendable {}
