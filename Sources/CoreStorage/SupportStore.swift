import Crypto
import Foundation
import PorteroModel
import SQLite

/// The support user behind an assisted session, as every request of that session sees it.
public struct Assistance: Hashable, Sendable {
    /// The support request the session belongs to.
    public var id: Int64
    public var supportUser: UserID
    public var supportName: String
    /// The session ends here, whatever the activity.
    public var endsAt: Timestamp

    public init(id: Int64, supportUser: UserID, supportName: String, endsAt: Timestamp) {
        self.id = id
        self.supportUser = supportUser
        self.supportName = supportName
        self.endsAt = endsAt
    }
}

/// The rules of assisted sessions (seed 001).
public enum SupportPolicy {
    /// How long the emailed code works.
    public static let codeSeconds: Int64 = 10 * 60
    /// Wrong codes (from either side) after which a request is void.
    public static let maximumFailures = 5
    /// The longest an assisted session lasts; the chain may set less.
    public static let maximumMinutes = 5
    /// Digits of the emailed code.
    public static let codeDigits = 8

    /// A new code: `codeDigits` decimal digits, uniformly drawn.
    public static func newCode() throws -> String {
        let modulus: UInt32 = 100_000_000
        // The largest multiple of the modulus below 2^32: draws at or above it are redrawn.
        let limit = UInt32.max - UInt32.max % modulus
        while true {
            let bytes = try SecureRandom.bytes(4)
            let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if value < limit {
                let text = String(value % modulus)
                return String(repeating: "0", count: codeDigits - text.count) + text
            }
        }
    }

    /// What is stored of a code.
    public static func hash(_ code: String) -> [UInt8] { Digest.sha256(Array("portero-support:\(code)".utf8)) }
}

/// A support user's request to act for a user, and the assisted session it becomes.
public struct SupportRequest: Hashable, Sendable {
    public enum Status: String, Sendable, CaseIterable {
        /// The code is emailed; the user has not entered it.
        case pending
        /// The user entered the code (consent); the support user has not.
        case consented
        /// Both entered it: the support user acts for the user until `endsAt`.
        case active
        case ended, declined, cancelled
        /// Too many wrong codes.
        case void
        /// The code's time passed before both entered it.
        case expired

        /// Still waiting for a code or running.
        public var isOpen: Bool { self == .pending || self == .consented || self == .active }
    }
    public var id: Int64
    public var supportUser: UserID
    public var supportName: String
    public var user: UserID
    public var userName: String
    public var userEmail: String
    public var status: Status
    public var failures: Int
    public var createdAt: Timestamp
    public var codeExpiresAt: Timestamp
    public var consentedAt: Timestamp?
    public var startedAt: Timestamp?
    public var endsAt: Timestamp?
    public var endedAt: Timestamp?
    /// user, support, deadline or admin.
    public var endedBy: String?
    public var reason: String

    /// The status as of `now`: a running session past its end reads as ended, a code past its
    /// time as expired (the row catches up on the next write about it).
    public func status(at now: Timestamp) -> Status {
        switch status {
        case .active: if let endsAt, now >= endsAt { return .ended }
        case .pending, .consented: if now >= codeExpiresAt { return .expired }
        default: break
        }
        return status
    }
}

/// Which side entered a code.
public enum SupportSide: String, Sendable {
    case user, support
}

/// Why a code was refused: the HTTP status and the message the API answers with.
public struct SupportRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public let status: Int
    public let reason: String
    /// The audit action's last word (`support.code_<kind>`).
    public let kind: String
    public var description: String { reason }
}

/// Support requests in the core's database. Every change is the caller's to audit, in the
/// caller's transaction.
public protocol SupportStore {
    /// A new request with a fresh code (returned once; only its hash is kept).
    func create(support: UserID, user: UserID, now: Timestamp) throws -> (request: SupportRequest, code: String)
    func request(_ id: Int64) throws -> SupportRequest?
    /// The user's open requests (pending, consented, active), newest first.
    func open(for user: UserID) throws -> [SupportRequest]
    /// The newest requests first; with `users`, only those for one of them.
    func recent(limit: Int, users: Set<Int64>?) throws -> [SupportRequest]
    /// Checks a code entered by `side`. A wrong code is counted (the fifth voids the request); an
    /// expired one marks the request expired. The user's right code records consent; the
    /// support user's, once the user has consented, starts the session for `minutes`.
    func enter(_ code: String, request id: Int64, side: SupportSide, minutes: Int, now: Timestamp) throws
        -> Result<SupportRequest, SupportRefusal>
    /// Ends an open request (`status`: ended, declined or cancelled) and any session of it.
    func end(_ id: Int64, as status: SupportRequest.Status, by: String, reason: String, now: Timestamp) throws
        -> SupportRequest?
}

public final class SQLSupportStore: SupportStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) { db = connection }

    static let columns = """
        r.id, r.support_user_id, s.name || ' ' || s.paternal_surname, r.user_id, u.name || ' ' || u.paternal_surname,
        u.email, r.status, r.failures, r.created_at, r.code_expires_at, r.consented_at, r.started_at, r.ends_at,
        r.ended_at, r.ended_by, r.reason
        FROM support_requests r JOIN users s ON s.id = r.support_user_id JOIN users u ON u.id = r.user_id
        """

    static func request(_ row: any SQLRow) throws -> SupportRequest {
        func time(_ column: Int32) -> Timestamp? { row.int64(column).map { Timestamp(milliseconds: $0) } }
        return SupportRequest(
            id: try row.get(0), supportUser: UserID(try row.get(1) as Int64), supportName: try row.get(2),
            user: UserID(try row.get(3) as Int64), userName: try row.get(4), userEmail: try row.get(5),
            status: SupportRequest.Status(rawValue: try row.get(6)) ?? .void, failures: Int(try row.get(7) as Int64),
            createdAt: Timestamp(milliseconds: try row.get(8)), codeExpiresAt: Timestamp(milliseconds: try row.get(9)),
            consentedAt: time(10), startedAt: time(11), endsAt: time(12), endedAt: time(13),
            endedBy: row.isNull(14) ? nil : try row.get(14), reason: try row.get(15))
    }

    public func create(support: UserID, user: UserID, now: Timestamp) throws
        -> (request: SupportRequest, code: String)
    {
        try db.transaction {
            // A request left open past its time does not hold the user's one open place.
            try expireStale(user: user, now: now)
            let open: Int64 = try db.scalar(
                """
                SELECT count(*) FROM support_requests
                WHERE user_id = ? AND status IN ('pending', 'consented', 'active')
                """, user.rawValue)
            guard open == 0 else {
                throw AccountError.conflict("email", "this user already has an open support request")
            }
            let code = try SupportPolicy.newCode()
            let id = try db.scalar(
                """
                INSERT INTO support_requests (support_user_id, user_id, code_hash, status, created_at, code_expires_at)
                VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id
                """, support.rawValue, user.rawValue, SupportPolicy.hash(code), now.milliseconds,
                now.milliseconds + SupportPolicy.codeSeconds * 1000, as: Int64.self)
            guard let request = try request(id) else { throw AccountError.notFound("id", "no such request") }
            return (request, code)
        }
    }

    /// Marks the user's requests whose code expired before both entered it (a session over is
    /// ended, with its audit row, by `Authenticator.endAssistanceAtDeadline`).
    private func expireStale(user: UserID, now: Timestamp) throws {
        try db.run(
            """
            UPDATE support_requests SET status = 'expired', ended_at = code_expires_at
            WHERE user_id = ? AND status IN ('pending', 'consented') AND code_expires_at <= ?
            """, user.rawValue, now.milliseconds)
    }

    public func request(_ id: Int64) throws -> SupportRequest? {
        try db.queryFirst("SELECT \(Self.columns) WHERE r.id = ?", id) { try Self.request($0) }
    }

    public func open(for user: UserID) throws -> [SupportRequest] {
        try db.query(
            "SELECT \(Self.columns) WHERE r.user_id = ? AND r.status IN ('pending', 'consented', 'active') "
                + "ORDER BY r.id DESC", user.rawValue
        ) { try Self.request($0) }
    }

    public func recent(limit: Int, users: Set<Int64>?) throws -> [SupportRequest] {
        if let users {
            guard !users.isEmpty else { return [] }
            let list = users.sorted().map(String.init).joined(separator: ",")
            return try db.query(
                "SELECT \(Self.columns) WHERE r.user_id IN (\(list)) ORDER BY r.id DESC LIMIT ?", Int64(limit)
            ) { try Self.request($0) }
        }
        return try db.query("SELECT \(Self.columns) ORDER BY r.id DESC LIMIT ?", Int64(limit)) {
            try Self.request($0)
        }
    }

    public func enter(_ code: String, request id: Int64, side: SupportSide, minutes: Int, now: Timestamp) throws
        -> Result<SupportRequest, SupportRefusal>
    {
        try db.transaction {
            // The row is locked before it is read: on PostgreSQL two desks (a consent and a
            // decline, two confirms, two wrong codes) then take turns, each reading what the other
            // wrote, as SQLite's single writer already makes them.
            try db.run("UPDATE support_requests SET failures = failures WHERE id = ?", id)
            guard let found = try request(id),
                let hash: [UInt8] = try db.queryFirst(
                    "SELECT code_hash FROM support_requests WHERE id = ?", id, map: { $0.bytes(0) ?? [] })
            else { return .failure(SupportRefusal(status: 404, reason: "no such support request", kind: "unknown")) }
            switch found.status(at: now) {
            case .pending, .consented: break
            case .expired:
                try db.run(
                    "UPDATE support_requests SET status = 'expired', ended_at = code_expires_at WHERE id = ?", id)
                return .failure(
                    SupportRefusal(
                        status: 410, reason: "field \"code\": the code has expired; start a new request",
                        kind: "expired"))
            case .void:
                return .failure(
                    SupportRefusal(
                        status: 410, reason: "field \"code\": too many wrong codes; start a new request", kind: "void"))
            default:
                return .failure(
                    SupportRefusal(
                        status: 409, reason: "field \"code\": the code was already used or the request is closed",
                        kind: "reused"))
            }
            guard constantTimeEquals(SupportPolicy.hash(code), hash) else {
                let failures = found.failures + 1
                let void = failures >= SupportPolicy.maximumFailures
                try db.run(
                    "UPDATE support_requests SET failures = ?, status = ?, ended_at = ? WHERE id = ?", Int64(failures),
                    void ? "void" : found.status.rawValue, void ? now.milliseconds : nil, id)
                let left = SupportPolicy.maximumFailures - failures
                return .failure(
                    SupportRefusal(
                        status: void ? 410 : 403,
                        reason: void
                            ? "field \"code\": wrong code; too many wrong codes, the request is void"
                            : "field \"code\": wrong code; \(left) attempt\(left == 1 ? "" : "s") left",
                        kind: "wrong"))
            }
            switch (side, found.status) {
            case (.user, .pending):
                try db.run(
                    "UPDATE support_requests SET status = 'consented', consented_at = ? WHERE id = ?",
                    now.milliseconds, id)
            case (.support, .consented):
                let length = Int64(max(1, min(minutes, SupportPolicy.maximumMinutes))) * 60_000
                try db.run(
                    "UPDATE support_requests SET status = 'active', started_at = ?, ends_at = ? WHERE id = ?",
                    now.milliseconds, now.milliseconds + length, id)
            case (.support, _):
                return .failure(
                    SupportRefusal(
                        status: 409, reason: "field \"code\": the user has not entered the code yet; ask them to",
                        kind: "early"))
            default:
                return .failure(
                    SupportRefusal(
                        status: 409, reason: "field \"code\": the code was already used", kind: "reused"))
            }
            return .success(try request(id) ?? found)
        }
    }

    public func end(_ id: Int64, as status: SupportRequest.Status, by: String, reason: String, now: Timestamp) throws
        -> SupportRequest?
    {
        try db.transaction {
            let changed = try db.run(
                """
                UPDATE support_requests SET status = ?, ended_at = ?, ended_by = ?, reason = ?
                WHERE id = ? AND status IN ('pending', 'consented', 'active')
                """, status.rawValue, now.milliseconds, by, reason, id)
            guard changed == 1 else { return nil }
            try db.run("DELETE FROM sessions WHERE assistance_id = ?", id)
            return try request(id)
        }
    }
}
