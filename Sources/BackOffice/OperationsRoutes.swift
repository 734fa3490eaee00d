import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    /// Attendance, door commands, notifications, the dashboard, home, customers and leads, and profile settings.
    package static func declareOperationsRoutes(_ table: inout RouteTable) {
        let attendanceQuery: [QueryParameter] = [
            .integer("door", 0...Int64.max), .date("from"), .date("to"), .integer("user", 1...Int64.max),
            .choice("reason", ReasonCode.allCases.map(\.rawValue)), .boolean("granted"), .cursor("before"),
            .cursor("after"), .integer("limit", 1...1_000),
        ]
        table.add(
            .get, "/api/v1/attendance", .privilege(.attendance),
            "Attendance of your branches, newest first, by door, dates, user, reason; page with before=<cursor>",
            query: attendanceQuery, answers: [.json(200, .array(.attendance), "rows; X-Next-Cursor pages on")]
        ) { request in
            let rows = try request.database.operations.attendance(
                try attendanceFilter(request), limit: try request.queryInt("limit", default: 100, range: 1...1_000))
            var response = HTTPResponse.json(rows)
            if let last = rows.last { response.headers.append(("X-Next-Cursor", "\(last.at.milliseconds)~\(last.id)")) }
            return response
        }
        table.add(
            .get, "/api/v1/attendance/today", .privilege(.attendance),
            "Today's attendance at your branches (each branch's own today), newest first",
            query: [.integer("limit", 1...1_000)], answers: [.json(200, .array(.attendance))]
        ) { request in
            let limit = try request.queryInt("limit", default: 200, range: 1...1_000)
            let actor = try request.actor
            let branches =
                try visibleBranches(request, .attendance) ?? Set(try request.database.accounts.branches().map(\.id))
            var rows: [AttendanceView] = []
            for branch in branches where actor.may(.attendance, at: branch) {
                var filter = AttendanceFilter()
                filter.branches = [branch]
                let today = request.today(branch)
                filter.from = today
                filter.to = today
                rows += try request.database.operations.attendance(filter, limit: limit)
            }
            return .json(Array(rows.sorted { $0.at > $1.at }.prefix(limit)))
        }
        table.add(
            .get, "/api/v1/users/:id/attendance", .privilege(.attendance),
            "A user's attendance history at your branches", query: [.cursor("before"), .integer("limit", 1...1_000)],
            answers: [.json(200, .array(.attendance))]
        ) { request in
            let target = try target(request)
            var filter = try attendanceFilter(request)
            filter.user = target.id.rawValue
            return .json(
                try request.database.operations.attendance(
                    filter, limit: try request.queryInt("limit", default: 100, range: 1...1_000)))
        }
        table.add(
            .post, "/api/v1/attendance", .privilege(.attendance),
            "Check a user in by hand at a branch, with the reason (audited)",
            body: [
                .required("user", .id), .required("branch", .id), .optional("door", .count),
                .required("reason", .reason),
            ], answers: [.json(201, .attendance)]
        ) { request in
            struct Body: Decodable {
                let user: Int64
                let branch: Int64
                let door: Int64?
                let reason: String
            }
            let body = try request.body(Body.self)
            let actor = try request.actor
            guard actor.may(.attendance, at: BranchID(body.branch)) else {
                return .error(403, "attendance is not among your privileges at branch \(body.branch)")
            }
            guard let member = try request.database.accounts.account(UserID(body.user)), mayView(actor, member) else {
                throw AccountError.notFound("user", "no user \(body.user)")
            }
            let reason = try checkReason(body.reason)
            guard let branch = try request.database.accounts.branch(BranchID(body.branch)) else {
                throw AccountError.notFound("branch", "no branch \(body.branch)")
            }
            let event = AttendanceEvent(
                id: EventID(time: request.now), at: request.now, branchID: branch.id, doorID: DoorID(body.door ?? 0),
                direction: .entry,
                credentialKind: .manual, cardNumber: nil, userID: member.id, subscriptionID: nil, granted: true,
                reason: .grantedManual)
            try request.database.write {
                try request.database.operations.record(
                    event, device: nil, recordedBy: actor.id.rawValue, note: reason,
                    zone: ZoneCache.rules(branch.timeZone), now: request.now)
                try request.database.webhookEvent(
                    "attendance", branches: [branch.id], data: event.webhookData, now: request.now)
                try request.audit(
                    "attendance.manual", target: "user:\(member.id)",
                    changes: ["branch": body.branch, "reason": reason, "event": event.id.description],
                    concerning: member.branches.union([branch.id]))
            }
            var filter = AttendanceFilter()
            filter.user = member.id.rawValue
            return .json(try request.database.operations.attendance(filter, limit: 1).first, status: 201)
        }

        table.add(
            .get, "/api/v1/notifications", .signedIn, "Your notifications: filter all, unread or urgent",
            query: [.choice("filter", ["all", "unread", "urgent"]), .integer("limit", 1...500)],
            answers: [.json(200, .array(.notification))]
        ) { request in
            let filter = request.query("filter") ?? "all"
            guard ["all", "unread", "urgent"].contains(filter) else {
                return .error(400, "query parameter filter must be all, unread or urgent")
            }
            return .json(
                try request.database.operations.notifications(
                    for: try request.actor, filter: filter,
                    limit: try request.queryInt("limit", default: 100, range: 1...500)))
        }
        table.add(
            .get, "/api/v1/notifications/unread", .signedIn, "How many of your notifications are unread",
            answers: [.json(200, .object(["unread": .count]))]
        ) {
            request in
            struct Unread: Encodable { let unread: Int }
            return .json(Unread(unread: try request.database.operations.unreadCount(for: try request.actor)))
        }
        table.add(
            .post, "/api/v1/notifications/:id/read", .signedIn, "Mark one notification read",
            answers: [.json(200, .object(["marked": .integer(minimum: 0, maximum: 1)]), "1 if it was unread")]
        ) { request in
            let changed = try request.database.operations.markRead(
                try request.id(what: "notification"), for: try request.actor, now: request.now)
            return .json(["marked": changed])
        }
        table.add(
            .post, "/api/v1/notifications/read", .signedIn, "Mark all your notifications read",
            answers: [.json(200, .object(["marked": .count]))]
        ) { request in
            .json(["marked": try request.database.operations.markRead(nil, for: try request.actor, now: request.now)])
        }
        table.add(
            .post, "/api/v1/notifications", .privilege(.configuration),
            "Send a notification to everyone (system), a role (optionally at a branch) or one user; configuration "
                + "is needed at every branch it reaches (everyone and a role at no branch reach every branch)",
            body: [
                .required("audience", .string(values: ["system", "role", "user"])), .optional("role", .roleName),
                .optional("user", .id), .optional("branch", .id),
                .required("level", .string(values: ["info", "urgent"])), .required("title", .name),
                .optional("body", .string(maxLength: 4_000)),
            ],
            bodyRules: [
                .requiredWhen(field: "audience", value: "role", required: ["role"]),
                .requiredWhen(field: "audience", value: "user", required: ["user"]),
            ], answers: [.json(201, .object(["id": .id]))]
        ) { request in
            struct Body: Decodable {
                let audience: String
                let role: String?
                let user: Int64?
                let branch: Int64?
                let level: String
                let title: String
                let body: String?
            }
            let body = try request.body(Body.self)
            let audience: NotificationAudience
            // The branches it reaches (nil: every branch).
            let reach: Set<BranchID>?
            switch body.audience {
            case "system":
                audience = .system
                reach = nil
            case "role":
                guard let name = body.role, let role = Role(rawValue: name) else {
                    throw AccountError(field: "role", problem: "a role name is required for a role audience")
                }
                audience = .role(role, branch: body.branch.map { BranchID($0) })
                reach = body.branch.map { [BranchID($0)] }
            case "user":
                guard let user = body.user else {
                    throw AccountError(field: "user", problem: "a user id is required for a user audience")
                }
                guard let account = try request.database.accounts.account(UserID(user)),
                    mayView(try request.actor, account)
                else { throw AccountError.notFound("user", "no user \(user)") }
                audience = .user(account.id)
                reach = account.branches
            default: throw AccountError(field: "audience", problem: "system, role or user")
            }
            try requireEveryBranch(request, .configuration, reach, reaching: "the notification")
            let id = try request.database.write {
                let id = try request.database.operations.notify(
                    audience, level: body.level, title: body.title, body: body.body ?? "", source: "admin",
                    by: try request.actor.id, now: request.now)
                try request.audit(
                    "notification.create", target: "notification:\(id)",
                    changes: ["audience": body.audience, "level": body.level, "title": body.title],
                    concerning: try reach ?? everyBranch(request.database))
                return id
            }
            return .json(["id": id], status: 201)
        }

        table.add(
            .get, "/api/v1/dashboard", .privilege(.dashboard),
            "Seed 000's figures over from..to (default: this month) and your branches",
            query: [.date("from"), .date("to")], answers: [.json(200, .dashboard)]
        ) { request in
            let today = request.today(request.branch)
            let (year, month, _) = today.components
            let from =
                try day(request.query("from"), field: "from") ?? LocalDay(year: year, month: month, day: 1) ?? today
            let to = try day(request.query("to"), field: "to") ?? today
            guard from <= to, to.days(since: from) <= 3_660 else {
                return .error(400, "query parameters from and to: from must not be after to, within ten years")
            }
            return .json(
                try request.database.dashboard.figures(
                    try visibleBranches(request, .dashboard), from: from, to: to, today: today))
        }
        table.add(
            .get, "/api/v1/home", .privilege(.home),
            "Home: the users under follow-up first (seed 003), then today's attendance at your branches",
            answers: [.json(200, .home)]
        ) { request in
            let branches = try visibleBranches(request, .home)
            let followUp = try request.database.members.search(
                nil, in: branches, followUpOnly: true, limit: 50, offset: 0)
            var attendance: [AttendanceView] = []
            let actor = try request.actor
            for branch in try branches ?? Set(request.database.accounts.branches().map(\.id))
            where actor.may(.attendance, at: branch) {
                var filter = AttendanceFilter()
                filter.branches = [branch]
                filter.from = request.today(branch)
                filter.to = filter.from
                attendance += try request.database.operations.attendance(filter, limit: 50)
            }
            struct Answer: Encodable {
                let followUp: [UserView]
                let attendanceToday: [AttendanceView]
                let unreadNotifications: Int
            }
            return .json(
                Answer(
                    followUp: try followUp.map { try UserView($0, request.database, withCards: false) },
                    attendanceToday: Array(attendance.sorted { $0.at > $1.at }.prefix(50)),
                    unreadNotifications: try request.database.operations.unreadCount(for: actor)))
        }

        let peopleQuery: [QueryParameter] = [
            .boolean("active"), .text("city"), .integer("agreement", 1...Int64.max), .text("q"),
            .choice("format", ["json", "csv", "xlsx"]), .integer("limit", 1...1_000),
            .integer("offset", 0...10_000_000),
        ]
        table.add(
            .get, "/api/v1/customers", .privilege(.users),
            "Customers (members who bought a subscription): filters; format=csv or xlsx exports all",
            query: peopleQuery, answers: peopleAnswers
        ) { request in
            try exportPeople(request, .customers)
        }
        table.add(
            .get, "/api/v1/leads", .privilege(.users),
            "Leads (members with no subscription yet): filters; format=csv or xlsx exports all", query: peopleQuery,
            answers: peopleAnswers
        ) { request in
            try exportPeople(request, .leads)
        }

        table.add(
            .patch, "/api/v1/me", .privilege(.myProfile), "Your own name and language (es, en)",
            body: [
                .optional("name", .name), .optional("paternalSurname", .optionalName),
                .optional("maternalSurname", .optionalName), .optional("language", .string(values: ["es", "en"])),
            ], answers: [.json(200, .user)]
        ) { request in
            struct Body: Decodable {
                let name: String?
                let paternalSurname: String?
                let maternalSurname: String?
                let language: String?
            }
            let body = try request.body(Body.self)
            let actor = try request.actor
            var changes = AccountChanges()
            changes.name = body.name
            changes.paternalSurname = body.paternalSurname
            changes.maternalSurname = body.maternalSurname
            var profile = ProfileFields()
            profile.language = body.language
            try request.database.write {
                _ = try request.database.accounts.updateAccount(actor.id, changes)
                try request.database.members.setProfile(actor.id, profile)
                try request.audit(
                    "user.profile", target: "user:\(actor.id)",
                    changes: ["name": body.name ?? "", "language": body.language ?? ""])
            }
            return .json(try UserView(try request.database.members.user(actor.id), request.database))
        }
    }
}
