import Foundation
import PorteroModel
import SQLite
import SyncWire

/// The lockdowns and free-access modes from the core, kept in the replica so that they outlive a
/// restart, a watchdog restart and a power cut; they end by command or at their `until`.
extension ReplicaStore {
    /// The modes kept here.
    public func doorModes() throws -> DoorModeTable {
        let decoder = JSONDecoder()
        let commands = try db.query("SELECT command FROM door_modes") { row -> SyncDoorCommand in
            let text: String = try row.get(0)
            return try decoder.decode(SyncDoorCommand.self, from: Data(text.utf8))
        }
        var table = DoorModeTable()
        for command in commands.sorted(by: { $0.id < $1.id }) { table.apply(command) }
        return table
    }

    /// Applies one command to the kept modes (inside the transaction of its batch).
    func record(_ command: SyncDoorCommand) throws {
        guard command.command != .unlockOnce else { return }
        var table = try doorModes()
        table.apply(command)
        try save(table)
    }

    /// Replaces the kept modes with the commands in force at the core (after a snapshot, which
    /// carries no commands), and clears the flag that asked for them.
    public func replaceDoorModes(_ commands: [SyncDoorCommand]) throws {
        var table = DoorModeTable()
        for command in commands.sorted(by: { $0.id < $1.id }) { table.apply(command) }
        try db.transaction {
            try save(table)
            try db.run("DELETE FROM replica_meta WHERE key = 'door_modes_pending'")
        }
    }

    /// True from the start of a snapshot until `replaceDoorModes`: the modes in force must be
    /// asked of the core.
    public func doorModesPending() throws -> Bool {
        try db.queryFirst("SELECT 1 FROM replica_meta WHERE key = 'door_modes_pending'", map: { _ in true }) ?? false
    }

    func markDoorModesPending() throws {
        try db.run("INSERT OR REPLACE INTO replica_meta (key, value) VALUES ('door_modes_pending', '1')")
    }

    private func save(_ table: DoorModeTable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try db.run("DELETE FROM door_modes")
        let rows = [(Int64(0), table.everyDoor)] + table.doors.map { ($0.key, Optional($0.value)) }
        for case let (door, command?) in rows {
            try db.run(
                "INSERT INTO door_modes (door, command) VALUES (?, ?)", door,
                String(decoding: try encoder.encode(command), as: UTF8.self))
        }
    }
}
