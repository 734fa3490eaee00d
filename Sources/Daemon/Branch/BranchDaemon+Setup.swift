import PorteroModel
import Replica
import Service
import SyncWire

/// Doors and calendar from headquarters: an enrolled controller's file holds only each door's id
/// and wiring; the settings (name, kind, direction, standing mode, weekly schedule, card and PIN,
/// anti-passback) and the branch's closures and special hours come through the feed, are kept in
/// the replica, and are read here at start, at a reload and whenever a batch brings new ones.
extension BranchDaemon {
    /// The setup kept in the replica; nil for a stand-alone controller or before the first one.
    func readBranchSetup() -> SyncBranchSetup? {
        guard configuration.core != nil else { return nil }
        do {
            return try store.branchSetup()
        } catch {
            log(.error, "doors: cannot read the branch's setup from the replica: \(error)")
            return nil
        }
    }

    /// The door the decisions use for a wired door: headquarters' settings, or an unregistered
    /// door that refuses entries when headquarters has none for its id.
    static func settings(of door: DoorConfiguration, from setup: SyncBranchSetup?) -> Door {
        guard let defined = setup?.doors.first(where: { $0.id == door.door.id.rawValue }) else {
            var unregistered = door.door
            unregistered.registered = false
            return unregistered
        }
        return defined.door(branch: door.door.branchID, confirmsPassage: door.passageSensor != nil)
    }

    /// Takes the setup the sync thread kept: each door's settings and the calendar, at once.
    func refreshBranchSetup(now: MonotonicInstant) {
        guard configuration.core != nil else { return }
        let setup: SyncBranchSetup
        do {
            guard let kept = try store.branchSetup() else { return }
            setup = kept
        } catch {
            log(.error, "doors: cannot read the branch's setup from the replica: \(error); the doors keep theirs")
            return
        }
        store.context.calendar = BranchCalendar(setup.calendar)
        takeOccupancy(from: setup)
        for component in doors.values {
            let settings = Self.settings(of: component.configuration, from: setup)
            guard settings != component.door else { continue }
            component.door = settings
            log(
                .notice,
                settings.registered
                    ? "door \(settings.id) (\(settings.name)): settings from headquarters: \(describe(settings))"
                    : "door \(settings.id): headquarters no longer defines it; entries are refused")
        }
        log(.info, "doors: \(setup.calendar.count) calendar day(s) from headquarters")
        applyDoorModes(now: now)
    }

    /// Says which wired doors headquarters does not define (they refuse entries).
    func reportUnregistered() {
        for component in doors.values.sorted(by: { $0.door.id < $1.door.id }) where !component.door.registered {
            log(
                .warning,
                "door \(component.door.id) is wired here but headquarters does not define it at branch "
                    + "\(configuration.branchID): entries are refused until it is added (portero doors add)")
        }
    }

    func describe(_ door: Door) -> String {
        var parts = ["\(door.kind.rawValue)", "direction \(door.direction.rawValue)", "mode \(door.mode.rawValue)"]
        parts.append(door.schedule.map { "open \($0)" } ?? "always open")
        if door.requiresPIN { parts.append("card and PIN") }
        if door.antiPassback.inOut { parts.append("anti-passback") }
        return parts.joined(separator: ", ")
    }
}
