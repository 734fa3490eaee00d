import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    /// Parses role names, or a 400 naming the field.
    package static func roles(_ names: [String]) throws -> RoleSet {
        var roles: [Role] = []
        for name in names {
            guard let role = Role(rawValue: name) else {
                throw AccountError(
                    field: "roles",
                    problem: "\"\(name)\" is not a role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            roles.append(role)
        }
        return RoleSet(roles)
    }

    /// May the caller see `target`? Themselves, anyone for a SuperAdministrador, otherwise users
    /// granted a branch where the caller holds the users privilege. Others look absent (404).
    package static func mayView(_ actor: Account, _ target: Account) -> Bool {
        actor.id == target.id || actor.roles.contains(.superAdministrator)
            || target.branches.contains { actor.may(.users, at: $0) }
    }

    /// May the caller change `target`? They must see them, hold the users privilege at every
    /// branch the target has, and not be outranked by them.
    package static func checkManage(_ actor: Account, _ target: Account) throws(HTTPResponseError) {
        guard mayView(actor, target) else { throw HTTPResponseError(.error(404, "no such user")) }
        if actor.roles.contains(.superAdministrator) { return }
        try checkNotOutranked(actor, target)
        guard !target.branches.isEmpty, target.branches.allSatisfy({ actor.may(.users, at: $0) }) else {
            throw HTTPResponseError(.error(403, "users is not among your privileges at every branch of this user"))
        }
    }

    /// Nobody but a SuperAdministrador changes a user whose role is above their own.
    package static func checkNotOutranked(_ actor: Account, _ target: Account) throws(HTTPResponseError) {
        guard actor.roles.contains(.superAdministrator) || target.highestRole >= actor.highestRole else {
            throw HTTPResponseError(.error(403, "you cannot change a user whose role is above yours"))
        }
    }

    /// Granting: roles not above the caller's, branches where the caller holds the users privilege.
    package static func checkGrant(_ actor: Account, roles: RoleSet?, branches: Set<BranchID>?)
        throws(HTTPResponseError)
    {
        if let roles, roles.roles.contains(where: { $0 < actor.highestRole }) {
            throw HTTPResponseError(.error(403, "you cannot grant a role above your own"))
        }
        if let branches, !branches.allSatisfy({ actor.may(.users, at: $0) }) {
            throw HTTPResponseError(.error(403, "users is not among your privileges at every branch in the request"))
        }
    }

    package static func target(_ request: APIRequest) throws -> Account {
        guard let account = try request.database.accounts.account(UserID(try request.id(what: "user"))),
            mayView(try request.actor, account)
        else {
            throw HTTPResponseError(.error(404, "no such user"))
        }
        return account
    }

    /// Users (staff and members' logins, seed 003) and branches.
    package static func declareUserRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/users", .privilege(.users),
            "Users of the branches you hold the users privilege at: the follow-up ones first; "
                + "q searches name, clave, username, email and card number",
            query: [.text("q"), .boolean("followUp"), .integer("limit", 1...500), .integer("offset", 0...10_000_000)],
            answers: [.json(200, .array(.user))]
        ) { request in
            let limit = try request.queryInt("limit", default: 50, range: 1...500)
            let offset = try request.queryInt("offset", default: 0, range: 0...10_000_000)
            let found = try request.database.members.search(
                request.query("q"), in: try visibleBranches(request, .users),
                followUpOnly: try request.queryFlag("followUp") ?? false, limit: limit, offset: offset)
            return .json(try found.map { try UserView($0, request.database, withCards: false) })
        }
        table.add(
            .post, "/api/v1/users", .privilege(.users),
            "Create a user (member or staff) with seed 003's fields, roles and branches; "
                + "the password may be left for later",
            body: [
                .required("username", .username), .required("email", .email), .optional("password", .string),
                .required("name", .name), .required("paternalSurname", .optionalName),
                .required("roles", .array(.roleName)), .required("branches", .array(.id)),
            ] + profileFields, answers: [.json(201, .user)]
        ) { request in
            struct Body: Decodable {
                let username: String
                let email: String
                let password: String?
                let name: String
                let paternalSurname: String
                let roles: [String]
                let branches: [Int64]
            }
            let body = try request.body(Body.self)
            let profile = try profileChanges(request)
            let actor = try request.actor
            let branches = Set(body.branches.map { BranchID($0) })
            let roles = try roles(body.roles)
            try checkGrant(actor, roles: roles, branches: branches)
            let user = try request.database.write {
                let account = try request.database.accounts.createAccount(
                    username: body.username, email: body.email, password: body.password, name: body.name,
                    paternalSurname: body.paternalSurname, roles: roles, branches: branches, now: request.now)
                try request.database.members.setProfile(account.id, profile.fields)
                try request.database.members.recordChange("user", account.id.rawValue, now: request.now)
                try request.database.webhookEvent(
                    "member", branches: branches, data: ["user": account.id.rawValue, "change": "created"],
                    now: request.now)
                try request.audit(
                    "user.create", target: "user:\(account.id)",
                    changes: profile.audited.merging([
                        "username": body.username, "roles": body.roles, "branches": body.branches,
                    ]) { a, _ in a })
                return try request.database.members.user(account.id)
            }
            guard let user else { return .error(404, "no such user") }
            return .json(try UserView(user, request.database), status: 201)
        }
        table.add(
            .get, "/api/v1/users/:id", .privilege(.users),
            "A user of a branch you hold the users privilege at, with cards and PIN state", answers: [.json(200, .user)]
        ) { request in
            guard let user = try request.database.members.user(try target(request).id) else {
                return .error(404, "no such user")
            }
            return .json(try UserView(user, request.database, viewer: try request.actor))
        }
        table.add(
            .patch, "/api/v1/users/:id", .privilege(.users),
            "Change a user's profile, email, password or active flag (false deactivates and ends their sessions)",
            body: [
                .optional("email", .email), .optional("name", .name), .optional("paternalSurname", .optionalName),
                .optional("active", .boolean), .optional("password", .string),
            ] + profileFields, answers: [.json(200, .user)]
        ) { request in
            struct Body: Decodable {
                let email: String?
                let name: String?
                let paternalSurname: String?
                let maternalSurname: String?
                let active: Bool?
                let password: String?
            }
            let body = try request.body(Body.self)
            let profile = try profileChanges(request)
            let actor = try request.actor
            let target = try target(request)
            try checkManage(actor, target)
            if body.active == false && target.id == actor.id {
                return .error(409, "field \"active\": you cannot deactivate yourself")
            }
            var changes = AccountChanges()
            changes.email = body.email
            changes.name = body.name
            changes.paternalSurname = body.paternalSurname
            changes.maternalSurname = body.maternalSurname
            changes.active = body.active
            if let password = body.password {
                changes.passwordHash = try request.database.accounts.preparePassword(password)
            }
            let updated = try request.database.write {
                let updated = try request.database.accounts.updateAccount(target.id, changes)
                try request.database.members.setProfile(target.id, profile.fields)
                try request.database.members.recordChange("user", target.id.rawValue, now: request.now)
                try request.database.webhookEvent(
                    "member", branches: target.branches, data: ["user": target.id.rawValue, "change": "updated"],
                    now: request.now)
                var audited: [String: Any] = profile.audited
                if let email = body.email { audited["email"] = email }
                if let name = body.name { audited["name"] = name }
                if let value = body.paternalSurname { audited["paternalSurname"] = value }
                if let value = body.maternalSurname { audited["maternalSurname"] = value }
                if let active = body.active { audited["active"] = active }
                if body.password != nil { audited["password"] = "changed" }
                try request.audit(
                    body.active == false ? "user.deactivate" : "user.update", target: "user:\(target.id)",
                    changes: audited)
                return updated
            }
            guard let updated, let user = try request.database.members.user(updated.id) else {
                return .error(404, "no such user")
            }
            return .json(try UserView(user, request.database))
        }
        table.add(
            .put, "/api/v1/users/:id/roles", .privilege(.users), "Replace a user's roles",
            body: [.required("roles", .array(.roleName))], answers: [.json(200, .user)]
        ) { request in
            struct Body: Decodable { let roles: [String] }
            let body = try request.body(Body.self)
            let actor = try request.actor
            let target = try target(request)
            try checkManage(actor, target)
            let roles = try roles(body.roles)
            try checkGrant(actor, roles: roles, branches: nil)
            if target.id == actor.id && !roles.contains(actor.highestRole) {
                return .error(409, "field \"roles\": you cannot lower your own role")
            }
            try request.database.write {
                try request.database.accounts.setRoles(target.id, roles)
                try request.database.members.recordChange("user", target.id.rawValue, now: request.now)
                try request.audit(
                    "user.roles", target: "user:\(target.id)",
                    changes: ["from": target.roles.roles.map(\.rawValue), "to": roles.roles.map(\.rawValue)])
            }
            return .json(try UserView(try request.database.members.user(target.id), request.database))
        }
        table.add(
            .put, "/api/v1/users/:id/branches", .privilege(.users), "Replace the branches granted to a user",
            body: [.required("branches", .array(.id))], answers: [.json(200, .user)]
        ) { request in
            struct Body: Decodable { let branches: [Int64] }
            let body = try request.body(Body.self)
            let actor = try request.actor
            let target = try target(request)
            try checkManage(actor, target)
            let branches = Set(body.branches.map { BranchID($0) })
            // Only branches the caller holds may be added or removed; others stay as they were.
            try checkGrant(actor, roles: nil, branches: branches.symmetricDifference(target.branches))
            try request.database.write {
                try request.database.accounts.setBranches(target.id, branches)
                try request.database.members.recordChange("user", target.id.rawValue, now: request.now)
                try request.audit(
                    "user.branches", target: "user:\(target.id)",
                    changes: [
                        "from": target.branches.map(\.rawValue).sorted(), "to": branches.map(\.rawValue).sorted(),
                    ], concerning: target.branches.union(branches))
            }
            return .json(try UserView(try request.database.members.user(target.id), request.database))
        }

        table.add(
            .get, "/api/v1/branches", .signedIn, "The branches granted to you (every branch for a SuperAdministrador)",
            answers: [.json(200, .array(.branch))]
        ) { request in
            let actor = try request.actor
            let all = try request.database.accounts.branches()
            return .json(
                actor.roles.contains(.superAdministrator) ? all : all.filter { actor.branches.contains($0.id) })
        }
        table.add(.get, "/api/v1/branches/:id", .signedIn, "One of your branches", answers: [.json(200, .branch)]) {
            request in
            let actor = try request.actor
            let id = BranchID(try request.id(what: "branch"))
            guard actor.roles.contains(.superAdministrator) || actor.branches.contains(id),
                let branch = try request.database.accounts.branch(id)
            else {
                return .error(404, "no such branch")
            }
            return .json(branch)
        }
        table.add(
            .post, "/api/v1/branches", .privilege(.branches),
            "Create a branch (name, city, IANA time zone); a SuperAdministrador only",
            body: [.required("name", .name), .required("city", .name), .required("timeZone", .timeZone)],
            answers: [.json(201, .object(["id": .id]))]
        ) { request in
            struct Body: Decodable {
                let name: String
                let city: String
                let timeZone: String
            }
            let body = try request.body(Body.self)
            // A new branch is granted to no one yet: only who holds every branch may add one.
            guard try request.actor.roles.contains(.superAdministrator) else {
                return .error(403, "only a SuperAdministrador creates a branch")
            }
            let id = try request.database.write {
                let id = try request.database.accounts.createBranch(
                    name: body.name, city: body.city, timeZone: body.timeZone)
                try request.audit(
                    "branch.create", target: "branch:\(id)",
                    changes: ["name": body.name, "city": body.city, "timeZone": body.timeZone])
                return id
            }
            return .json(["id": id.rawValue], status: 201)
        }
        table.add(
            .patch, "/api/v1/branches/:id", .privilege(.branches),
            "Change a branch's name, city, time zone or active flag",
            body: [
                .optional("name", .name), .optional("city", .name), .optional("timeZone", .timeZone),
                .optional("active", .boolean),
            ], answers: [.json(200, .branch)]
        ) { request in
            struct Body: Decodable {
                let name: String?
                let city: String?
                let timeZone: String?
                let active: Bool?
            }
            let body = try request.body(Body.self)
            let id = BranchID(try request.id(what: "branch"))
            guard try request.actor.may(.branches, at: id) else { return .error(404, "no such branch") }
            let updated = try request.database.write {
                let updated = try request.database.accounts.updateBranch(
                    id, name: body.name, city: body.city, timeZone: body.timeZone, active: body.active)
                var audited: [String: Any] = [:]
                if let name = body.name { audited["name"] = name }
                if let city = body.city { audited["city"] = city }
                if let zone = body.timeZone { audited["timeZone"] = zone }
                if let active = body.active { audited["active"] = active }
                if updated != nil { try request.audit("branch.update", target: "branch:\(id)", changes: audited) }
                return updated
            }
            guard let updated else { return .error(404, "no such branch") }
            return .json(updated)
        }
    }
}
