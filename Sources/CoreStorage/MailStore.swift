import Crypto
import Foundation
import PorteroModel
import SQLite

/// A message in the outbox, with where its delivery stands (the delivery log).
public struct OutboxMessage: Hashable, Sendable, Codable {
    public var id: Int64
    public var user: Int64?
    public var recipient: String
    public var kind: String
    public var subject: String
    public var body: String
    /// queued, sent or failed (given up after `MailPolicy.maximumAttempts`).
    public var status: String
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    public var lastError: String
    public var createdAt: Timestamp
    public var sentAt: Timestamp?
}

/// How often a message is tried, and how long a reset link lasts.
public enum MailPolicy {
    /// After this many failed attempts a message is given up (about a day of retries).
    public static let maximumAttempts = 10
    /// The wait after the nth failed attempt: a minute, doubling, at most four hours.
    public static func backoffSeconds(afterAttempt attempt: Int) -> Int64 {
        min(60 << Int64(max(0, min(attempt - 1, 12))), 4 * 3_600)
    }
    /// A claimed message is not taken again by another sender for this long.
    public static let claimSeconds: Int64 = 120
    /// How long a password reset link works.
    public static let resetLinkSeconds: Int64 = 30 * 60
}

/// The outbox, and password reset links. Enqueueing and the change that asks for the message
/// share the caller's transaction.
public protocol MailStore {
    func enqueue(user: Int64?, to recipient: String, kind: String, subject: String, body: String, now: Timestamp)
        throws -> Int64
    /// Claims the next queued message due at `now` (no other sender takes it for a while).
    func claimDue(now: Timestamp) throws -> OutboxMessage?
    /// Marks a message sent; its body is blanked (a reset link must not outlive its delivery).
    func markSent(_ id: Int64, now: Timestamp) throws
    /// Records a failed attempt: retried later with backoff, or given up after the last attempt.
    /// Returns true when the message is given up.
    func markFailed(_ id: Int64, error: String, now: Timestamp) throws -> Bool
    /// The newest messages first, to `users` only when given.
    func recent(limit: Int, users: Set<Int64>?) throws -> [OutboxMessage]
    /// Makes a reset link's token for `user`, valid for `MailPolicy.resetLinkSeconds`.
    func createReset(for user: UserID, now: Timestamp) throws -> String
    /// Spends a reset token: the user it was made for, or nil when it is unknown, used or expired.
    func consumeReset(_ token: String, now: Timestamp) throws -> UserID?
    /// True when `token` is a reset link's, not used and not expired (nothing is spent).
    func resetIsOpen(_ token: String, now: Timestamp) throws -> Bool
}

public final class SQLMailStore: MailStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) throws { db = connection }

    static let columns = """
        id, user_id, recipient, kind, subject, body, status, attempts, next_attempt_at, last_error, created_at, sent_at
        """

    static func message(_ row: any SQLRow) throws -> OutboxMessage {
        OutboxMessage(
            id: try row.get(0), user: row.int64(1), recipient: try row.get(2), kind: try row.get(3),
            subject: try row.get(4), body: try row.get(5), status: try row.get(6), attempts: try row.get(7),
            nextAttemptAt: Timestamp(milliseconds: try row.get(8)), lastError: try row.get(9),
            createdAt: Timestamp(milliseconds: try row.get(10)),
            sentAt: row.int64(11).map { Timestamp(milliseconds: $0) })
    }

    public func enqueue(user: Int64?, to recipient: String, kind: String, subject: String, body: String, now: Timestamp)
        throws -> Int64
    {
        try db.scalar(
            """
            INSERT INTO mail_outbox (user_id, recipient, kind, subject, body, status, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, 'queued', ?, ?) RETURNING id
            """, user, recipient, kind, subject, body, now.milliseconds, now.milliseconds, as: Int64.self)
    }

    public func claimDue(now: Timestamp) throws -> OutboxMessage? {
        // A conditional update claims it: of two senders (two core instances), one wins.
        while let candidate = try db.queryFirst(
            """
            SELECT id, next_attempt_at FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= ?
            ORDER BY next_attempt_at, id LIMIT 1
            """, now.milliseconds, map: { (try $0.get(0) as Int64, try $0.get(1) as Int64) })
        {
            let claimed = try db.queryFirst(
                """
                UPDATE mail_outbox SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ? AND status = 'queued'
                RETURNING \(Self.columns)
                """, now.milliseconds + MailPolicy.claimSeconds * 1_000, candidate.0, candidate.1, map: Self.message)
            if let claimed { return claimed }
        }
        return nil
    }

    public func markSent(_ id: Int64, now: Timestamp) throws {
        try db.run(
            """
            UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = '', body = ''
            WHERE id = ?
            """,
            now.milliseconds, id)
    }

    public func markFailed(_ id: Int64, error: String, now: Timestamp) throws -> Bool {
        guard
            let attempts = try db.queryFirst(
                "SELECT attempts FROM mail_outbox WHERE id = ?", id, map: { try $0.get(0) as Int })
        else { return false }
        let attempt = attempts + 1
        let givenUp = attempt >= MailPolicy.maximumAttempts
        try db.run(
            """
            UPDATE mail_outbox SET attempts = ?, last_error = ?, status = ?, next_attempt_at = ?,
                body = CASE WHEN ? = 1 THEN '' ELSE body END
            WHERE id = ?
            """, attempt, String(error.prefix(500)), givenUp ? "failed" : "queued",
            now.milliseconds + MailPolicy.backoffSeconds(afterAttempt: attempt) * 1_000, givenUp ? 1 : 0, id)
        return givenUp
    }

    public func recent(limit: Int, users: Set<Int64>?) throws -> [OutboxMessage] {
        let scope = users.map { Array($0).sorted() }
        return try db.query(
            """
            SELECT \(Self.columns) FROM mail_outbox
            WHERE ? = 1 OR user_id IN (\(db.dialect.integers(in: "?")))
            ORDER BY id DESC LIMIT ?
            """, scope == nil ? 1 : 0, "[" + (scope ?? []).map(String.init).joined(separator: ",") + "]", limit,
            map: Self.message)
    }

    public func createReset(for user: UserID, now: Timestamp) throws -> String {
        let token = Authenticator.base64URL(try SecureRandom.bytes(32))
        try db.run(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            Digest.sha256(Array(token.utf8)), user.rawValue, now.milliseconds,
            now.milliseconds + MailPolicy.resetLinkSeconds * 1_000)
        return token
    }

    public func resetIsOpen(_ token: String, now: Timestamp) throws -> Bool {
        guard token.utf8.count <= 100 else { return false }
        return try db.queryFirst(
            "SELECT 1 FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            Digest.sha256(Array(token.utf8)), now.milliseconds, map: { _ in true }) ?? false
    }

    public func consumeReset(_ token: String, now: Timestamp) throws -> UserID? {
        guard token.utf8.count <= 100 else { return nil }
        return try db.queryFirst(
            """
            UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
            RETURNING user_id
            """, now.milliseconds, Digest.sha256(Array(token.utf8)), now.milliseconds,
            map: { UserID(try $0.get(0)) })
    }
}
