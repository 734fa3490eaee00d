import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire

extension CoreAPI {
    package static let syncBatchLimit = 1_000

    /// The branch sync: the change feed (long poll), snapshot pages and attendance upload.
    package static func declareSyncRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/sync/changes", .device,
            "Changes after a cursor that concern the device's branch; "
                + "wait=SECONDS (up to 30) holds the answer until one comes; "
                + "version=2 adds each changed person's entries in the chain's card index (chain_member items)",
            query: [.integer("after", 0...Int64.max), .integer("wait", 0...30), .integer("version", 1...2)],
            answers: [.json(200, .syncBatch)]
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            guard let after = Int64(request.query("after") ?? ""), after >= 0 else {
                return .error(400, "query parameter after must be a cursor (0 for none)")
            }
            let wait = try request.queryInt("wait", default: 0, range: 0...30)
            request.api.metrics.asked(device: device.id, after: after)
            // A daemon that does not say it keeps the chain's card index gets none of it: it would
            // refuse an item of a kind it does not know, and with it the whole batch.
            let chainIndex = try request.queryInt("version", default: 1, range: 1...2) >= 2
            let branch = device.branch
            let batch = try request.database.sync.batch(
                branch: branch, after: after, limit: syncBatchLimit, zone: request.zone(branch), now: request.now,
                chainIndex: chainIndex)
            if wait == 0 || batch.snapshotRequired || !batch.items.isEmpty || !batch.commands.isEmpty || batch.more
                || batch.cursor != after
            {
                return .json(batch)
            }
            let deferred = HTTPDeferred()
            let api = request.api
            api.feed.wait(
                FeedNotifier.Waiter(
                    deferred: deferred, deadline: .now() + .seconds(wait), key: "feed|\(branch)|\(after)|\(chainIndex)"
                ) { final in
                    api.feedAnswer(branch: branch, after: after, chainIndex: chainIndex, final: final)
                })
            return .later(deferred)
        }
        table.add(
            .get, "/api/v1/sync/snapshot", .device,
            "A page of the device branch's whole replica, by user id, with the chain's card index entries "
                + "of those ids; the first page carries the plans and the sequence to follow from",
            query: [.integer("after", 0...Int64.max), .integer("limit", 1...20_000)],
            answers: [
                .json(200, .syncSnapshotPage, "a page"),
                .file(SyncBinary.mediaTypeV6, "a page, binary (asked for in Accept)"),
                .file(SyncBinary.mediaTypeV5, "a page, binary, without phones (asked for in Accept)"),
                .file(SyncBinary.mediaTypeV4, "a page, binary, without payments owed (asked for in Accept)"),
                .file(
                    SyncBinary.mediaTypeV3,
                    "a page, binary, without those, the chain's card index and visits elsewhere (asked for in Accept)"),
                .file(
                    SyncBinary.mediaType,
                    "a page, binary, without those and duress PINs (asked for in Accept)"),
            ]
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            guard let after = Int64(request.query("after") ?? "0"), after >= 0 else {
                return .error(400, "query parameter after must be a user id (0 to start)")
            }
            let limit = try request.queryInt("limit", default: 5_000, range: 1...20_000)
            let page = try request.database.sync.snapshotPage(
                branch: device.branch, after: after, limit: limit, zone: request.zone(device.branch), now: request.now
            )
            // Daemons ask for the compact binary form, the newest version they read first; anything
            // else gets JSON.
            let accept = request.context.request.header("accept") ?? ""
            for (type, version) in SyncBinary.snapshotVersions
            where accept.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == type }) {
                return HTTPResponse(
                    status: 200, headers: [("Content-Type", type)], body: try SyncBinary.encode(page, version: version))
            }
            return .json(page)
        }
        table.add(
            .post, "/api/v1/sync/attendance", .device,
            "Attendance events from the branch's outbox; "
                + "each id is stored once and the answer lists the ids the core holds",
            body: [.required("events", .strings)], answers: [.json(200, .syncUploadAnswer)], bodyLimit: 16 << 20
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            let upload: SyncUpload
            do {
                if request.context.request.header("content-type")?.hasPrefix(SyncBinary.mediaType) == true {
                    upload = try SyncBinary.decodeUpload(request.context.request.body)
                } else {
                    upload = try JSONDecoder().decode(SyncUpload.self, from: Data(request.context.request.body))
                }
            } catch {
                return .error(400, "the body is not a list of attendance events: \(error)")
            }
            guard upload.events.count <= 20_000 else { return .error(413, "at most 20,000 events per upload") }
            if let stray = upload.events.first(where: { $0.branchID != device.branch }) {
                return .error(
                    400,
                    "event \(stray.id) names branch \(stray.branchID); this device belongs to branch \(device.branch)")
            }
            guard let branch = try request.database.accounts.branch(device.branch) else {
                return .error(404, "the device's branch is gone")
            }
            let stored = try storeAttendance(
                upload.events, device: device.id, zone: ZoneCache.rules(branch.timeZone), request)
            request.api.metrics.stored(stored)
            return .json(
                SyncUploadAnswer(
                    acknowledged: upload.events.map(\.id), stored: stored, duplicates: upload.events.count - stored))
        }
        table.add(
            .post, "/api/v1/sync/commands", .device,
            "Changes made at the branch (a card given at reception): each applied once per device and id, "
                + "as the device, and the result answered; the feed brings the outcome",
            body: [.required("commands", .strings)], answers: [.json(200, .syncCommandAnswer)]
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            let upload: SyncCommandUpload
            do {
                upload = try JSONDecoder().decode(SyncCommandUpload.self, from: Data(request.context.request.body))
            } catch {
                return .error(400, "the body is not a list of branch commands: \(error)")
            }
            guard upload.commands.count <= 100 else { return .error(413, "at most 100 commands per request") }
            let database = request.database
            let results = try database.write { () throws -> [SyncCommandAnswer.Result] in
                try upload.commands.map { command in
                    if let done = try database.sync.commandResult(device: device.id, localID: command.id) {
                        return done
                    }
                    var applied = false
                    var message = ""
                    let number = CardNumber(rawValue: command.number)
                    if let member = try database.accounts.account(UserID(command.user)),
                        member.branches.contains(device.branch) || member.roles.contains(.superAdministrator)
                    {
                        do {
                            try database.db.transaction {
                                let card = try database.members.addCard(member.id, number: number, now: request.now)
                                var changes: [String: Any] = [
                                    "card": card.id, "number": card.number, "at": "branch \(device.branch)",
                                ]
                                // Who made it at the branch: a value in the changes, whatever its characters.
                                if let local = command.localUser {
                                    var named: [String: Any] = ["uid": Int(local.uid)]
                                    named["name"] = local.name
                                    changes["localUser"] = named
                                }
                                try request.audit("card.create", target: "user:\(member.id)", changes: changes)
                            }
                            applied = true
                        } catch let error as AccountError {
                            message = "\(error)"
                        }
                    } else {
                        message = "user \(command.user) is not a member of branch \(device.branch)"
                    }
                    if !applied {
                        // The branch gave the card already: the feed takes it back, and its staff hear why.
                        try database.members.recordChange("user", command.user, now: request.now)
                        try database.operations.notify(
                            .role(.branchManager, branch: device.branch), level: "urgent",
                            title: "Card \(number) given at the branch was refused",
                            body: message, source: "sync", by: nil, now: request.now)
                    }
                    try database.sync.recordCommand(
                        command, device: device.id, applied: applied, message: message, now: request.now)
                    return SyncCommandAnswer.Result(id: command.id, applied: applied, message: message)
                }
            }
            return .json(SyncCommandAnswer(results: results))
        }
        table.add(
            .post, "/api/v1/sync/alarms", .device,
            "Door alarms raised at the branch (forced, held open, duress, keypad locked, near capacity, branch full): "
                + "urgent notifications to its administrators and managers",
            body: [.required("alarms", .strings)], answers: [.json(200, .object(["received": .count]))]
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            let upload: SyncAlarmUpload
            do {
                upload = try JSONDecoder().decode(SyncAlarmUpload.self, from: Data(request.context.request.body))
            } catch {
                return .error(400, "the body is not a list of alarms: \(error)")
            }
            guard upload.alarms.count <= 100 else { return .error(413, "at most 100 alarms per report") }
            guard upload.alarms.allSatisfy({ SyncAlarm.kinds.contains($0.alarm) && $0.doorName.count <= 100 })
            else {
                return .error(
                    400,
                    "an alarm is \(SyncAlarm.kinds.joined(separator: ", ")), with a door name of at most 100 characters"
                )
            }
            let branch = try request.database.accounts.branch(device.branch)
            let place = branch?.name ?? "branch \(device.branch)"
            try request.database.write {
                for alarm in upload.alarms {
                    // Whose duress PIN it was, by clave and name, for those who answer the alarm.
                    let person = try alarm.user.flatMap { try request.database.members.user(UserID($0)) }
                        .map { "clave \($0.clave), \($0.name) \($0.paternalSurname)" }
                    let title =
                        switch alarm.alarm {
                        case "forced": "Door forced: \(alarm.doorName) at \(place)"
                        case "held_open": "Door held open: \(alarm.doorName) at \(place)"
                        case "duress": "DURESS PIN at \(alarm.doorName), \(place)\(person.map { ": \($0)" } ?? "")"
                        case "near_capacity": "Branch near capacity: \(place) (at \(alarm.doorName))"
                        case "branch_full": "Branch full: \(place) (at \(alarm.doorName))"
                        default: "Keypad locked after wrong PINs: \(alarm.doorName) at \(place)"
                        }
                    for role in [Role.administrator, .branchManager] {
                        try request.database.operations.notify(
                            .role(role, branch: device.branch), level: "urgent", title: title,
                            body: "Raised at \(alarm.at) by \(device.name).", source: "door", by: nil, now: request.now)
                    }
                    var data: [String: Any] = [
                        "alarm": alarm.alarm, "at": alarm.at.milliseconds, "branch": device.branch.rawValue,
                        "door": alarm.door, "doorName": alarm.doorName, "device": device.id,
                    ]
                    data["user"] = alarm.user
                    try request.database.webhookEvent(
                        "door_alarm", branches: [device.branch], data: data, now: request.now)
                    var changes: [String: Any] = ["alarm": alarm.alarm, "at": alarm.at.milliseconds]
                    if let user = alarm.user { changes["user"] = user }
                    try request.audit(
                        "alarm.door", target: "door:\(device.branch):\(alarm.door)", changes: changes)
                }
            }
            return .json(["received": upload.alarms.count])
        }
    }
}
