import Crypto
import Foundation
import PorteroModel
import SQLite

/// An account's link to its identity at an OpenID provider.
public struct OIDCLink: Hashable, Sendable, Codable {
    public var user: Int64
    public var issuer: String
    public var subject: String
    /// The verified email the provider gave when the link was last used.
    public var email: String
    public var linkedAt: Timestamp
    public var lastUsed: Timestamp
}

/// A sign-in through the provider under way, as `takePending` hands it back (once).
public struct OIDCPending: Hashable, Sendable {
    public enum Step: String, Sendable { case authorize, secondFactor = "second_factor" }
    public var step: Step
    /// SHA-256 of the value of the browser's cookie that started it.
    public var browserHash: [UInt8]
    public var nonce: String
    public var verifier: String
    public var next: String
    public var user: UserID?
    public var createdAt: Timestamp

    public init(
        step: Step, browserHash: [UInt8], nonce: String, verifier: String, next: String, user: UserID?,
        createdAt: Timestamp
    ) {
        self.step = step
        self.browserHash = browserHash
        self.nonce = nonce
        self.verifier = verifier
        self.next = next
        self.user = user
        self.createdAt = createdAt
    }
}

/// Links between accounts and provider subjects, and the sign-ins under way.
public protocol OIDCStore {
    func link(of user: UserID, issuer: String) throws -> OIDCLink?
    func user(issuer: String, subject: String) throws -> UserID?
    /// Links `user` to `subject` (a new link; the caller has checked neither is linked).
    func addLink(_ user: UserID, issuer: String, subject: String, email: String, now: Timestamp) throws
    /// Notes a sign-in through the link: when, and the email the provider gave.
    func touchLink(issuer: String, subject: String, email: String, now: Timestamp) throws
    /// False when there was no link.
    func removeLink(of user: UserID, issuer: String) throws -> Bool
    /// Keeps a sign-in under way under SHA-256(`key`).
    func addPending(key: String, _ pending: OIDCPending) throws
    /// The sign-in kept under `key`, removed as it is read (single use); nil when unknown or
    /// older than `maxAgeSeconds`. Sign-ins past that age are swept at the same time.
    func takePending(key: String, now: Timestamp, maxAgeSeconds: Int64) throws -> OIDCPending?
}

public final class SQLOIDCStore: OIDCStore {
    let db: any SQLDatabase

    public init(connection: any SQLDatabase) { db = connection }

    static let linkColumns = "user_id, issuer, subject, email, linked_at, last_used"

    static func link(_ row: any SQLRow) throws -> OIDCLink {
        OIDCLink(
            user: try row.get(0), issuer: try row.get(1), subject: try row.get(2), email: try row.get(3),
            linkedAt: Timestamp(milliseconds: try row.get(4)), lastUsed: Timestamp(milliseconds: try row.get(5)))
    }

    public func link(of user: UserID, issuer: String) throws -> OIDCLink? {
        try db.queryFirst(
            "SELECT \(Self.linkColumns) FROM oidc_links WHERE user_id = ? AND issuer = ?", user.rawValue, issuer,
            map: Self.link)
    }

    public func user(issuer: String, subject: String) throws -> UserID? {
        try db.queryFirst(
            "SELECT user_id FROM oidc_links WHERE issuer = ? AND subject = ?", issuer, subject,
            map: { UserID(try $0.get(0) as Int64) })
    }

    public func addLink(_ user: UserID, issuer: String, subject: String, email: String, now: Timestamp) throws {
        try db.run(
            """
            INSERT INTO oidc_links (user_id, issuer, subject, email, linked_at, last_used) VALUES (?, ?, ?, ?, ?, ?)
            """, user.rawValue, issuer, subject, email, now.milliseconds, now.milliseconds)
    }

    public func touchLink(issuer: String, subject: String, email: String, now: Timestamp) throws {
        try db.run(
            "UPDATE oidc_links SET email = ?, last_used = ? WHERE issuer = ? AND subject = ?", email,
            now.milliseconds, issuer, subject)
    }

    public func removeLink(of user: UserID, issuer: String) throws -> Bool {
        try db.run("DELETE FROM oidc_links WHERE user_id = ? AND issuer = ?", user.rawValue, issuer) == 1
    }

    public func addPending(key: String, _ pending: OIDCPending) throws {
        try db.run(
            """
            INSERT INTO oidc_pending (key_hash, browser_hash, step, nonce, verifier, next, user_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, Digest.sha256(Array(key.utf8)), pending.browserHash, pending.step.rawValue, pending.nonce,
            pending.verifier, pending.next, pending.user?.rawValue, pending.createdAt.milliseconds)
    }

    public func takePending(key: String, now: Timestamp, maxAgeSeconds: Int64) throws -> OIDCPending? {
        let oldest = now.milliseconds - maxAgeSeconds * 1000
        let taken = try db.queryFirst(
            """
            DELETE FROM oidc_pending WHERE key_hash = ?
            RETURNING step, browser_hash, nonce, verifier, next, user_id, created_at
            """, Digest.sha256(Array(key.utf8)),
            map: { row in
                OIDCPending(
                    step: OIDCPending.Step(rawValue: try row.get(0)) ?? .authorize,
                    browserHash: row.bytes(1) ?? [], nonce: try row.get(2), verifier: try row.get(3),
                    next: try row.get(4), user: row.int64(5).map { UserID($0) },
                    createdAt: Timestamp(milliseconds: try row.get(6)))
            })
        try db.run("DELETE FROM oidc_pending WHERE created_at < ?", oldest)
        guard let taken, taken.createdAt.milliseconds >= oldest else { return nil }
        return taken
    }
}
