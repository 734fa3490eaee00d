import CoreStorage
import Foundation
import PorteroModel

/// When the core raises alarms about its devices by itself.
public struct AlarmPolicy: Equatable, Sendable {
    /// A device silent this long is reported offline (once per outage).
    public var offlineAfterSeconds: Int64 = 10 * 60
    /// A replica older than this (as the device reports it) is reported stale (once until it recovers).
    public var staleReplicaSeconds: Int64 = 60 * 60
    /// Change-log entries older than this are dropped; a branch further behind bootstraps again.
    public var changeLogDays: Int64 = 30
    public init() {}
}

extension CoreAPI {
    /// The periodic work of a running core: urgent notifications to the administrators and the
    /// branch managers of a branch whose device went silent or whose replica is stale. Returns
    /// how many notifications it raised. `portero-core serve` runs it every 30 s.
    @discardableResult
    public func maintain(policy: AlarmPolicy = AlarmPolicy()) throws -> Int {
        let now = clock()
        return try withDatabase { database in
            try database.write {
                var raised = 0
                // The chain's configuration sets the silence that counts as offline, else the file does.
                let offlineAfter =
                    try database.settings.chain().deviceOfflineMinutes.map { Int64($0) * 60 }
                    ?? policy.offlineAfterSeconds
                let branches = Dictionary(
                    uniqueKeysWithValues: try database.accounts.branches().map { ($0.id, $0.name) })
                func tell(
                    _ device: Device, _ title: String, _ body: String, level: String = "urgent",
                    source: String = "device"
                ) throws {
                    for role in [Role.administrator, .branchManager] {
                        try database.operations.notify(
                            .role(role, branch: device.branch), level: level, title: title, body: body,
                            source: source, by: nil, now: now)
                        raised += 1
                    }
                    _ = try database.audit.append(
                        actor: "system", action: "alarm.device", target: "device:\(device.id)",
                        changes: AuditChanges.json(["title": title]), concerning: [device.branch], at: now)
                }
                for device in try database.devices.takeNewlyOffline(
                    before: Timestamp(milliseconds: now.milliseconds - offlineAfter * 1000))
                {
                    let place = branches[device.branch] ?? "branch \(device.branch)"
                    let since =
                        device.lastSeen.map { "\(max(0, (now.milliseconds - $0.milliseconds) / 60_000)) min" }
                        ?? "enrolment"
                    try tell(
                        device, "\(device.name) at \(place) is offline",
                        "No contact for \(since). Doors keep deciding from the local replica; check power and network.",
                        source: "device:\(device.id)")
                }
                // A device heard from again clears its offline alarm, and says so.
                for device in try database.devices.takeBackOnline(
                    since: Timestamp(milliseconds: now.milliseconds - offlineAfter * 1000))
                {
                    let place = branches[device.branch] ?? "branch \(device.branch)"
                    _ = try database.operations.resolveNotifications(
                        source: "device:\(device.id)", note: "back online")
                    try tell(
                        device, "\(device.name) at \(place) is back online",
                        "Its events and changes catch up by themselves.", level: "info", source: "device:\(device.id)")
                }
                for device in try database.devices.takeNewlyStale(olderThan: policy.staleReplicaSeconds) {
                    let place = branches[device.branch] ?? "branch \(device.branch)"
                    try tell(
                        device, "\(device.name) at \(place) has a stale replica",
                        "Its member data is \((device.replicaAgeSeconds ?? 0) / 60) min old: "
                            + "changes made here have not reached its doors."
                    )
                }
                try database.sync.prune(
                    before: Timestamp(milliseconds: now.milliseconds - policy.changeLogDays * 86_400_000))
                return raised
            }
        }
    }
}
