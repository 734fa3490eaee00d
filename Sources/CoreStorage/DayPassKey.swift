import Crypto
import Foundation
import PorteroModel
import SQLite

/// Headquarters' key for day and guest passes: a P-256 key made the first time a pass is issued
/// and kept in the core's database (`core_meta`), never sent anywhere; the branches get its public
/// half with their setup and check each printed code with it, offline.
public enum DayPassKey {
    static let metaKey = "day_pass_key"

    /// The key, made and kept on first use (when two instances race, the first one kept wins).
    static func signingKey(_ db: any SQLDatabase) throws -> SigningKey {
        if let kept = try stored(db) { return kept }
        let made = try SigningKey.p256()
        let hex = Hex.encode(try made.der())
        let kept = try db.run(
            "INSERT INTO core_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", metaKey, hex)
        if kept > 0 {
            // Every branch's setup now carries the public half.
            try db.run(
                "INSERT INTO change_log (at, entity, entity_id) VALUES (?, 'branch_setup', 0)",
                Timestamp.now().milliseconds)
        }
        guard kept > 0 else {
            // Another instance kept its key first: that one signs.
            guard let theirs = try stored(db) else { throw DayPassKeyError() }
            return theirs
        }
        return made
    }

    /// The kept key cannot be read back: passes are not signed with a key nobody can check.
    struct DayPassKeyError: Error, CustomStringConvertible {
        var description: String {
            "core_meta.\(DayPassKey.metaKey) does not hold a P-256 key in hexadecimal DER; restore it from a backup"
        }
    }

    static func stored(_ db: any SQLDatabase) throws -> SigningKey? {
        guard
            let hex: String = try db.queryFirst(
                "SELECT value FROM core_meta WHERE key = ?", metaKey, map: { try $0.get(0) })
        else { return nil }
        // A row that does not read back is an error, never a reason to make another key.
        guard let der = Hex.decode(hex.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DayPassKeyError()
        }
        return try SigningKey.p256(der: der)
    }

    /// The public half as the branch setup carries it (x ‖ y in hex); nil before any pass was issued,
    /// or when the kept key does not read back (the branches' other settings still go; issuing a
    /// pass says what is wrong).
    public static func publicHex(_ db: any SQLDatabase) throws -> String? {
        guard let key = try? stored(db) else { return nil }
        let point = try key.publicCoordinates()
        return Hex.encode(point.x + point.y)
    }

    /// The printed code of `subscription`'s pass, signed with the chain's key.
    public static func code(for subscription: SubscriptionID, _ db: any SQLDatabase) throws -> DayPassCode {
        var code = DayPassCode(subscription: subscription, signature: [])
        code.signature = try signingKey(db).signSHA256(code.message)
        return code
    }
}
