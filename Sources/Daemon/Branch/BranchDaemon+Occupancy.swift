import PorteroModel
import SyncWire

/// The branch's occupancy limits at the doors. The count is the replica's (people whose presence
/// is inside and has not run out), so the door decides the same with the core out of reach. The
/// branch counts exits when this controller has a reader for them; else each person counts for
/// their usual visit. Crossing the soft limit, or reaching the hard one, is logged and raised to
/// the core once per crossing, until an entry finds the branch back under the soft limit.
extension BranchDaemon {
    /// Takes the limits and the usual visit from headquarters' setup, and how people are counted
    /// from this controller's readers.
    func takeOccupancy(from setup: SyncBranchSetup?) {
        store.takeOccupancy(from: setup)
        store.occupancyRule.countsExits = configuration.readers.contains { $0.direction == .exit }
        let limits = store.context.occupancy
        guard !limits.isEmpty else { return }
        let warn = limits.warn.map(String.init) ?? "none"
        let hard = limits.limit.map(String.init) ?? "none"
        log(
            .info,
            "occupancy: warns at \(warn), hard limit \(hard) (\(limits.refuses ? "refuses" : "warns only")), "
                + (store.occupancyRule.countsExits
                    ? "counted from entries and exits"
                    : "estimated from each member's usual visit"))
    }

    /// Logs the level an entry found, and raises it to the core when it crossed upward. A level
    /// is re-armed only when an entry finds the branch a tenth below it (the soft limit for
    /// `full`, 90 % of it for `warn`), so a branch turning people over at its limit raises one
    /// alarm, not one each time somebody leaves.
    func noteOccupancy(_ level: OccupancyLevel, decision: AccessDecision, at door: DoorComponent, inside: Int?) {
        let before = occupancyLevel
        if level >= before {
            occupancyLevel = level
        } else if let inside, rearms(below: before, inside: inside) {
            occupancyLevel = level
        }
        guard level > before else { return }
        let limits = store.context.occupancy
        switch level {
        case .ok: return
        case .warn:
            log(.warning, "occupancy: branch near capacity at door \(door.door.name) (soft limit \(limits.warn ?? 0))")
        case .full:
            log(
                .warning,
                "occupancy: branch full at door \(door.door.name) (hard limit \(limits.limit ?? 0)): "
                    + (decision.granted ? "entries are still granted" : "entries are refused"))
        }
        metrics.alarm(door: door.door.name, alarm: level == .full ? "branch_full" : "near_capacity")
        sync?.report(
            SyncAlarm(
                door: door.door.id.rawValue, doorName: door.door.name,
                alarm: level == .full ? "branch_full" : "near_capacity", at: clock.wall()))
    }

    /// True when `inside` is far enough under the limit of `level` to raise it again later.
    func rearms(below level: OccupancyLevel, inside: Int) -> Bool {
        let limits = store.context.occupancy
        switch level {
        case .ok: return true
        case .warn: return limits.warn.map { inside * 10 < $0 * 9 } ?? true
        case .full: return limits.warn.map { inside < $0 } ?? limits.limit.map { inside * 10 < $0 * 9 } ?? true
        }
    }

    /// The branch's limits and the people inside now, for `/status` (nil: the branch has no limits).
    func occupancyStatus() -> OccupancyStatus? {
        let limits = store.context.occupancy
        guard !limits.isEmpty, let inside = try? store.peopleInside(now: clock.wall()) else { return nil }
        return OccupancyStatus(
            inside: inside, warn: limits.warn, limit: limits.limit, refuses: limits.refuses,
            countsExits: store.occupancyRule.countsExits, level: limits.level(counting: inside).rawValue)
    }
}

/// `/status`'s occupancy: the people inside as the doors count them, against the branch's limits.
struct OccupancyStatus: Encodable {
    var inside: Int
    var warn: Int?
    var limit: Int?
    var refuses: Bool
    var countsExits: Bool
    var level: String
}
