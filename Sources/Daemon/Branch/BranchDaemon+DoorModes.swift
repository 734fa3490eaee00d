import Hardware
import PorteroModel
import Replica
import Service
import SyncWire

/// Lockdowns and free access from the core: kept in the replica by the sync thread with the
/// batch that brought them, read here at start, at a reload and when a batch changes them, and
/// ended by a later command or at their `until` (checked at every turn of the loop). Between
/// two reads of the table, time runs on the monotonic clock from the wall time of the read, so a
/// wall clock stepped back does not stretch a timed lockdown.
extension BranchDaemon {
    /// Re-reads the modes kept in the replica and sets every door to its mode now.
    func refreshDoorModes(now: MonotonicInstant) {
        do {
            remoteModes = try store.doorModes()
        } catch {
            log(.error, "door modes: cannot read them from the replica: \(error); the doors keep their modes")
            return
        }
        modeClockBase = (clock.wall(), now)
        applyDoorModes(now: now)
    }

    /// The time the modes are judged at: the wall time of the last read plus the monotonic time since.
    func modeTime(_ now: MonotonicInstant) -> Timestamp {
        guard let base = modeClockBase else { return clock.wall() }
        return base.wall.adding(milliseconds: now.nanoseconds(since: base.monotonic) / 1_000_000)
    }

    /// Sets each door in service to the mode the kept commands give it at this moment, or its
    /// configured mode, and tells the core.
    func applyDoorModes(now: MonotonicInstant) {
        let wall = modeTime(now)
        var changed = false
        for door in doors.values {
            let command = remoteModes.command(for: door.door.id.rawValue, at: wall)
            let mode = command?.mode ?? door.door.mode
            guard door.controller.mode != mode else { continue }
            apply(door.controller.setMode(mode, at: now), to: door)
            changed = true
            if let command {
                log(
                    .warning,
                    "door \(door.door.name): \(mode.rawValue) from the core (command \(command.id), "
                        + "by \(command.by ?? "unknown")\(command.until.map { ", until \($0)" } ?? ""))")
            } else {
                log(.notice, "door \(door.door.name): back to its standing mode (\(mode.rawValue))")
            }
        }
        modeExpiry = remoteModes.nextExpiry(after: wall)
        if changed || !reportedDoors { sync?.reportDoors(doorStates(at: wall)) }
        reportedDoors = true
    }

    /// Ends modes whose `until` has come.
    func expireDoorModes(now: MonotonicInstant) {
        guard let expiry = modeExpiry, modeTime(now) >= expiry else { return }
        applyDoorModes(now: now)
    }

    /// Each door in service as it stands: its mode and the command that set it.
    func doorStates(at wall: Timestamp) -> [SyncDoorState] {
        doors.values.sorted { $0.door.id < $1.door.id }.map { door in
            let command = remoteModes.command(for: door.door.id.rawValue, at: wall)
            return SyncDoorState(
                door: door.door.id.rawValue, name: door.door.name, mode: door.controller.mode, command: command?.id,
                until: command?.until, by: command?.by)
        }
    }
}
