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

    /// True when one of the account's roles carries `privilege` at `branch` (SuperAdministrador
    /// everywhere, the other roles only at granted branches). Deny by default.
    public func may(_ privilege: Privilege, at branch: BranchID?, matrix: PrivilegeMatrix = .seed003) -> Bool {
        guard active else { return false }
        let rolesHere = roles.roles.filter { role in
            role == .superAdministrator || branch.map { branches.contains($0) } ?? !branches.isEmpty
        }
        return matrix.allows(privilege, for: RoleSet(rolesHere))
    }
}

/// Why an account operation was refused, phrased for the API's 400/409 answers.
public struct AccountError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let problem: String
    public var description: String { "\(field): \(problem)" }
}

/// Accounts and branches storage (the SQLite backend; a PostgreSQL one would implement the same).
public protocol AccountStore {
    func createBranch(name: String, city: String, timeZone: String) throws -> BranchID
    func createAccount(username: String, email: String, password: String, name: String, paternalSurname: String,
                       roles: RoleSet, branches: Set<BranchID>, now: Timestamp) throws -> Account
    /// The account and its password hash for a login name (username or email, any case).
    func findForLogin(_ login: String) throws -> (Account, passwordHash: String?)?
    func account(_ id: UserID) throws -> Account?
    func replacePasswordHash(_ id: UserID, hash: String) throws
    func accountCount() throws -> Int
}

public final class SQLiteAccountStore: AccountStore {
    let db: Connection
    let hasher: PasswordHasher
    let policy: PasswordPolicy

    public init(connection: Connection, hasher: PasswordHasher = PasswordHasher(), policy: PasswordPolicy = PasswordPolicy()) throws {
        db = connection
        self.hasher = hasher
        self.policy = policy
        try CoreSchema.migrator.migrate(db)
    }

    public func createBranch(name: String, city: String, timeZone: String) throws -> BranchID {
        do { _ = try ZoneRules(identifier: timeZone) } catch { throw AccountError(field: "time_zone", problem: "\(error)") }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw AccountError(field: "name", problem: "must not be empty") }
        do {
            try db.run("INSERT INTO branches (name, city, time_zone) VALUES (?, ?, ?)", name, city, timeZone)
        } catch let error as SQLiteError where error.isConstraintViolation {
            throw AccountError(field: "name", problem: "a branch named \"\(name)\" exists")
        }
        return BranchID(db.lastInsertRowID)
    }

    public func createAccount(username: String, email: String, password: String, name: String, paternalSurname: String,
                              roles: RoleSet, branches: Set<BranchID>, now: Timestamp) throws -> Account {
        guard username.count >= 3, username.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            throw AccountError(field: "username", problem: "3 or more letters, digits, '.', '_' or '-'")
        }
        guard email.contains("@"), !email.hasPrefix("@"), !email.hasSuffix("@"), !email.contains(" ") else {
            throw AccountError(field: "email", problem: "not an email address")
        }
        let problems = policy.problems(with: password)
        guard problems.isEmpty else { throw AccountError(field: "password", problem: "needs " + problems.joined(separator: ", ")) }
        let hash = try hasher.hash(password)
        return try db.transaction {
            let clave: Int64 = try db.scalar("SELECT coalesce(max(clave), 0) + 1 FROM users", as: Int64.self)
            do {
                try db.run("""
                    INSERT INTO users (username, email, password_hash, clave, name, paternal_surname, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, username, email, hash, clave, name, paternalSurname, now.milliseconds)
            } catch let error as SQLiteError where error.isConstraintViolation {
                let taken = try db.scalar("SELECT count(*) FROM users WHERE username = ? COLLATE NOCASE", username, as: Int.self) > 0
                throw AccountError(field: taken ? "username" : "email", problem: "already in use")
            }
            let id = UserID(db.lastInsertRowID)
            for role in roles.roles { try db.run("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", id.rawValue, role.rawValue) }
            for branch in branches {
                do {
                    try db.run("INSERT INTO user_branches (user_id, branch_id) VALUES (?, ?)", id.rawValue, branch.rawValue)
                } catch let error as SQLiteError where error.isConstraintViolation {
                    throw AccountError(field: "branches", problem: "no branch \(branch)")
                }
            }
            return Account(id: id, username: username, email: email, active: true, roles: roles, branches: branches)
        }
    }

    public func findForLogin(_ login: String) throws -> (Account, passwordHash: String?)? {
        guard let row: (Int64, String?) = try db.queryFirst("""
            SELECT id, password_hash FROM users WHERE username = ?1 COLLATE NOCASE OR email = ?1 COLLATE NOCASE
            """, login, map: { (try $0.get(0), try $0.get(1)) }), let account = try account(UserID(row.0)) else { return nil }
        return (account, row.1)
    }

    public func account(_ id: UserID) throws -> Account? {
        guard let base: (String, String, Bool) = try db.queryFirst("SELECT username, email, active FROM users WHERE id = ?", id.rawValue,
                                                                     map: { (try $0.get(0), try $0.get(1), try $0.get(2)) }) else { return nil }
        let roleNames: [String] = try db.query("SELECT role FROM user_roles WHERE user_id = ?", id.rawValue) { try $0.get(0) }
        let branchIDs: [Int64] = try db.query("SELECT branch_id FROM user_branches WHERE user_id = ?", id.rawValue) { try $0.get(0) }
        return Account(id: id, username: base.0, email: base.1, active: base.2, roles: RoleSet(roleNames.compactMap(Role.init(rawValue:))),
                       branches: Set(branchIDs.map { BranchID($0) }))
    }

    public func replacePasswordHash(_ id: UserID, hash: String) throws {
        try db.run("UPDATE users SET password_hash = ? WHERE id = ?", hash, id.rawValue)
    }

    public func accountCount() throws -> Int { try db.scalar("SELECT count(*) FROM users", as: Int.self) }
}

@available(*, unavailable, message: "Owned by the core's database thread")
extension SQLiteAccountStore: Sendable {}
