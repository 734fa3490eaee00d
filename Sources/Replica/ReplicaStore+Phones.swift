import Crypto
import PorteroModel
import SQLite
import SyncWire

/// A phone that carries a member's pass, as the replica holds it: the public half of its key.
public struct ReplicaPhone: Hashable, Sendable {
    public var id: PhoneID
    /// The P-256 public point, x ‖ y.
    public var publicKey: [UInt8]
    public var active: Bool

    public init(id: PhoneID, publicKey: [UInt8], active: Bool) {
        self.id = id
        self.publicKey = publicKey
        self.active = active
    }
}

/// Members' phone passes at the door: each phone's public key comes with the member through the
/// feed; a code is checked against it, against the door's clock, and against the newest code of
/// that phone that opened a door here (a code opens one door once, and an older one none).
extension ReplicaSchema {
    /// Step 14: members' pass phones.
    static let phones = Migration(
        version: 14, name: "phone passes",
        sql: """
            -- The phones that carry members' passes: the public half of each one's key, whether it
            -- still counts, and the time of the newest of its codes that opened a door here.
            CREATE TABLE phones (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                public_key BLOB NOT NULL CHECK (length(public_key) = 64),
                active INTEGER NOT NULL CHECK (active IN (0, 1)),
                last_used INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            CREATE INDEX phones_by_user ON phones(user_id);
            CREATE TABLE snapshot_phones (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL,
                public_key BLOB NOT NULL,
                active INTEGER NOT NULL
            ) STRICT;
            -- Phones come whole only with a snapshot: a replica made before this step takes one.
            DELETE FROM replica_meta WHERE key = 'bootstrapped';
            """)
}

extension ReplicaStore {
    /// The look-ups' columns: the credential's id, its user, its status, then the user's row.
    static let userColumns = """
        u.active, u.roles, u.granted_here, u.pin_digest, u.duress_digest,
        u.visit_day, u.day_count, u.visit_week, u.week_count, u.visit_month, u.month_count,
        u.inside, u.presence_since, u.last_entry, u.pin_failures, u.pin_locked_until,
        u.elsewhere_day, u.elsewhere_day_count, u.elsewhere_week, u.elsewhere_week_count, u.elsewhere_month,
        u.elsewhere_month_count
        """
    static let cardLookupSQL =
        "SELECT c.id, c.user_id, c.status, \(userColumns) FROM cards c JOIN users u ON u.id = c.user_id "
        + "WHERE c.card_number = ?"
    static let pinLookupSQL =
        "SELECT p.id, p.user_id, p.status, \(userColumns) FROM pins p JOIN users u ON u.id = p.user_id "
        + "WHERE p.digest = ?"

    static let dayPassLookupSQL =
        "SELECT s.id, s.user_id, 'active', \(userColumns) FROM subscriptions s JOIN users u ON u.id = s.user_id "
        + "WHERE s.id = ?"
    static let phoneLookupSQL =
        "SELECT p.id, p.user_id, CASE WHEN p.active = 1 THEN 'active' ELSE 'revoked' END, \(userColumns), "
        + "p.public_key, p.last_used FROM phones p JOIN users u ON u.id = p.user_id WHERE p.id = ?"
    /// Where the lookup's row has the key and the last code used.
    static let phoneKeyColumn: Int32 = 25

    /// Replaces `user`'s phones in `table` (the live one, keeping each phone's last code used, or
    /// the snapshot's staging one).
    func replacePhones(_ phones: [ReplicaPhone], of user: UserID, in table: String = "phones") throws {
        let live = table == "phones"
        let kept = phones.map { String($0.id.rawValue) }.joined(separator: ",")
        try db.run("DELETE FROM \(table) WHERE user_id = ? AND id NOT IN (\(kept))", user.rawValue)
        for phone in phones where phone.publicKey.count == 64 {
            try db.run(
                """
                INSERT INTO \(table) (id, user_id, public_key, active) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, public_key = excluded.public_key,
                    active = excluded.active\(live ? ", last_used = CASE WHEN phones.public_key = excluded.public_key "
                    + "THEN phones.last_used ELSE 0 END" : "")
                """, phone.id.rawValue, user.rawValue, phone.publicKey, phone.active)
        }
    }

    /// How a phone pass stands against the phone's row (nil: the pass is no pass of this phone).
    func passVerdict(_ code: PassCode, row: Row, now: Timestamp) throws -> ReasonCode?? {
        let key = row.bytes(Self.phoneKeyColumn) ?? []
        guard try row.requiredInt64(1) == code.member.rawValue, let publicKey = try passKey(code.phone, key)
        else { return nil }
        guard publicKey.verifySHA256(signature: code.signature, message: code.message) else { return nil }
        switch code.timing(at: now) {
        case .early, .expired: return .some(.passExpired)
        case .current: break
        }
        let lastUsed = max(try row.requiredInt64(Self.phoneKeyColumn + 1), spentUnwritten[code.phone.rawValue] ?? 0)
        if code.issuedAt <= lastUsed { return .some(.passUsed) }
        return .some(nil)
    }

    /// The phone's key, built once and kept while the replica holds the same bytes for it.
    func passKey(_ phone: PhoneID, _ bytes: [UInt8]) throws -> PublicKey? {
        if let cached = passKeys[phone.rawValue], cached.bytes == bytes { return cached.key }
        guard bytes.count == 64, let key = try? PublicKey.p256(x: Array(bytes[0..<32]), y: Array(bytes[32...]))
        else { return nil }
        if passKeys.count >= 10_000 { passKeys.removeAll(keepingCapacity: true) }
        passKeys[phone.rawValue] = (bytes, key)
        return key
    }

    /// Records that `code` opened a door: it and every older code of its phone are spent.
    func spend(_ code: PassCode) throws {
        try db.run(
            "UPDATE phones SET last_used = max(last_used, ?) WHERE id = ?", code.issuedAt, code.phone.rawValue)
    }

    /// The phones the replica holds for `user`, for the status endpoint and tests.
    public func phones(of user: UserID) throws -> [ReplicaPhone] {
        try db.query("SELECT id, public_key, active FROM phones WHERE user_id = ? ORDER BY id", user.rawValue) {
            ReplicaPhone(id: PhoneID(try $0.get(0)), publicKey: $0.bytes(1) ?? [], active: try $0.get(2))
        }
    }
}

extension SyncPhone {
    /// The phone as the replica keeps it (nil when its key is not 64 bytes of hex).
    var replicaPhone: ReplicaPhone? {
        publicPoint(key).map { ReplicaPhone(id: PhoneID(id), publicKey: $0, active: active) }
    }
}

extension SyncBranchSetup {
    /// Headquarters' day-pass key, when the setup brings a good one.
    var dayPassPublicKey: PublicKey? {
        guard let point = dayPassKey.flatMap(publicPoint) else { return nil }
        return try? PublicKey.p256(x: Array(point[0..<32]), y: Array(point[32...]))
    }
}

/// 128 hex digits as the 64 bytes of a P-256 point (x ‖ y); nil for anything else.
func publicPoint(_ hex: String) -> [UInt8]? {
    guard hex.utf8.count == 128 else { return nil }
    return Hex.decode(hex)
}
