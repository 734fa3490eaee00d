import PorteroModel

/// A door's state as its branch reports it to the core: its mode now and, when a command from
/// the core set it, which one and until when.
public struct SyncDoorState: Hashable, Sendable, Codable {
    public var door: Int64
    public var name: String
    public var mode: DoorMode
    /// The command that set the mode; nil when the door is in its configured mode.
    public var command: Int64?
    public var until: Timestamp?
    public var by: String?

    public init(
        door: Int64, name: String, mode: DoorMode, command: Int64? = nil, until: Timestamp? = nil, by: String? = nil
    ) {
        self.door = door
        self.name = name
        self.mode = mode
        self.command = command
        self.until = until
        self.by = by
    }
}

/// Each door's lasting mode, from door commands applied in the order the core gave them. A
/// command for every door replaces all before it; one for a door sets that door; a release of one
/// door under a mode for every door is kept as that door's exception. The core works out what is
/// in force with it, and a replica keeps it across restarts.
public struct DoorModeTable: Hashable, Sendable, Codable {
    /// The command in force for every door, if any.
    public private(set) var everyDoor: SyncDoorCommand?
    /// The commands for single doors, by door id.
    public private(set) var doors: [Int64: SyncDoorCommand] = [:]

    public init() {}

    public mutating func apply(_ command: SyncDoorCommand) {
        guard command.command != .unlockOnce else { return }
        if let door = command.door {
            doors[door] = command.command == .release && everyDoor == nil ? nil : command
        } else {
            doors = [:]
            everyDoor = command.command == .release ? nil : command
        }
    }

    /// The command that sets `door`'s mode at `now`, or nil when none does (the door keeps its
    /// configured mode). A lockdown or free access past its `until` no longer counts.
    public func command(for door: Int64, at now: Timestamp) -> SyncDoorCommand? {
        for candidate in [doors[door], everyDoor].compactMap({ $0 }) where Self.live(candidate, now) {
            return candidate.command == .release ? nil : candidate
        }
        return nil
    }

    /// The commands still in force, oldest first: applied in order to an empty table, they give
    /// the same modes.
    public func inForce(at now: Timestamp) -> [SyncDoorCommand] {
        ([everyDoor].compactMap { $0 } + doors.values).filter { Self.live($0, now) }.sorted { $0.id < $1.id }
    }

    /// The earliest `until` after `now`: when a mode next ends by itself.
    public func nextExpiry(after now: Timestamp) -> Timestamp? {
        ([everyDoor].compactMap { $0 } + doors.values).compactMap(\.until).filter { $0 > now }.min()
    }

    static func live(_ command: SyncDoorCommand, _ now: Timestamp) -> Bool { command.until.map { $0 > now } ?? true }
}
