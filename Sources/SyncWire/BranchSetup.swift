import PorteroModel

/// A door as headquarters defines it: everything but the wiring, which stays in the controller's
/// file (lines, readers, and this id).
public struct SyncDoor: Hashable, Sendable, Codable {
    /// The door's number at its branch; the controller's `doors[].id`.
    public var id: Int64
    public var name: String
    public var kind: DoorKind
    public var direction: DoorDirection
    /// The standing mode; a remote lockdown or free access overrides it while in force.
    public var mode: DoorMode
    /// Weekly opening hours for entries; nil: always open.
    public var schedule: WeeklySchedule?
    public var cardAndPin: Bool
    public var antiPassback: AntiPassbackRule

    public init(
        id: Int64, name: String, kind: DoorKind = .turnstile, direction: DoorDirection = .both,
        mode: DoorMode = .normal, schedule: WeeklySchedule? = nil, cardAndPin: Bool = false,
        antiPassback: AntiPassbackRule = .off
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.direction = direction
        self.mode = mode
        self.schedule = schedule
        self.cardAndPin = cardAndPin
        self.antiPassback = antiPassback
    }

    /// The door the decision uses, with what only the wiring knows.
    public func door(branch: BranchID, confirmsPassage: Bool) -> Door {
        Door(
            id: DoorID(id), branchID: branch, name: name, kind: kind, direction: direction, mode: mode,
            schedule: schedule, requiresPIN: cardAndPin, antiPassback: antiPassback, confirmsPassage: confirmsPassage)
    }
}

/// Everything headquarters says about a branch's doors and days: the whole of it, each time it
/// changes (doors and calendar days are few), so a replica replaces what it held.
public struct SyncBranchSetup: Hashable, Sendable, Codable {
    public var doors: [SyncDoor]
    /// Closures and special hours from yesterday on (the branch's local days).
    public var calendar: [CalendarDay]
    /// The branch's capacity in people: the soft limit that warns and the hard one (nil: none).
    public var occupancyWarn: Int?
    public var occupancyLimit: Int?
    /// The chain's choice: the hard limit refuses entries (nil from an older core: it only warns).
    public var occupancyRefuses: Bool?
    /// The chain's usual visit, for members whose own is not known yet (nil: 90 minutes).
    public var usualVisitMinutes: Int?
    /// The chain's journal retention; nil: the controller's file says.
    public var journalRetentionDays: Int?
    /// Headquarters' public key for day passes: the P-256 point, x ‖ y, in hex (nil: none).
    public var dayPassKey: String?

    public init(
        doors: [SyncDoor], calendar: [CalendarDay], occupancyWarn: Int? = nil, occupancyLimit: Int? = nil,
        occupancyRefuses: Bool? = nil, usualVisitMinutes: Int? = nil, journalRetentionDays: Int? = nil
    ) {
        self.doors = doors
        self.calendar = calendar
        self.occupancyWarn = occupancyWarn
        self.occupancyLimit = occupancyLimit
        self.occupancyRefuses = occupancyRefuses
        self.usualVisitMinutes = usualVisitMinutes
        self.journalRetentionDays = journalRetentionDays
    }

    /// The branch's limits as the decision reads them. A limit outside 1…100,000 people (which
    /// headquarters never sends) is taken as none, so a bad value never refuses everyone.
    public var occupancy: OccupancyLimits {
        func people(_ value: Int?) -> Int? { value.flatMap { (1...100_000).contains($0) ? $0 : nil } }
        return OccupancyLimits(
            warn: people(occupancyWarn), limit: people(occupancyLimit), refuses: occupancyRefuses ?? false)
    }

    /// The chain's usual visit in seconds, held to 15…720 minutes whatever arrived.
    public var usualVisitSeconds: Int64 {
        Int64(min(max(usualVisitMinutes ?? Int(OccupancyRule.defaultUsualVisitMinutes), 15), 720)) * 60
    }
}
