import Foundation
import PorteroModel
import SQLite
import SyncWire

/// The branch's doors and calendar as headquarters defines them, kept whole: the feed replaces
/// them with the batch that brings them, and a new replica asks for them after its snapshot.
extension ReplicaStore {
    /// The setup kept here; nil when none has arrived yet.
    public func branchSetup() throws -> SyncBranchSetup? {
        guard let text: String = try db.queryFirst("SELECT body FROM branch_setup WHERE id = 1", map: { try $0.get(0) })
        else { return nil }
        return try JSONDecoder().decode(SyncBranchSetup.self, from: Data(text.utf8))
    }

    /// Keeps `setup` in place of the one held (inside the transaction of its batch).
    func save(_ setup: SyncBranchSetup) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try db.run(
            "INSERT INTO branch_setup (id, body) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            String(decoding: try encoder.encode(setup), as: UTF8.self))
    }

    /// Keeps the setup the core gave after a snapshot and clears the flag that asked for it.
    public func replaceBranchSetup(_ setup: SyncBranchSetup) throws {
        try db.transaction {
            try save(setup)
            try db.run("DELETE FROM replica_meta WHERE key = 'branch_setup_pending'")
        }
    }

    /// True from the start of a snapshot (or an upgrade) until `replaceBranchSetup`.
    public func branchSetupPending() throws -> Bool {
        try db.queryFirst("SELECT 1 FROM replica_meta WHERE key = 'branch_setup_pending'", map: { _ in true }) ?? false
    }

    func markBranchSetupPending() throws {
        try db.run("INSERT OR REPLACE INTO replica_meta (key, value) VALUES ('branch_setup_pending', '1')")
    }
}
