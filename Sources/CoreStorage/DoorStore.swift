import Foundation
import PorteroModel
import SQLite
import SyncWire

/// A door as headquarters keeps it: its branch, what the controller takes through the feed,
/// and when it last changed.
public struct DoorDefinition: Hashable, Sendable, Encodable {
    public var branch: BranchID
    public var door: SyncDoor
    public var updatedAt: Timestamp

    public init(branch: BranchID, door: SyncDoor, updatedAt: Timestamp) {
        self.branch = branch
        self.door = door
        self.updatedAt = updatedAt
    }

    enum Keys: String, CodingKey {
        case branch, id, name, kind, direction, mode, schedule, cardAndPin, antiPassback, reentryDelaySeconds
        case presenceExpirySeconds, updatedAt
    }

    /// Flat, as the API takes it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(branch.rawValue, forKey: .branch)
        try container.encode(door.id, forKey: .id)
        try container.encode(door.name, forKey: .name)
        try container.encode(door.kind, forKey: .kind)
        try container.encode(door.direction, forKey: .direction)
        try container.encode(door.mode, forKey: .mode)
        try container.encodeIfPresent(door.schedule, forKey: .schedule)
        try container.encode(door.cardAndPin, forKey: .cardAndPin)
        try container.encode(door.antiPassback.inOut, forKey: .antiPassback)
        try container.encodeIfPresent(door.antiPassback.reentryDelaySeconds, forKey: .reentryDelaySeconds)
        try container.encode(door.antiPassback.presenceExpirySeconds, forKey: .presenceExpirySeconds)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// A calendar day as headquarters keeps it.
public struct CalendarEntry: Hashable, Sendable, Encodable {
    public var branch: BranchID
    public var day: CalendarDay
    public var updatedAt: Timestamp

    public init(branch: BranchID, day: CalendarDay, updatedAt: Timestamp) {
        self.branch = branch
        self.day = day
        self.updatedAt = updatedAt
    }

    enum Keys: String, CodingKey { case branch, day, kind, hours, note, updatedAt }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(branch.rawValue, forKey: .branch)
        try container.encode(day.day, forKey: .day)
        try container.encode(day.isClosed ? "closed" : "special_hours", forKey: .kind)
        try container.encodeIfPresent(day.hours, forKey: .hours)
        try container.encode(day.note, forKey: .note)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// The branches' doors and calendars.
public protocol DoorStore {
    /// The doors of `branches` (nil: every branch), by branch then id.
    func doors(branches: Set<BranchID>?) throws -> [DoorDefinition]
    func door(branch: BranchID, id: Int64) throws -> DoorDefinition?
    /// Adds a door; its id is the next free one when nil. A taken id or name is a conflict.
    func addDoor(_ door: SyncDoor, id: Int64?, branch: BranchID, now: Timestamp) throws -> DoorDefinition
    /// Replaces a door's settings; nil when there is no such door. A taken name is a conflict.
    func updateDoor(_ door: SyncDoor, branch: BranchID, now: Timestamp) throws -> DoorDefinition?
    func removeDoor(branch: BranchID, id: Int64, now: Timestamp) throws -> DoorDefinition?
    /// The days of `branch` from `from` on, through `through` when given.
    func calendar(branch: BranchID, from: LocalDay, through: LocalDay?) throws -> [CalendarEntry]
    /// Sets a day (closed or special hours), replacing what it held; returns what it held before.
    func setCalendarDay(_ day: CalendarDay, branch: BranchID, now: Timestamp) throws -> CalendarEntry?
    func removeCalendarDay(_ day: LocalDay, branch: BranchID, now: Timestamp) throws -> CalendarEntry?
    /// What a branch's replica takes: every door, and the calendar from `from` on.
    func setup(branch: BranchID, from: LocalDay) throws -> SyncBranchSetup
}
