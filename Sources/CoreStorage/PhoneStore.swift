import Foundation
import PorteroModel
import SQLite

/// A member's phone that holds a pass key: the public half of the P-256 key the phone's browser
/// made (x ‖ y, 64 bytes). Revoked phones keep their row, so the trail can name them.
public struct MemberPhone: Hashable, Sendable {
    public var id: PhoneID
    public var user: UserID
    public var name: String
    public var publicKey: [UInt8]
    public var addedAt: Timestamp
    public var revokedAt: Timestamp?

    public var active: Bool { revokedAt == nil }
}

/// Members' pass phones. Every change is a change of the member for the feed, in the same
/// transaction, so a branch learns of a new or revoked phone within a second.
public protocol PhoneStore {
    /// The member's phones, active first, newest first.
    func phones(of user: UserID) throws -> [MemberPhone]
    func phone(_ id: PhoneID) throws -> MemberPhone?
    /// Records a new phone; refuses a sixth active one and a key another phone holds.
    func addPhone(of user: UserID, name: String, publicKey: [UInt8], now: Timestamp) throws -> MemberPhone
    /// Revokes it; false when it was unknown or already revoked.
    func revokePhone(_ id: PhoneID, now: Timestamp) throws -> Bool
}

public final class SQLPhoneStore: PhoneStore {
    let db: any SQLDatabase
    /// Phones a member may hold at once.
    public static let maximumActive = 5

    public init(connection: any SQLDatabase) {
        db = connection
    }

    static let columns = "id, user_id, name, public_key, added_at, revoked_at"

    static func phone(_ row: any SQLRow) throws -> MemberPhone {
        MemberPhone(
            id: PhoneID(try row.get(0)), user: UserID(try row.get(1)), name: try row.get(2),
            publicKey: row.bytes(3) ?? [], addedAt: Timestamp(milliseconds: try row.get(4)),
            revokedAt: row.int64(5).map(Timestamp.init(milliseconds:)))
    }

    public func phones(of user: UserID) throws -> [MemberPhone] {
        try db.query(
            """
            SELECT \(Self.columns) FROM member_phones WHERE user_id = ?
            ORDER BY revoked_at IS NOT NULL, id DESC
            """, user.rawValue, map: Self.phone)
    }

    public func phone(_ id: PhoneID) throws -> MemberPhone? {
        try db.queryFirst("SELECT \(Self.columns) FROM member_phones WHERE id = ?", id.rawValue, map: Self.phone)
    }

    public func addPhone(of user: UserID, name: String, publicKey: [UInt8], now: Timestamp) throws -> MemberPhone {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        // Code points, as JSON Schema and the table's CHECK count them.
        guard name.unicodeScalars.count <= 60, !trimmed.isEmpty else {
            throw AccountError(field: "name", problem: "1 to 60 characters")
        }
        guard publicKey.count == 64 else { throw AccountError(field: "x", problem: "not a P-256 public key") }
        return try db.transaction {
            // Two phones added at once on PostgreSQL: the second waits for the first's count.
            if db.dialect == .postgres {
                _ = try db.query("SELECT id FROM users WHERE id = ? FOR UPDATE", user.rawValue) {
                    try $0.get(0) as Int64
                }
            }
            let active = try db.scalar(
                "SELECT count(*) FROM member_phones WHERE user_id = ? AND revoked_at IS NULL", user.rawValue,
                as: Int64.self)
            guard active < Self.maximumActive else {
                throw AccountError.conflict(
                    "name", "already \(Self.maximumActive) phones hold a pass: revoke one first")
            }
            let id: Int64
            do {
                id = try db.attempt {
                    try db.scalar(
                        """
                        INSERT INTO member_phones (user_id, name, public_key, added_at) VALUES (?, ?, ?, ?)
                        RETURNING id
                        """, user.rawValue, trimmed, publicKey, now.milliseconds, as: Int64.self)
                }
            } catch let error as any SQLDatabaseError where error.isConstraintViolation {
                throw AccountError.conflict("x", "this key belongs to a phone already")
            }
            try recordChange(user.rawValue, now: now)
            return MemberPhone(
                id: PhoneID(id), user: user, name: trimmed, publicKey: publicKey, addedAt: now, revokedAt: nil)
        }
    }

    public func revokePhone(_ id: PhoneID, now: Timestamp) throws -> Bool {
        try db.transaction {
            guard
                let user: Int64 = try db.queryFirst(
                    "UPDATE member_phones SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING user_id",
                    now.milliseconds, id.rawValue, map: { try $0.get(0) })
            else { return false }
            try recordChange(user, now: now)
            return true
        }
    }

    /// The member changed, for the feed.
    func recordChange(_ user: Int64, now: Timestamp) throws {
        try db.run("INSERT INTO change_log (at, entity, entity_id) VALUES (?, 'user', ?)", now.milliseconds, user)
    }
}
