import Foundation
import PorteroModel
import SQLite
import SyncWire

/// The door store in the core's SQLite database. Every change puts the branch's setup in the
/// change log, so its controllers take the whole of it again.
public final class SQLDoorStore: DoorStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) throws {
        db = connection
    }

    static let doorColumns = """
        branch_id, id, name, kind, direction, mode, schedule, card_and_pin, anti_passback, reentry_delay_s,
        presence_expiry_s, updated_at
        """

    static func door(_ row: Row) throws -> DoorDefinition {
        let scheduleText: String? = try row.get(6)
        let door = SyncDoor(
            id: try row.get(1), name: try row.get(2), kind: DoorKind(rawValue: try row.get(3)) ?? .turnstile,
            direction: DoorDirection(rawValue: try row.get(4)) ?? .both,
            mode: DoorMode(rawValue: try row.get(5)) ?? .normal,
            schedule: try scheduleText.map { try WeeklySchedule(parsing: $0) }, cardAndPin: try row.get(7),
            antiPassback: AntiPassbackRule(
                inOut: try row.get(8), reentryDelaySeconds: row.int64(9), presenceExpirySeconds: try row.get(10)))
        return DoorDefinition(
            branch: BranchID(try row.get(0)), door: door, updatedAt: Timestamp(milliseconds: try row.get(11)))
    }

    public func doors(branches: Set<BranchID>?) throws -> [DoorDefinition] {
        let all = try db.query("SELECT \(Self.doorColumns) FROM doors ORDER BY branch_id, id", map: Self.door)
        guard let branches else { return all }
        return all.filter { branches.contains($0.branch) }
    }

    public func door(branch: BranchID, id: Int64) throws -> DoorDefinition? {
        try db.queryFirst(
            "SELECT \(Self.doorColumns) FROM doors WHERE branch_id = ? AND id = ?", branch.rawValue, id, map: Self.door)
    }

    private func changed(_ branch: BranchID, now: Timestamp) throws {
        try db.run(
            "INSERT INTO change_log (at, entity, entity_id) VALUES (?, 'branch_setup', ?)", now.milliseconds,
            branch.rawValue)
    }

    private func nameTaken(_ name: String, branch: BranchID, except id: Int64?) throws -> Bool {
        try db.queryFirst(
            "SELECT 1 FROM doors WHERE branch_id = ? AND name = ? AND id IS DISTINCT FROM ?", branch.rawValue, name, id,
            map: { _ in true }) ?? false
    }

    private func write(_ door: SyncDoor, branch: BranchID, now: Timestamp) throws {
        try db.run(
            """
            INSERT INTO doors (\(Self.doorColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (branch_id, id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                direction = excluded.direction, mode = excluded.mode, schedule = excluded.schedule,
                card_and_pin = excluded.card_and_pin, anti_passback = excluded.anti_passback,
                reentry_delay_s = excluded.reentry_delay_s, presence_expiry_s = excluded.presence_expiry_s,
                updated_at = excluded.updated_at
            """, branch.rawValue, door.id, door.name, door.kind.rawValue, door.direction.rawValue, door.mode.rawValue,
            door.schedule?.description, door.cardAndPin, door.antiPassback.inOut,
            door.antiPassback.reentryDelaySeconds, door.antiPassback.presenceExpirySeconds, now.milliseconds)
        try changed(branch, now: now)
    }

    public func addDoor(_ door: SyncDoor, id: Int64?, branch: BranchID, now: Timestamp) throws -> DoorDefinition {
        var door = door
        if let id {
            guard try self.door(branch: branch, id: id) == nil else {
                throw AccountError.conflict("id", "this branch already has door \(id)")
            }
            door.id = id
        } else {
            door.id = try db.scalar(
                "SELECT coalesce(max(id), 0) + 1 FROM doors WHERE branch_id = ?", branch.rawValue, as: Int64.self)
        }
        guard try !nameTaken(door.name, branch: branch, except: nil) else {
            throw AccountError.conflict("name", "this branch already has a door named \(door.name)")
        }
        try write(door, branch: branch, now: now)
        return DoorDefinition(branch: branch, door: door, updatedAt: now)
    }

    public func updateDoor(_ door: SyncDoor, branch: BranchID, now: Timestamp) throws -> DoorDefinition? {
        guard try self.door(branch: branch, id: door.id) != nil else { return nil }
        guard try !nameTaken(door.name, branch: branch, except: door.id) else {
            throw AccountError.conflict("name", "this branch already has a door named \(door.name)")
        }
        try write(door, branch: branch, now: now)
        return DoorDefinition(branch: branch, door: door, updatedAt: now)
    }

    public func removeDoor(branch: BranchID, id: Int64, now: Timestamp) throws -> DoorDefinition? {
        guard let found = try door(branch: branch, id: id) else { return nil }
        try db.run("DELETE FROM doors WHERE branch_id = ? AND id = ?", branch.rawValue, id)
        try changed(branch, now: now)
        return found
    }

    static func entry(_ row: Row) throws -> CalendarEntry {
        let hours: String? = try row.get(2)
        return CalendarEntry(
            branch: BranchID(try row.get(0)),
            day: CalendarDay(
                day: LocalDay(daysSinceEpoch: Int32(try row.get(1) as Int64)),
                hours: try hours.map { try DailyHours(parsing: $0) }, note: try row.get(3)),
            updatedAt: Timestamp(milliseconds: try row.get(4)))
    }

    public func calendar(branch: BranchID, from: LocalDay, through: LocalDay?) throws -> [CalendarEntry] {
        try db.query(
            """
            SELECT branch_id, day, hours, note, updated_at FROM calendar_days
            WHERE branch_id = ? AND day >= ? AND day <= ? ORDER BY day
            """, branch.rawValue, Int64(from.rawValue), Int64(through?.rawValue ?? Int32.max), map: Self.entry)
    }

    private func entry(_ day: LocalDay, branch: BranchID) throws -> CalendarEntry? {
        try db.queryFirst(
            "SELECT branch_id, day, hours, note, updated_at FROM calendar_days WHERE branch_id = ? AND day = ?",
            branch.rawValue, Int64(day.rawValue), map: Self.entry)
    }

    public func setCalendarDay(_ day: CalendarDay, branch: BranchID, now: Timestamp) throws -> CalendarEntry? {
        let before = try entry(day.day, branch: branch)
        try db.run(
            """
            INSERT INTO calendar_days (branch_id, day, hours, note, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (branch_id, day) DO UPDATE SET hours = excluded.hours, note = excluded.note,
                updated_at = excluded.updated_at
            """, branch.rawValue, Int64(day.day.rawValue), day.hours?.description, day.note, now.milliseconds)
        try changed(branch, now: now)
        return before
    }

    public func removeCalendarDay(_ day: LocalDay, branch: BranchID, now: Timestamp) throws -> CalendarEntry? {
        guard let before = try entry(day, branch: branch) else { return nil }
        try db.run("DELETE FROM calendar_days WHERE branch_id = ? AND day = ?", branch.rawValue, Int64(day.rawValue))
        try changed(branch, now: now)
        return before
    }

    public func setup(branch: BranchID, from: LocalDay) throws -> SyncBranchSetup {
        try db.read {
            try SyncBranchSetup(
                doors: try doors(branches: [branch]).map(\.door),
                calendar: try calendar(branch: branch, from: from, through: nil).map(\.day)
            ).with(
                SQLOccupancyStore(connection: db).limits(branch: branch),
                chain: SQLSettingsStore(connection: db).chain()
            ).with(dayPassKey: try DayPassKey.publicHex(db))
        }
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLDoorStore: Sendable {}
