import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire

extension CoreAPI {
    /// Remote door commands (a privilege of their own: Gerente de sucursal and above), their
    /// history, and the modes in force that a new replica takes after its snapshot.
    package static func declareDoorRoutes(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/branches/:id/commands", .privilege(.doorCommands),
            "A remote door command for a branch: unlock_once (a door), lockdown, free_access (a door or all, "
                + "for minutes or until released) or release",
            body: [
                .required("command", .string(values: DoorCommand.Kind.allCases.map(\.rawValue))),
                .optional("door", .id), .required("reason", .reason),
                .optional("minutes", .integer(minimum: 1, maximum: maximumModeMinutes)),
            ],
            bodyRules: [
                .requiredWhen(field: "command", value: "unlock_once", required: ["door"]),
                .onlyWhen(allowed: "minutes", field: "command", values: ["lockdown", "free_access"]),
            ],
            answers: [.json(201, .doorCommand)]
        ) { request in
            struct Body: Decodable {
                let command: String
                let door: Int64?
                let reason: String
                let minutes: Int64?
            }
            let body = try request.body(Body.self)
            let branch = BranchID(try request.id(what: "branch"))
            let actor = try request.actor
            guard actor.may(.doorCommands, at: branch), let found = try request.database.accounts.branch(branch) else {
                return .error(404, "no such branch")
            }
            guard let command = DoorCommand.Kind(rawValue: body.command) else {
                throw AccountError(field: "command", problem: "unlock_once, lockdown, free_access or release")
            }
            if let door = body.door, door < 1 { throw AccountError(field: "door", problem: "a door id (1 or more)") }
            if let door = body.door, try request.database.doors.door(branch: branch, id: door) == nil {
                throw AccountError.notFound(
                    "door", "branch \(branch) has no door \(door) (Doors page, portero doors add)")
            }
            if command == .unlockOnce && body.door == nil {
                throw AccountError(field: "door", problem: "unlock_once needs the door")
            }
            let reason = try checkReason(body.reason)
            if let minutes = body.minutes {
                guard command == .lockdown || command == .freeAccess else {
                    throw AccountError(field: "minutes", problem: "only a lockdown or free access lasts for minutes")
                }
                guard (1...maximumModeMinutes).contains(minutes) else {
                    throw AccountError(field: "minutes", problem: "from 1 to \(maximumModeMinutes)")
                }
            }
            let until = body.minutes.map { request.now.adding(milliseconds: $0 * 60_000) }
            let created = try request.database.write {
                let created = try request.database.operations.addDoorCommand(
                    branch: branch, door: body.door, command: command, reason: reason, until: until, by: actor.id,
                    now: request.now)
                var changes: [String: Any] = ["door": body.door ?? 0, "reason": reason, "command": created.id]
                if let until { changes["until"] = until.milliseconds }
                try request.audit("door.\(command.rawValue)", target: "branch:\(branch)", changes: changes)
                if command == .lockdown || command == .freeAccess {
                    let what = command == .lockdown ? "Lockdown" : "Free access"
                    let doors = body.door.map { "door \($0)" } ?? "every door"
                    try request.database.operations.notify(
                        .role(.branchManager, branch: branch), level: "urgent",
                        title: "\(what) at \(found.name), \(doors)", body: reason, source: "door", by: actor.id,
                        now: request.now)
                }
                return created
            }
            return .json(created, status: 201)
        }
        table.add(
            .get, "/api/v1/door-commands", .privilege(.attendance), "Door commands of your branches, newest first",
            query: [.integer("limit", 1...500)], answers: [.json(200, .array(.doorCommand))]
        ) { request in
            .json(
                try request.database.operations.doorCommands(
                    branches: try visibleBranches(request, .attendance),
                    limit: try request.queryInt("limit", default: 100, range: 1...500)))
        }
        table.add(
            .get, "/api/v1/doors", .privilege(.attendance),
            "The doors of your branches as their devices last reported them: mode, and the command that set it",
            answers: [.json(200, .array(.door))]
        ) { request in
            struct Door: Encodable {
                let branch: Int64
                let device: Int64
                let reportedAt: Timestamp?
                let state: SyncDoorState
                func encode(to encoder: any Encoder) throws {
                    try state.encode(to: encoder)
                    var container = encoder.container(keyedBy: Keys.self)
                    try container.encode(branch, forKey: .branch)
                    try container.encode(device, forKey: .device)
                    try container.encodeIfPresent(reportedAt, forKey: .reportedAt)
                }
                enum Keys: String, CodingKey { case branch, device, reportedAt }
            }
            let devices = try request.database.devices.devices(in: try visibleBranches(request, .attendance))
            return .json(
                devices.filter { $0.revokedAt == nil }.flatMap { device in
                    (device.doorModes ?? []).map {
                        Door(branch: device.branch.rawValue, device: device.id, reportedAt: device.lastSeen, state: $0)
                    }
                })
        }
        table.add(
            .get, "/api/v1/sync/door-modes", .device,
            "The lockdowns and free-access modes in force at the device's branch, as the commands that set "
                + "them, oldest first (a new replica takes them after its snapshot)",
            answers: [.json(200, .array(.syncDoorCommand))]
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            return .json(try request.database.sync.doorModes(branch: device.branch, now: request.now))
        }
    }

    /// The longest a lockdown or free access may be given for (30 days); past that, until released.
    package static let maximumModeMinutes: Int64 = 43_200
}
