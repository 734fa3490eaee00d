import Crypto
import Foundation
import PorteroModel
import SQLite

/// Sessions opened by an OpenID provider's word instead of a password: the same lockouts, the
/// same second factor, the same session and audit row as a password sign-in.
extension Authenticator {
    /// The throttle's keys for a sign-in of `account` from `address`: the account as a password
    /// sign-in would name it (by username or by email) and the address.
    private func throttleKeys(_ account: Account, _ address: String) -> [String] {
        ["account:" + account.username.lowercased(), "account:" + account.email.lowercased(), "address:" + address]
    }

    /// Throws `lockedOut` while the account or the address is locked out.
    public func checkNotLockedOut(_ account: Account?, address: String, now: Timestamp) throws {
        let keys = account.map { throttleKeys($0, address) } ?? ["address:" + address]
        for key in keys {
            if let until = throttle.lockedUntil(key), now.seconds < until {
                throw AuthFailure.lockedOut(retryAfterSeconds: until - now.seconds)
            }
        }
    }

    /// Counts a refused sign-in against the address (and the account, when known).
    public func recordRefusal(_ account: Account?, address: String, now: Timestamp) throws {
        let policy = try self.policy
        let keys = account.map { throttleKeys($0, address) } ?? ["address:" + address]
        for key in keys {
            let limit = key.hasPrefix("address:") ? policy.maxFailuresPerAddress : policy.maxFailuresPerAccount
            throttle.recordFailure(
                key, limit: limit, now: now.seconds, window: policy.failureWindowSeconds,
                lockout: policy.lockoutSeconds)
        }
    }

    /// True when the account has a second factor to ask for.
    public func hasSecondFactor(_ user: UserID, now: Timestamp) throws -> Bool {
        try !checkSecondFactor(user, code: nil, now: now)
    }

    /// Checks the second factor of a sign-in the provider vouched for; a wrong code counts
    /// against the account and the address like a wrong password.
    public func checkSecondFactor(_ account: Account, code: String, address: String, now: Timestamp) throws -> Bool {
        if try checkSecondFactor(account.id, code: code, now: now) { return true }
        try recordRefusal(account, address: address, now: now)
        return false
    }

    /// Opens a session for `account` (active, checked by the caller) and audits it like a
    /// password sign-in, with `method` in the row.
    public func openSession(for account: Account, address: String, method: String, now: Timestamp) throws
        -> (token: String, session: Session)
    {
        for key in throttleKeys(account, address) where key.hasPrefix("account:") { throttle.forget(key) }
        let token = Self.base64URL(try SecureRandom.bytes(32))
        let csrf = Self.base64URL(try SecureRandom.bytes(24))
        try db.run(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
            Digest.sha256(Array(token.utf8)), account.id.rawValue, csrf, now.milliseconds, now.milliseconds)
        _ = try audit.append(
            actor: "user:\(account.id)", action: "login.success", target: "user:\(account.id)",
            changes: AuditChanges.json(["address": address, "method": method]), concerning: account.branches,
            at: now)
        return (token, Session(account: account, csrfToken: csrf))
    }
}
