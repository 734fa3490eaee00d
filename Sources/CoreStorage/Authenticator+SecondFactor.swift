import Crypto
import Foundation
import PorteroModel
import SQLite

/// The second factor: TOTP (RFC 6238) and one-time recovery codes.
extension Authenticator {
    /// A new TOTP secret for `user` to scan (`otpauth://` URI); it takes effect only once confirmed.
    public func newTOTPSecret(for account: Account) throws -> (secret: [UInt8], uri: String) {
        let secret = try SecureRandom.bytes(20)
        let label =
            "Portero:\(account.username)".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "Portero"
        return (secret, "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=Portero&digits=6&period=30")
    }

    /// Turns the second factor on once a code from the authenticator app proves the secret was
    /// scanned; returns ten one-time recovery codes, shown this once.
    public func enableTOTP(for user: UserID, secret: [UInt8], code: String, now: Timestamp) throws -> [String] {
        let otp = try OneTimePassword(secret: secret)
        guard let step = otp.verify(code, at: now.seconds) else { throw AuthFailure.invalidCredentials }
        let codes = try (0..<10).map { _ in Base32.encode(try SecureRandom.bytes(5)).lowercased() }
        try db.transaction {
            try db.run(
                "UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?", secret, Int64(step), user.rawValue)
            try db.run("DELETE FROM recovery_codes WHERE user_id = ?", user.rawValue)
            for code in codes {
                try db.run(
                    "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", user.rawValue,
                    Digest.sha256(Array(code.utf8)))
            }
        }
        _ = try audit.append(
            actor: "user:\(user)", action: "totp.enable", target: "user:\(user)", changes: "{}",
            concerning: try branches(of: user), at: now)
        return codes
    }

    /// True when the account has no second factor, or `code` is a current TOTP not used before, or
    /// an unused recovery code (which is then spent).
    package func checkSecondFactor(_ user: UserID, code: String?, now: Timestamp) throws -> Bool {
        guard
            let row: ([UInt8]?, Int64?) = try db.queryFirst(
                "SELECT totp_secret, totp_last_step FROM users WHERE id = ?", user.rawValue,
                map: { ($0.bytes(0), $0.int64(1)) }), let secret = row.0
        else { return true }
        guard let code else { return false }
        if let step = try OneTimePassword(secret: secret).verify(
            code, at: now.seconds, lastUsedCounter: row.1.map { UInt64($0) })
        {
            try db.run("UPDATE users SET totp_last_step = ? WHERE id = ?", Int64(step), user.rawValue)
            return true
        }
        let changed = try db.run(
            "DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?", user.rawValue,
            Digest.sha256(Array(code.lowercased().utf8)))
        return changed == 1
    }
}
