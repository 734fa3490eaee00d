import Crypto
import Foundation
import PorteroModel
import SQLite
import SyncWire

/// A branch controller as the core knows it.
public struct Device: Hashable, Sendable, Codable {
    public var id: Int64
    public var branch: BranchID
    public var name: String
    public var createdAt: Timestamp
    public var enrolledAt: Timestamp?
    public var revokedAt: Timestamp?
    /// Until when the current enrolment code may be used (nil: none outstanding).
    public var enrollmentExpiresAt: Timestamp?
    public var lastSeen: Timestamp?
    /// What the device reported on its last contact.
    public var softwareVersion: String?
    public var replicaAgeSeconds: Int64?
    public var outboxDepth: Int64?
    /// Each door's mode as the device last reported it.
    public var doorModes: [SyncDoorState]?
}

/// Why an enrolment or a device token was refused. Never says which part was wrong.
public enum DeviceAuthFailure: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidOrExpiredCode
    case invalidOrRevokedToken

    public var description: String {
        switch self {
        case .invalidOrExpiredCode: "the enrolment code is wrong, used or expired; ask for a new one"
        case .invalidOrRevokedToken: "the device token is unknown or the device was revoked"
        }
    }
}

/// Devices storage.
public protocol DeviceStore {
    /// Registers a device at `branch` and returns it with a one-time enrolment code.
    func register(branch: BranchID, name: String, now: Timestamp, validFor seconds: Int64) throws -> (
        Device, code: String
    )
    /// A new enrolment code for an existing, not revoked device (the old token stops working).
    func reissueCode(_ id: Int64, now: Timestamp, validFor seconds: Int64) throws -> String?
    /// Trades a code for the device token (shown once).
    func enroll(code: String, now: Timestamp) throws -> (Device, token: String)
    func revoke(_ id: Int64, now: Timestamp) throws -> Bool
    /// The device behind a token, its last contact recorded.
    func device(bearer token: String, now: Timestamp) throws -> Device
    func device(_ id: Int64) throws -> Device?
    func devices(in branches: Set<BranchID>?) throws -> [Device]
    func report(
        _ id: Int64, softwareVersion: String?, replicaAgeSeconds: Int64?, outboxDepth: Int64?,
        doorModes: [SyncDoorState]?, now: Timestamp
    ) throws
    /// Devices silent since before `cutoff` and not yet reported, marked reported.
    func takeNewlyOffline(before cutoff: Timestamp) throws -> [Device]
    /// Devices reported offline that have been heard from since `cutoff`, marked back.
    func takeBackOnline(since cutoff: Timestamp) throws -> [Device]
    /// Devices whose reported replica age passed `seconds` and not yet reported, marked reported;
    /// a device back under the bound is re-armed.
    func takeNewlyStale(olderThan seconds: Int64) throws -> [Device]
}

/// The device store in the core's SQLite database.
public final class SQLDeviceStore: DeviceStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) throws {
        db = connection
    }

    package static let columns =
        "id, branch_id, name, created_at, enrolled_at, revoked_at, enrollment_expires_at, last_seen, software_version, "
        + "replica_age_seconds, outbox_depth, door_modes"

    package static func device(_ row: Row) throws -> Device {
        Device(
            id: try row.get(0), branch: BranchID(try row.get(1)), name: try row.get(2),
            createdAt: Timestamp(milliseconds: try row.get(3)),
            enrolledAt: row.int64(4).map(Timestamp.init(milliseconds:)),
            revokedAt: row.int64(5).map(Timestamp.init(milliseconds:)),
            enrollmentExpiresAt: row.int64(6).map(Timestamp.init(milliseconds:)),
            lastSeen: row.int64(7).map(Timestamp.init(milliseconds:)),
            softwareVersion: try row.get(8), replicaAgeSeconds: row.int64(9), outboxDepth: row.int64(10),
            doorModes: (try row.get(11) as String?).flatMap {
                try? JSONDecoder().decode([SyncDoorState].self, from: Data($0.utf8))
            })
    }

    /// Codes are 10 Base32 characters (50 bits) in two groups, easy to read aloud and type;
    /// a guess has no real chance within a code's life and the throttle's limits.
    package static func newCode() throws -> String {
        let text = Base32.encode(try SecureRandom.bytes(7)).prefix(10)
        return text.prefix(5) + "-" + text.suffix(5)
    }

    package static func codeHash(_ code: String) -> [UInt8] {
        Digest.sha256(Array(code.uppercased().filter { $0 != "-" && $0 != " " }.utf8))
    }

    public func register(branch: BranchID, name: String, now: Timestamp, validFor seconds: Int64) throws -> (
        Device, code: String
    ) {
        try FieldRules.checkName(name, field: "name", required: true)
        let code = try Self.newCode()
        let id: Int64
        do {
            id = try db.attempt {
                try db.scalar(
                    "INSERT INTO devices (branch_id, name, created_at, enrollment_code_hash, enrollment_expires_at) "
                        + "VALUES (?, ?, ?, ?, ?) RETURNING id",
                    branch.rawValue, name, now.milliseconds, Self.codeHash(code), now.milliseconds + seconds * 1000,
                    as: Int64.self)
            }
        } catch let error as any SQLDatabaseError where error.isConstraintViolation {
            let exists = try db.scalar("SELECT count(*) FROM branches WHERE id = ?", branch.rawValue, as: Int.self) > 0
            throw AccountError(
                field: exists ? "name" : "branch",
                problem: exists ? "a device of this branch has that name" : "no branch \(branch)",
                kind: exists ? .conflict : .notFound)
        }
        guard let device = try device(id) else { throw DeviceAuthFailure.invalidOrExpiredCode }
        return (device, code)
    }

    public func reissueCode(_ id: Int64, now: Timestamp, validFor seconds: Int64) throws -> String? {
        let code = try Self.newCode()
        let changed = try db.run(
            """
            UPDATE devices SET enrollment_code_hash = ?, enrollment_expires_at = ?, token_hash = NULL,
                enrolled_at = NULL
            WHERE id = ? AND revoked_at IS NULL
            """, Self.codeHash(code), now.milliseconds + seconds * 1000, id)
        return changed == 1 ? code : nil
    }

    public func enroll(code: String, now: Timestamp) throws -> (Device, token: String) {
        let token = "pd_" + Authenticator.base64URL(try SecureRandom.bytes(32))
        return try db.transaction {
            guard
                let id: Int64 = try db.queryFirst(
                    """
                    SELECT id FROM devices WHERE enrollment_code_hash = ? AND enrollment_expires_at > ?
                        AND revoked_at IS NULL
                    """, Self.codeHash(code), now.milliseconds, map: { try $0.get(0) })
            else {
                throw DeviceAuthFailure.invalidOrExpiredCode
            }
            // The code is spent: one code, one token.
            try db.run(
                """
                UPDATE devices SET token_hash = ?, enrolled_at = ?, last_seen = ?, enrollment_code_hash = NULL,
                    enrollment_expires_at = NULL WHERE id = ?
                """, Digest.sha256(Array(token.utf8)), now.milliseconds, now.milliseconds, id)
            guard let device = try device(id) else { throw DeviceAuthFailure.invalidOrExpiredCode }
            return (device, token)
        }
    }

    public func revoke(_ id: Int64, now: Timestamp) throws -> Bool {
        let changed = try db.run(
            "UPDATE devices SET revoked_at = ?, token_hash = NULL, enrollment_code_hash = NULL WHERE id = ? "
                + "AND revoked_at IS NULL",
            now.milliseconds, id)
        return changed == 1
    }

    public func device(bearer token: String, now: Timestamp) throws -> Device {
        guard token.hasPrefix("pd_"),
            let found = try db.queryFirst(
                "SELECT \(Self.columns) FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
                Digest.sha256(Array(token.utf8)), map: Self.device)
        else {
            throw DeviceAuthFailure.invalidOrRevokedToken
        }
        // Last contact moves at most every ten seconds, so a long-polling fleet does not write per request.
        if now.milliseconds - (found.lastSeen?.milliseconds ?? 0) >= 10_000 {
            try db.run(
                "UPDATE devices SET last_seen = ? WHERE id = ?", now.milliseconds, found.id)
        }
        return found
    }

    public func device(_ id: Int64) throws -> Device? {
        try db.queryFirst("SELECT \(Self.columns) FROM devices WHERE id = ?", id, map: Self.device)
    }

    public func devices(in branches: Set<BranchID>?) throws -> [Device] {
        guard let branches else {
            return try db.query("SELECT \(Self.columns) FROM devices ORDER BY id", map: Self.device)
        }
        return try db.query(
            "SELECT \(Self.columns) FROM devices WHERE branch_id IN (\(db.dialect.integers(in: "?"))) ORDER BY id",
            "[" + branches.map { String($0.rawValue) }.joined(separator: ",") + "]", map: Self.device)
    }

    public func report(
        _ id: Int64, softwareVersion: String?, replicaAgeSeconds: Int64?, outboxDepth: Int64?,
        doorModes: [SyncDoorState]?, now: Timestamp
    ) throws {
        let modes = try doorModes.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.run(
            """
            UPDATE devices SET last_seen = ?, software_version = coalesce(?, software_version),
                replica_age_seconds = coalesce(?, replica_age_seconds),
            outbox_depth = coalesce(?, outbox_depth), door_modes = coalesce(?, door_modes) WHERE id = ?
            """, now.milliseconds, softwareVersion.map { String($0.prefix(64)) }, replicaAgeSeconds, outboxDepth, modes,
            id)
    }

    public func takeNewlyOffline(before cutoff: Timestamp) throws -> [Device] {
        let found = try db.query(
            """
            SELECT \(Self.columns) FROM devices WHERE token_hash IS NOT NULL AND revoked_at IS NULL AND last_seen < ?
                AND offline_notified = 0
            """, cutoff.milliseconds, map: Self.device)
        for device in found { try db.run("UPDATE devices SET offline_notified = 1 WHERE id = ?", device.id) }
        return found
    }

    public func takeBackOnline(since cutoff: Timestamp) throws -> [Device] {
        let found = try db.query(
            "SELECT \(Self.columns) FROM devices WHERE offline_notified = 1 AND last_seen >= ?", cutoff.milliseconds,
            map: Self.device)
        for device in found { try db.run("UPDATE devices SET offline_notified = 0 WHERE id = ?", device.id) }
        return found
    }

    public func takeNewlyStale(olderThan seconds: Int64) throws -> [Device] {
        try db.run(
            "UPDATE devices SET stale_notified = 0 WHERE stale_notified = 1 AND coalesce(replica_age_seconds, 0) <= ?",
            seconds)
        let found = try db.query(
            """
            SELECT \(Self.columns) FROM devices WHERE revoked_at IS NULL AND replica_age_seconds > ?
                AND stale_notified = 0
            """, seconds, map: Self.device)
        for device in found { try db.run("UPDATE devices SET stale_notified = 1 WHERE id = ?", device.id) }
        return found
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLDeviceStore: Sendable {}
