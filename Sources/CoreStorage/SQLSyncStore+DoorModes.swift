import PorteroModel
import SQLite
import SyncWire

/// Door commands as the feed carries them, and the modes in force for a new replica.
extension SQLSyncStore {
    /// The commands `filter` (a WHERE clause over `door_commands c`) selects, by id, with the name
    /// of who gave each.
    func doorCommands(_ filter: String, _ arguments: any SQLiteBindable...) throws -> [SyncDoorCommand] {
        try db.query(
            """
            SELECT c.id, c.door_id, c.command, c.reason, c.created_at, c.until_at,
                coalesce(u.name || ' ' || u.paternal_surname, '')
            FROM door_commands c LEFT JOIN users u ON u.id = c.created_by \(filter) ORDER BY c.id
            """, arguments: arguments
        ) { row -> SyncDoorCommand? in
            // A kind this build does not know is left out rather than read as another.
            guard let kind = SyncDoorCommand.Kind(rawValue: try row.get(2)) else { return nil }
            let by: String = try row.get(6)
            return SyncDoorCommand(
                id: try row.get(0), door: row.int64(1), command: kind, reason: try row.get(3),
                createdAt: Timestamp(milliseconds: try row.get(4)),
                until: row.int64(5).map(Timestamp.init(milliseconds:)), by: by.isEmpty ? nil : by)
        }.compactMap { $0 }
    }

    public func doorModes(branch: BranchID, now: Timestamp) throws -> [SyncDoorCommand] {
        // A command for every door replaces whatever came before it, so the walk starts at the
        // latest one.
        let lasting = "c.command IN ('lockdown', 'free_access', 'release')"
        let commands = try doorCommands(
            """
            WHERE c.branch_id = ? AND \(lasting) AND c.id >= coalesce(
                (SELECT max(id) FROM door_commands c WHERE c.branch_id = ? AND c.door_id IS NULL AND \(lasting)), 0)
            """, branch.rawValue, branch.rawValue)
        var modes = DoorModeTable()
        for command in commands { modes.apply(command) }
        return modes.inForce(at: now)
    }
}
