import Foundation
import HTTP
import Hardware
import PorteroModel
import Readers
import Replica
import SQLite
import Service
import SyncWire

/// What the sync threads bring to the loop, and the fire alarm.
extension BranchDaemon {

    /// What the sync threads did: re-read plans, carry out door commands.
    func handleSync(_ events: [SyncEvents.Event], now: MonotonicInstant) {
        for event in events {
            switch event {
            case let .applied(plansChanged, modesChanged, setupChanged):
                if setupChanged { refreshBranchSetup(now: now) }
                if plansChanged {
                    do { try store.refreshPlans() } catch { log(.error, "sync: cannot re-read the plans: \(error)") }
                }
                if modesChanged { refreshDoorModes(now: now) }
            case let .commands(commands, serverTime):
                for command in commands { carryOut(command, serverTime: serverTime, now: now) }
            }
        }
    }

    func carryOut(_ command: SyncDoorCommand, serverTime: Timestamp, now: MonotonicInstant) {
        switch command.command {
        case .lockdown, .freeAccess, .release:
            // The sync thread kept it in the replica with its batch; `.applied` set the doors.
            let doors = command.door.map { "door \($0)" } ?? "every door"
            let until = command.until.map { ", until \($0)" } ?? ""
            log(
                .warning,
                "remote \(command.command.rawValue) of \(doors) from the core (command \(command.id), "
                    + "by \(command.by ?? "unknown")\(until)): \(command.reason)")
        case .unlockOnce:
            let age = serverTime.milliseconds - command.createdAt.milliseconds
            guard let id = command.door, let door = doors[DoorID(id)] else {
                log(
                    .warning,
                    "remote unlock \(command.id) names door \(command.door.map(String.init) ?? "none"), "
                        + "which this branch does not have"
                )
                return
            }
            guard age <= Self.unlockCommandMaxAgeMilliseconds else {
                log(
                    .warning,
                    "remote unlock \(command.id) of door \(door.door.name) is \(age / 1000) s old; not carried out")
                return
            }
            apply(door.controller.grant(.entry, at: now), to: door)
            let wall = clock.wall()
            let event = AttendanceEvent(
                id: EventID(time: wall), at: wall, branchID: configuration.branchID,
                doorID: door.door.id,
                direction: .entry, credentialKind: .manual, cardNumber: nil, userID: nil, subscriptionID: nil,
                granted: true, reason: .grantedManual)
            do { try store.record(event, newState: nil) } catch {
                log(.error, "remote unlock: cannot journal it: \(error)")
            }
            log(
                .notice,
                "door \(door.door.name): unlocked once from the core (command \(command.id)): \(command.reason)")
        }
    }

    func setFireAlarm(_ active: Bool, now: MonotonicInstant) {
        log(active ? .warning : .notice, "fire alarm \(active ? "active: every door released" : "over")")
        for door in doors.values { apply(door.controller.fireAlarm(active: active, at: now), to: door) }
    }

    func handleFireAlarm(now: MonotonicInstant) {
        guard let line = fireAlarm, let events = try? line.readEvents(), let last = events.last else { return }
        setFireAlarm(last.rising, now: now)
    }
}
