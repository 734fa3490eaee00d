import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire

extension Schema {
    static let doorDefinition = named(
        "DoorDefinition",
        .object(
            [
                "branch": .id, "id": .id, "name": .text, "kind": .string(values: DoorKind.allCases.map(\.rawValue)),
                "direction": .string(values: DoorDirection.allCases.map(\.rawValue)),
                "mode": .string(values: DoorMode.allCases.map(\.rawValue)), "cardAndPin": .boolean,
                "antiPassback": .boolean, "presenceExpirySeconds": .integer(minimum: 60, maximum: 604_800),
                "updatedAt": .timestamp,
            ],
            optional: ["schedule": .text, "reentryDelaySeconds": .integer(minimum: 1, maximum: 86_400)]))

    static let calendarEntry = named(
        "CalendarDay",
        .object(
            [
                "branch": .id, "day": .date, "kind": .string(values: ["closed", "special_hours"]), "note": .text,
                "updatedAt": .timestamp,
            ],
            optional: ["hours": .text]))

    static let branchSetup = named(
        "BranchSetup",
        .object(
            [
                "doors": .array(
                    .object(
                        [
                            "id": .id, "name": .text, "kind": .text, "direction": .text, "mode": .text,
                            "cardAndPin": .boolean,
                            "antiPassback": .object(
                                ["inOut": .boolean, "presenceExpirySeconds": .integer()],
                                optional: ["reentryDelaySeconds": .integer()]),
                        ], optional: ["schedule": .text])),
                "calendar": .array(.object(["day": .date, "note": .text], optional: ["hours": .text])),
            ],
            optional: [
                "occupancyWarn": .people, "occupancyLimit": .people, "occupancyRefuses": .boolean,
                "usualVisitMinutes": .visitMinutes,
                "journalRetentionDays": .retentionDays,
            ]))

    /// A weekly schedule's text (its grammar is checked by the handler).
    static let scheduleText = Schema.string(minLength: 1, maxLength: 500)
}

extension CoreAPI {
    /// The furthest ahead a calendar day may be set.
    static let calendarHorizonDays = 1_100

    /// A door's settings as the API takes them: every field but the name has a default, and a
    /// PUT replaces them all.
    static let doorFields: [BodyField] = [
        .required("name", .name),
        .optional("kind", .string(values: DoorKind.allCases.map(\.rawValue))),
        .optional("direction", .string(values: DoorDirection.allCases.map(\.rawValue))),
        .optional("mode", .string(values: DoorMode.allCases.map(\.rawValue))),
        .optional("schedule", .scheduleText), .optional("cardAndPin", .boolean), .optional("antiPassback", .boolean),
        .optional("reentryDelaySeconds", .integer(minimum: 1, maximum: 86_400)),
        .optional("presenceExpirySeconds", .integer(minimum: 60, maximum: 604_800)),
    ]

    struct DoorBody: Decodable {
        let id: Int64?
        let name: String
        let kind: DoorKind?
        let direction: DoorDirection?
        let mode: DoorMode?
        let schedule: String?
        let cardAndPin: Bool?
        let antiPassback: Bool?
        let reentryDelaySeconds: Int64?
        let presenceExpirySeconds: Int64?

        func door(id: Int64) throws -> SyncDoor {
            try FieldRules.checkName(name, field: "name", required: true)
            var parsed: WeeklySchedule?
            if let schedule {
                do { parsed = try WeeklySchedule(parsing: schedule) } catch {
                    throw AccountError(field: "schedule", problem: "\(error)")
                }
            }
            if let delay = reentryDelaySeconds, !(1...86_400).contains(delay) {
                throw AccountError(field: "reentryDelaySeconds", problem: "from 1 to 86400 seconds")
            }
            if let expiry = presenceExpirySeconds, !(60...604_800).contains(expiry) {
                throw AccountError(field: "presenceExpirySeconds", problem: "from 60 to 604800 seconds")
            }
            return SyncDoor(
                id: id, name: name, kind: kind ?? .turnstile, direction: direction ?? .both, mode: mode ?? .normal,
                schedule: parsed, cardAndPin: cardAndPin ?? false,
                antiPassback: AntiPassbackRule(
                    inOut: antiPassback ?? false, reentryDelaySeconds: reentryDelaySeconds,
                    presenceExpirySeconds: presenceExpirySeconds ?? 12 * 3600))
        }
    }

    /// The branch of the path, when the caller holds `privilege` there; else a 404.
    static func setupBranch(_ request: APIRequest, _ privilege: Privilege) throws -> Branch {
        let branch = BranchID(try request.id(what: "branch"))
        guard try request.actor.may(privilege, at: branch), let found = try request.database.accounts.branch(branch)
        else { throw HTTPResponseError(.error(404, "no such branch")) }
        return found
    }

    static func auditFields(_ door: SyncDoor) -> [String: Any] {
        var fields: [String: Any] = [
            "name": door.name, "kind": door.kind.rawValue, "direction": door.direction.rawValue,
            "mode": door.mode.rawValue, "cardAndPin": door.cardAndPin, "antiPassback": door.antiPassback.inOut,
            "presenceExpirySeconds": door.antiPassback.presenceExpirySeconds,
        ]
        if let schedule = door.schedule { fields["schedule"] = schedule.description }
        if let delay = door.antiPassback.reentryDelaySeconds { fields["reentryDelaySeconds"] = delay }
        return fields
    }

    /// Each branch's doors (everything but the wiring) and its calendar of closures and special
    /// hours: read by the desk, set by those who manage branches, carried to the branch's
    /// controllers by the feed.
    package static func declareDoorSetupRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/branches/:id/doors", .privilege(.attendance),
            "A branch's doors as headquarters defines them",
            answers: [.json(200, .array(.doorDefinition))]
        ) { request in
            let branch = try setupBranch(request, .attendance)
            return .json(try request.database.doors.doors(branches: [branch.id]))
        }
        table.add(
            .post, "/api/v1/branches/:id/doors", .privilege(.branches),
            "Add a door to a branch; its id (the controller's doors[].id) is the next free one unless given",
            body: [.optional("id", .integer(minimum: 1, maximum: Int64(Int32.max)))] + doorFields,
            answers: [.json(201, .doorDefinition)]
        ) { request in
            let body = try request.body(DoorBody.self)
            let branch = try setupBranch(request, .branches)
            let door = try body.door(id: 0)
            let added = try request.database.write {
                let added = try request.database.doors.addDoor(door, id: body.id, branch: branch.id, now: request.now)
                try request.audit(
                    "door.add", target: "branch:\(branch.id)",
                    changes: auditFields(added.door).merging(["door": added.door.id]) { $1 })
                return added
            }
            return .json(added, status: 201)
        }
        table.add(
            .put, "/api/v1/branches/:id/doors/:door", .privilege(.branches),
            "Replace a door's settings (a field left out takes its default)", body: doorFields,
            answers: [.json(200, .doorDefinition)]
        ) { request in
            let body = try request.body(DoorBody.self)
            let branch = try setupBranch(request, .branches)
            let id = try request.id("door", what: "door")
            let door = try body.door(id: id)
            let updated = try request.database.write { () -> DoorDefinition? in
                guard let updated = try request.database.doors.updateDoor(door, branch: branch.id, now: request.now)
                else { return nil }
                try request.audit(
                    "door.update", target: "branch:\(branch.id)",
                    changes: auditFields(door).merging(["door": id]) { $1 })
                return updated
            }
            guard let updated else { return .error(404, "no such door") }
            return .json(updated)
        }
        table.add(
            .delete, "/api/v1/branches/:id/doors/:door", .privilege(.branches),
            "Remove a door: its controllers refuse entries at it until it is defined again", answers: [.noContent]
        ) { request in
            let branch = try setupBranch(request, .branches)
            let id = try request.id("door", what: "door")
            let removed = try request.database.write { () -> DoorDefinition? in
                guard let removed = try request.database.doors.removeDoor(branch: branch.id, id: id, now: request.now)
                else { return nil }
                try request.audit(
                    "door.remove", target: "branch:\(branch.id)", changes: ["door": id, "name": removed.door.name])
                return removed
            }
            return removed == nil ? .error(404, "no such door") : HTTPResponse(status: 204)
        }
        declareCalendarRoutes(&table)
        table.add(
            .get, "/api/v1/sync/setup", .device,
            "The device's branch's doors and calendar (from yesterday on), which a new replica takes after "
                + "its snapshot",
            answers: [.json(200, .branchSetup)]
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            let yesterday = request.today(device.branch).adding(days: -1)
            return .json(try request.database.doors.setup(branch: device.branch, from: yesterday))
        }
    }

    static func declareCalendarRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/branches/:id/calendar", .privilege(.attendance),
            "A branch's closures and special hours from a day (today unless given) on, through another if given",
            query: [.date("from"), .date("to")], answers: [.json(200, .array(.calendarEntry))]
        ) { request in
            let branch = try setupBranch(request, .attendance)
            let from = try dayQuery(request, "from") ?? request.today(branch.id)
            let through = try dayQuery(request, "to")
            return .json(try request.database.doors.calendar(branch: branch.id, from: from, through: through))
        }
        table.add(
            .put, "/api/v1/branches/:id/calendar", .privilege(.branches),
            "Set a day of a branch's calendar, from today on: closed all day, or open only during special hours "
                + "(HH:MM-HH:MM; ...); it replaces what the day held",
            body: [
                .required("day", .date), .required("kind", .string(values: ["closed", "special_hours"])),
                .optional("hours", .string(minLength: 1, maxLength: 200)), .required("note", .name),
            ],
            bodyRules: [
                .requiredWhen(field: "kind", value: "special_hours", required: ["hours"]),
                .onlyWhen(allowed: "hours", field: "kind", values: ["special_hours"]),
            ],
            answers: [.json(200, .calendarEntry)]
        ) { request in
            struct Body: Decodable {
                let day: String
                let kind: String
                let hours: String?
                let note: String
            }
            let body = try request.body(Body.self)
            let branch = try setupBranch(request, .branches)
            let today = request.today(branch.id)
            guard let day = LocalDay(iso: body.day) else {
                throw AccountError(field: "day", problem: "a date as YYYY-MM-DD")
            }
            guard day >= today, day <= today.adding(days: calendarHorizonDays) else {
                throw AccountError(field: "day", problem: "from today (\(today)) to \(calendarHorizonDays) days ahead")
            }
            var hours: DailyHours?
            switch (body.kind, body.hours) {
            case ("closed", nil): break
            case ("special_hours", let text?):
                do { hours = try DailyHours(parsing: text) } catch {
                    throw AccountError(field: "hours", problem: "\(error)")
                }
            case ("closed", _): throw AccountError(field: "hours", problem: "a closed day has no hours")
            case ("special_hours", nil): throw AccountError(field: "hours", problem: "special hours need the hours")
            default: throw AccountError(field: "kind", problem: "closed or special_hours")
            }
            try FieldRules.checkName(body.note, field: "note", required: true)
            let note = body.note
            let entry = CalendarDay(day: day, hours: hours, note: note)
            try request.database.write {
                _ = try request.database.doors.setCalendarDay(entry, branch: branch.id, now: request.now)
                var changes: [String: Any] = ["day": day.description, "kind": body.kind, "note": note]
                if let hours { changes["hours"] = hours.description }
                try request.audit("calendar.set", target: "branch:\(branch.id)", changes: changes)
            }
            return .json(CalendarEntry(branch: branch.id, day: entry, updatedAt: request.now))
        }
        table.add(
            .delete, "/api/v1/branches/:id/calendar", .privilege(.branches),
            "Clear a day of a branch's calendar: the doors' weekly schedules apply again",
            query: [QueryParameter(name: "day", schema: .date, required: true)], answers: [.noContent]
        ) { request in
            let branch = try setupBranch(request, .branches)
            guard let day = try dayQuery(request, "day") else {
                throw AccountError(field: "day", problem: "the day to clear, as YYYY-MM-DD")
            }
            let removed = try request.database.write { () -> CalendarEntry? in
                guard
                    let removed = try request.database.doors.removeCalendarDay(day, branch: branch.id, now: request.now)
                else { return nil }
                try request.audit("calendar.clear", target: "branch:\(branch.id)", changes: ["day": day.description])
                return removed
            }
            return removed == nil ? .error(404, "nothing is set on that day") : HTTPResponse(status: 204)
        }
    }

    static func dayQuery(_ request: APIRequest, _ name: String) throws -> LocalDay? {
        guard let text = request.query(name) else { return nil }
        guard let day = LocalDay(iso: text) else {
            throw HTTPResponseError(.error(400, "query parameter \(name) must be a date as YYYY-MM-DD"))
        }
        return day
    }
}
