import Crypto
import Foundation
import PorteroModel
import SQLite

/// One audit row: who did what to what, when, with what changes; chained by SHA-256.
public struct AuditEntry: Hashable, Sendable {
    public var id: Int64
    public var at: Timestamp
    /// `user:42`, `device:7`, `system`, or `anonymous` for a failed login.
    public var actor: String
    /// A stable action name: `user.create`, `login.success`, `login.failure`, ...
    public var action: String
    public var target: String
    /// The changes as JSON text (before and after for updates).
    public var changes: String
    public var previousHash: [UInt8]
    public var hash: [UInt8]

    /// SHA-256 over the row's fields and the previous hash, with lengths so no field can bleed into another.
    package static func hash(
        id: Int64, at: Timestamp, actor: String, action: String, target: String, changes: String, previous: [UInt8]
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        for field in ["\(id)", "\(at.milliseconds)", actor, action, target, changes] {
            let utf8 = Array(field.utf8)
            bytes += Array("\(utf8.count):".utf8) + utf8
        }
        return Digest.sha256(bytes + previous)
    }
}

/// What `verify` found.
public enum AuditVerification: Hashable, Sendable, CustomStringConvertible {
    case intact(rows: Int, head: [UInt8])
    /// The first row that does not fit the chain, and why.
    case broken(rowID: Int64, reason: String)

    public var description: String {
        switch self {
        case let .intact(rows, head):
            return "audit trail intact: \(rows) row(s), head \(head.map { String(format: "%02x", $0) }.joined())"
        case let .broken(row, reason):
            return "audit trail BROKEN at row \(row): \(reason)"
        }
    }
}

/// The audit trail's storage, so another database could keep it (DESIGN §7: PostgreSQL at scale).
public protocol AuditStore {
    /// Appends one row, chained to the last, in one transaction. `branches` are the branches the
    /// row is about: they decide who sees it in a listing (a row about none is listed to
    /// SuperAdministradores only) and are not part of the chain.
    func append(
        actor: String, action: String, target: String, changes: String, concerning branches: Set<BranchID>,
        at: Timestamp
    ) throws -> AuditEntry
    /// Walks the whole chain.
    func verify() throws -> AuditVerification
    /// The newest rows, newest first; with `branches`, only those about one of them.
    func recent(limit: Int, concerning branches: Set<BranchID>?) throws -> [AuditEntry]
    /// The newest rows matching `search` among those about `branches` (nil: every row), newest first.
    func search(_ search: AuditSearch, concerning branches: Set<BranchID>?, limit: Int) throws -> [AuditEntry]
}

extension AuditStore {
    /// Appends a row about no branch (sign-ins by unknown names, the core's own events).
    public func append(actor: String, action: String, target: String, changes: String, at: Timestamp) throws
        -> AuditEntry
    {
        try append(actor: actor, action: action, target: target, changes: changes, concerning: [], at: at)
    }

    /// The newest rows, whatever they are about.
    public func recent(limit: Int) throws -> [AuditEntry] { try recent(limit: limit, concerning: nil) }
}

/// The audit trail in the core's SQLite database. Rows are never updated or deleted (triggers
/// refuse it), and `verify` finds any row edited, removed or inserted behind the program's back:
/// each hash covers the row and its predecessor's hash, ids leave no gaps, and the head hash is
/// also kept in `core_meta`, so removing the newest rows shows too.
public final class SQLAuditStore: AuditStore {
    package let db: any SQLDatabase
    package static let zeroHash = [UInt8](repeating: 0, count: 32)

    /// The trail on a database whose schema is migrated (by `CoreSchema`).
    public init(connection: any SQLDatabase) throws {
        db = connection
    }

    /// The trail of a SQLite file opened read-only, after checking that it is a core database of
    /// a schema this program knows (nothing is migrated).
    public convenience init(readOnly connection: Connection, path: String) throws {
        let pending = try CoreSchema.migrator.pendingVersions(connection)
        guard pending.isEmpty else {
            throw MigrationError.invalidMigrationList("\(path) needs schema steps \(pending)")
        }
        try self.init(connection: SQLiteDatabase(connection))
    }

    public func append(
        actor: String, action: String, target: String, changes: String, concerning branches: Set<BranchID>,
        at: Timestamp
    ) throws -> AuditEntry {
        try db.transaction {
            // One writer at a time extends the chain, whichever instance it runs on.
            try db.lockForWriting(.audit)
            let last: (Int64, [UInt8])? = try db.queryFirst("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1") {
                (try $0.get(0), try $0.get(1))
            }
            let id = (last?.0 ?? 0) + 1
            let previous = last?.1 ?? Self.zeroHash
            let hash = AuditEntry.hash(
                id: id, at: at, actor: actor, action: action, target: target, changes: changes, previous: previous)
            try db.run(
                "INSERT INTO audit (id, at, actor, action, target, changes, previous_hash, hash) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id, at.milliseconds, actor, action, target, changes, previous, hash)
            for branch in branches {
                try db.run("INSERT INTO audit_branches (branch_id, audit_id) VALUES (?, ?)", branch.rawValue, id)
            }
            try db.run(
                "INSERT INTO core_meta (key, value) VALUES ('audit_head', ?) ON CONFLICT(key) DO UPDATE "
                    + "SET value = excluded.value",
                "\(id):" + hash.map { String(format: "%02x", $0) }.joined())
            return AuditEntry(
                id: id, at: at, actor: actor, action: action, target: target, changes: changes, previousHash: previous,
                hash: hash)
        }
    }

    public func verify() throws -> AuditVerification {
        try db.read {
            var expectedID: Int64 = 1
            var previous = Self.zeroHash
            var rows = 0
            // In pages by id, so a long trail never sits in memory whole.
            while true {
                let page = try db.query("\(Self.entrySQL) WHERE id >= ? ORDER BY id LIMIT 10000", expectedID) {
                    try Self.entry($0)
                }
                for entry in page {
                    guard entry.id == expectedID else {
                        return .broken(rowID: entry.id, reason: "row \(expectedID) is missing")
                    }
                    guard entry.previousHash == previous else {
                        return .broken(
                            rowID: entry.id, reason: "its previous hash does not match row \(entry.id - 1)")
                    }
                    let recomputed = AuditEntry.hash(
                        id: entry.id, at: entry.at, actor: entry.actor, action: entry.action, target: entry.target,
                        changes: entry.changes, previous: entry.previousHash)
                    guard recomputed == entry.hash else {
                        return .broken(rowID: entry.id, reason: "its content does not match its hash (edited)")
                    }
                    previous = entry.hash
                    expectedID += 1
                    rows += 1
                }
                if page.count < 10000 { break }
            }
            let head: String? = try db.queryFirst("SELECT value FROM core_meta WHERE key = 'audit_head'") {
                try $0.get(0)
            }
            let expectedHead =
                rows == 0 ? nil : "\(expectedID - 1):" + previous.map { String(format: "%02x", $0) }.joined()
            guard head == expectedHead else {
                return .broken(
                    rowID: expectedID,
                    reason:
                        "the recorded head (\(head ?? "none")) is not the last row: "
                        + "rows after \(expectedID - 1) were removed"
                )
            }
            return .intact(rows: rows, head: previous)
        }
    }

    public func recent(limit: Int, concerning branches: Set<BranchID>?) throws -> [AuditEntry] {
        guard let branches else {
            return try db.query("\(Self.entrySQL) ORDER BY id DESC LIMIT ?", limit) { try Self.entry($0) }
        }
        // The newest `limit` rows of each branch (one descent of the index each), merged: a
        // caller's branches are few, and a join over them would sort every row they ever had.
        return try db.read {
            var ids = Set<Int64>()
            for branch in branches {
                ids.formUnion(
                    try db.query(
                        "SELECT audit_id FROM audit_branches WHERE branch_id = ? ORDER BY audit_id DESC LIMIT ?",
                        branch.rawValue, limit
                    ) { try $0.get(0) as Int64 })
            }
            return try ids.sorted(by: >).prefix(limit).compactMap { id in
                try db.queryFirst("\(Self.entrySQL) WHERE id = ?", id) { try Self.entry($0) }
            }
        }
    }

    private static let entrySQL = "SELECT id, at, actor, action, target, changes, previous_hash, hash FROM audit"

    package static func entry(_ row: Row) throws -> AuditEntry {
        AuditEntry(
            id: try row.get(0), at: Timestamp(milliseconds: try row.get(1)), actor: try row.get(2),
            action: try row.get(3),
            target: try row.get(4), changes: try row.get(5), previousHash: row.bytes(6) ?? [], hash: row.bytes(7) ?? [])
    }
}

@available(*, unavailable, message: "Owned by the core's database thread")
extension SQLAuditStore: Sendable {}

/// The JSON an audit row's `changes` holds, written by the stores, the API and the programs
/// alike: always an object encoded whole, never text joined around a value, so no login name or
/// forwarded address can close a string early and add a key.
package enum AuditChanges {
    /// `object` as JSON text, keys sorted.
    package static func json(_ object: [String: Any]) -> String {
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
