import Foundation
import PorteroModel
import Synchronization

/// Time-zone rules by IANA name, read once per process (the tz files do not change under us).
package enum ZoneCache {
    private static let cache = Mutex<[String: ZoneRules]>([:])

    package static func rules(_ identifier: String) -> ZoneRules {
        if let found = cache.withLock({ $0[identifier] }) { return found }
        let rules = (try? ZoneRules(identifier: identifier)) ?? ZoneRules(fixedOffsetSeconds: 0)
        cache.withLock { $0[identifier] = rules }
        return rules
    }
}

/// One attendance row as the BackOffice shows it.
public struct AttendanceView: Hashable, Sendable, Codable {
    public var id: String
    public var branch: Int64
    public var door: Int64
    public var at: Timestamp
    public var localDate: LocalDay
    public var direction: String
    public var credentialKind: String
    public var cardNumber: String?
    public var userID: Int64?
    public var clave: Int64?
    public var userName: String?
    public var subscriptionID: Int64?
    public var granted: Bool
    public var reason: String
    public var recordedBy: Int64?
    public var note: String
}

/// Attendance filters; every query is limited to `branches` (nil: all, SuperAdministrador).
public struct AttendanceFilter: Sendable {
    public var branches: Set<BranchID>?
    public var door: Int64?
    public var from: LocalDay?
    public var to: LocalDay?
    public var user: Int64?
    public var reason: String?
    public var granted: Bool?
    /// Keyset paging: rows strictly older than this (at, id).
    public var before: (at: Int64, id: [UInt8])?
    /// Rows strictly newer than this (following new rows, `portero attendance tail`).
    public var after: (at: Int64, id: [UInt8])?
    public init() {}
}

/// A door command as stored. A lockdown or free access lasts until a release, a later mode for
/// the same doors, or `until`.
public struct DoorCommand: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case unlockOnce = "unlock_once", lockdown, freeAccess = "free_access", release
    }
    public var id: Int64
    public var branch: Int64
    public var door: Int64?
    public var command: Kind
    public var reason: String
    public var createdBy: Int64
    public var createdAt: Timestamp
    public var deliveredAt: Timestamp?
    public var until: Timestamp?
}

/// A notification as one user sees it.
public struct NotificationView: Hashable, Sendable, Codable {
    public var id: Int64
    public var audience: String
    public var role: String?
    public var branch: Int64?
    public var level: String
    public var title: String
    public var body: String
    public var source: String
    public var createdAt: Timestamp
    public var read: Bool
}

/// Who a notification is for.
public enum NotificationAudience: Sendable {
    case system
    case role(Role, branch: BranchID?)
    case user(UserID)
}

/// Attendance, manual check-ins, door commands and notifications.
public protocol OperationsStore: NotificationPreferenceStore {
    /// Newest first, at most `limit`, keyset-paged.
    func attendance(_ filter: AttendanceFilter, limit: Int) throws -> [AttendanceView]
    /// Stores one event once: false when its id was already stored (a replayed upload).
    @discardableResult
    func record(
        _ event: AttendanceEvent, device: Int64?, recordedBy: Int64?, note: String, zone: ZoneRules, now: Timestamp
    ) throws -> Bool
    /// Stores a device's uploaded events once each, in a few statements; returns the ids that were
    /// new (a replayed event is skipped).
    func recordUploaded(_ events: [AttendanceEvent], device: Int64, zone: ZoneRules, now: Timestamp) throws
        -> [EventID]
    /// Queues a command for a branch's doors (all of them when `door` is nil); the feed carries it.
    func addDoorCommand(
        branch: BranchID, door: Int64?, command: DoorCommand.Kind, reason: String, until: Timestamp?,
        by user: UserID, now: Timestamp
    ) throws -> DoorCommand
    /// The latest door commands of `branches` (nil: all), newest first.
    func doorCommands(branches: Set<BranchID>?, limit: Int) throws -> [DoorCommand]
    /// Posts a notification; returns its id.
    @discardableResult
    func notify(
        _ audience: NotificationAudience, level: String, title: String, body: String, source: String, by user: UserID?,
        now: Timestamp
    ) throws -> Int64
    /// What `account` may see (everything for all, their roles at their branches, and their own),
    /// filtered by `filter` (all, unread or urgent), newest first.
    func notifications(for account: Account, filter: String, limit: Int) throws -> [NotificationView]
    func unreadCount(for account: Account) throws -> Int
    /// Marks one (or, with nil, every visible) notification read; returns how many changed.
    func markRead(_ id: Int64?, for account: Account, now: Timestamp) throws -> Int
    /// Turns the urgent notifications from `source` into information, their title ending with
    /// `note` (an alarm that is over); returns how many.
    func resolveNotifications(source: String, note: String) throws -> Int
}
