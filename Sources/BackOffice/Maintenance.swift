import CoreStorage
import Foundation
import PorteroModel

/// When the core raises alarms about its devices by itself.
public struct AlarmPolicy: Sendable {
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
                let branches = Dictionary(
                    uniqueKeysWithValues: try database.accounts.branches().map { ($0.id, $0.name) })
                func tell(_ device: Device, _ title: String, _ body: String) throws {
                    for role in [Role.administrator, .branchManager] {
                        try database.operations.notify(
                            .role(role, branch: device.branch), level: "urgent", title: title, body: body,
                            source: "device", by: nil, now: now)
                        raised += 1
                    }
                    _ = try database.audit.append(
                        actor: "system", action: "alarm.device", target: "device:\(device.id)",
                        changes: AuditChanges.json(["title": title]), concerning: [device.branch], at: now)
                }
                for device in try database.devices.takeNewlyOffline(
                    before: Timestamp(milliseconds: now.milliseconds - policy.offlineAfterSeconds * 1000))
                {
                    let place = branches[device.branch] ?? "branch \(device.branch)"
                    let since =
                        device.lastSeen.map { "\(max(0, (now.milliseconds - $0.milliseconds) / 60_000)) min" }
                        ?? "enrolment"
                    try tell(
                        device, "\(device.name) at \(place) is offline",
                        "No contact for \(since). Doors keep deciding from the local replica; check power and network.")
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
