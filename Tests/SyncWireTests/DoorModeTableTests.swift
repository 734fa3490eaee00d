import Foundation
import PorteroModel
import Testing

@testable import SyncWire

@Suite struct DoorModeTableTests {
    let now = Timestamp(seconds: 1_800_000_000)

    func command(_ id: Int64, _ kind: SyncDoorCommand.Kind, door: Int64? = nil, minutes: Int64? = nil)
        -> SyncDoorCommand
    {
        SyncDoorCommand(
            id: id, door: door, command: kind, reason: "r", createdAt: now,
            until: minutes.map { now.adding(milliseconds: $0 * 60_000) })
    }

    @Test func everyDoorReplacesWhatCameBeforeAndADoorsOwnCommandWins() {
        var table = DoorModeTable()
        table.apply(command(1, .lockdown, door: 2))
        table.apply(command(2, .freeAccess))
        #expect(table.command(for: 2, at: now)?.command == .freeAccess, "the command for every door replaced it")
        table.apply(command(3, .lockdown, door: 1))
        table.apply(command(4, .release, door: 3))
        #expect(table.command(for: 1, at: now)?.command == .lockdown)
        #expect(table.command(for: 3, at: now) == nil, "a door's own release under a mode for all is kept")
        #expect(table.command(for: 4, at: now)?.command == .freeAccess)
        table.apply(command(5, .unlockOnce, door: 1))
        #expect(table.command(for: 1, at: now)?.id == 3, "an unlock sets no mode")
        table.apply(command(6, .release))
        #expect(table.inForce(at: now).isEmpty && table.command(for: 1, at: now) == nil)
    }

    @Test func aTimedModeEndsAndTheOneUnderItComesBack() {
        var table = DoorModeTable()
        table.apply(command(1, .lockdown))
        table.apply(command(2, .freeAccess, door: 1, minutes: 10))
        #expect(table.command(for: 1, at: now)?.command == .freeAccess)
        #expect(table.nextExpiry(after: now) == now.adding(milliseconds: 600_000))
        let later = now.adding(milliseconds: 600_000)
        #expect(table.command(for: 1, at: later)?.command == .lockdown, "back under the lockdown for every door")
        #expect(table.inForce(at: later).map(\.id) == [1])
    }

    /// What is in force, replayed on an empty table, gives the same modes (a new replica).
    @Test func whatIsInForceReplaysToTheSameModes() {
        var table = DoorModeTable()
        for next in [
            command(1, .lockdown, door: 1), command(2, .lockdown), command(3, .release, door: 2),
            command(4, .freeAccess, door: 5, minutes: 1),
        ] { table.apply(next) }
        var replayed = DoorModeTable()
        for next in table.inForce(at: now) { replayed.apply(next) }
        for door in Int64(1)...6 { #expect(replayed.command(for: door, at: now) == table.command(for: door, at: now)) }
    }

    /// A command of a kind a newer core may send is left out; the batch still decodes.
    @Test func anUnknownCommandKindDoesNotStopTheFeed() throws {
        let json = #"""
            {"cursor": 9, "items": [], "more": false, "snapshotRequired": false, "serverTime": 1,
             "commands": [{"id": 1, "command": "evacuate", "reason": "x", "createdAt": 1},
                          {"id": 2, "command": "lockdown", "reason": "y", "createdAt": 1, "until": 5, "by": "Ana"}]}
            """#
        let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(json.utf8))
        #expect(batch.cursor == 9 && batch.commands.map(\.id) == [2] && batch.commands.first?.by == "Ana")
    }
}
