import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel

/// A user as the users routes answer: seed 003's whole profile, roles, branches, cards and
/// whether a PIN is set (never the PIN).
package struct UserView: Encodable {
    package let id: Int64
    package let username: String
    package let email: String
    package let clave: Int64
    package let name: String
    package let paternalSurname: String
    package let maternalSurname: String
    package let gender: String
    package let agreement: Int64?
    package let birthDate: LocalDay?
    package let joinDate: LocalDay
    package let phone: String
    package let alternateEmail: String
    package let active: Bool
    package let followUp: Bool
    package let notes: String
    package let roles: [String]
    package let branches: [Int64]
    package let cards: [MemberCard]?
    package let pinSet: Bool?
    package let duressPinSet: Bool?

    /// `viewer`: who asks; whether a duress PIN is set is shown only to those who may manage the
    /// person (someone who would force them to key it must not learn it from a lower role).
    package init(_ user: User?, _ database: CoreDatabase, withCards: Bool = true, viewer: Account? = nil) throws {
        guard let user else { throw HTTPResponseError(.error(404, "no such user")) }
        id = user.id.rawValue
        username = user.username
        email = user.email
        clave = user.clave
        name = user.name
        paternalSurname = user.paternalSurname
        maternalSurname = user.maternalSurname
        gender = user.gender.rawValue
        agreement = user.agreementID?.rawValue
        birthDate = user.birthDate
        joinDate = user.joinDate
        phone = user.phone
        alternateEmail = user.alternateEmail
        active = user.active
        followUp = user.followUp
        notes = user.notes
        roles = user.roles.roles.map(\.rawValue)
        branches = user.branches.map(\.rawValue).sorted()
        cards = withCards ? try database.members.cards(of: user.id) : nil
        pinSet = withCards ? try database.members.hasPIN(user.id) : nil
        let manages =
            try viewer.map { viewer in
                try database.accounts.account(user.id).map { target in
                    (try? CoreAPI.checkManage(viewer, target)) != nil
                } ?? false
            } ?? false
        duressPinSet = withCards && manages ? try database.members.hasDuressPIN(user.id) : nil
    }
}

extension CoreAPI {
    /// Seed 003's profile fields beyond the login ones, accepted by create and update.
    package static let profileFields: [BodyField] = [
        .optional("clave", .id), .optional("maternalSurname", .optionalName),
        .optional("gender", .string(values: Gender.allCases.map(\.rawValue))),
        .optional("agreement", .count),
        .optional("birthDate", .string(format: "date")), .optional("joinDate", .date),
        .optional("phone", .string(pattern: "^[0-9 +().-]{0,32}$")),
        .optional("alternateEmail", .string(pattern: "^$|\(Schema.emailPattern)", maxLength: 254)),
        .optional("followUp", .boolean), .optional("notes", .string(maxLength: 4_000)),
        .optional("language", .string(values: ["es", "en"])),
    ]

    /// The profile fields present in the body, checked, and the same as audit changes.
    package static func profileChanges(_ request: APIRequest) throws -> (fields: ProfileFields, audited: [String: Any])
    {
        struct Body: Decodable {
            let clave: Int64?
            let name: String?
            let paternalSurname: String?
            let maternalSurname: String?
            let gender: String?
            let agreement: Int64?
            let birthDate: String?
            let joinDate: String?
            let phone: String?
            let alternateEmail: String?
            let followUp: Bool?
            let notes: String?
            let language: String?
        }
        let body = try request.body(Body.self)
        var fields = ProfileFields()
        var audited: [String: Any] = [:]
        fields.clave = body.clave
        fields.maternalSurname = body.maternalSurname
        fields.agreementID = body.agreement
        fields.phone = body.phone
        fields.alternateEmail = body.alternateEmail
        fields.followUp = body.followUp
        fields.notes = body.notes
        fields.language = body.language
        if let text = body.gender {
            guard let gender = Gender(rawValue: text) else {
                throw AccountError(
                    field: "gender", problem: "one of \(Gender.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            fields.gender = gender
        }
        if let text = body.birthDate {
            if text.isEmpty {
                fields.birthDate = .some(nil)
            } else {
                guard let day = LocalDay(iso: text) else {
                    throw AccountError(field: "birthDate", problem: "a date as YYYY-MM-DD, or \"\" to clear it")
                }
                guard day <= request.today(nil) else {
                    throw AccountError(field: "birthDate", problem: "is in the future")
                }
                fields.birthDate = .some(day)
            }
        }
        if let text = body.joinDate {
            guard let day = LocalDay(iso: text) else {
                throw AccountError(field: "joinDate", problem: "a date as YYYY-MM-DD")
            }
            fields.joinDate = day
        }
        for (key, value) in [
            ("clave", body.clave as Any?), ("maternalSurname", body.maternalSurname), ("gender", body.gender),
            ("agreement", body.agreement),
            ("birthDate", body.birthDate), ("joinDate", body.joinDate), ("phone", body.phone),
            ("alternateEmail", body.alternateEmail),
            ("followUp", body.followUp), ("notes", body.notes), ("language", body.language),
        ] {
            if let value { audited[key] = value }
        }
        return (fields, audited)
    }

    /// A user the caller may change, for the card and PIN routes.
    package static func managedTarget(_ request: APIRequest) throws -> Account {
        let target = try target(request)
        try checkManage(try request.actor, target)
        return target
    }

    /// Cards, PINs, the clave suggestion and agreements.
    package static func declareMemberRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/claves/next", .privilege(.users),
            "The clave suggested for a new user (the highest plus one)", answers: [.json(200, .object(["clave": .id]))]
        ) { request in
            .json(["clave": try request.database.members.nextClave()])
        }
        table.add(
            .get, "/api/v1/users/:id/cards", .privilege(.users), "A user's cards, with their status",
            answers: [.json(200, .array(.card))]
        ) { request in
            .json(try request.database.members.cards(of: try target(request).id))
        }
        table.add(
            .post, "/api/v1/users/:id/cards", .privilege(.users),
            "Assign a card number (decimal, 0x hex, or FACILITY,CARD) to a user",
            body: [.required("number", .cardNumber)], answers: [.json(201, .card)]
        ) { request in
            struct Body: Decodable { let number: String }
            let body = try request.body(Body.self)
            let target = try managedTarget(request)
            let number: CardNumber
            do { number = try CardNumber(parsing: body.number) } catch {
                throw AccountError(field: "number", problem: "\(error)")
            }
            let card = try request.database.write {
                let card = try request.database.members.addCard(target.id, number: number, now: request.now)
                try request.audit("card.assign", target: "user:\(target.id)", changes: ["card": card.number])
                return card
            }
            return .json(card, status: 201)
        }
        table.add(
            .get, "/api/v1/cards", .privilege(.users), "Who holds a card number (any status, newest first)",
            query: [QueryParameter(name: "number", schema: .cardNumber, required: true)],
            answers: [.json(200, .array(.card))]
        ) { request in
            guard let text = request.query("number") else { return .error(400, "query parameter number is required") }
            let number: CardNumber
            do { number = try CardNumber(parsing: text) } catch {
                return .error(400, "query parameter number: \(error)")
            }
            let actor = try request.actor
            let visible = try request.database.members.cards(number: number).filter { card in
                guard let holder = try request.database.accounts.account(UserID(card.userID)) else { return false }
                return mayView(actor, holder)
            }
            return .json(visible)
        }
        table.add(
            .patch, "/api/v1/cards/:id", .privilege(.users), "Mark a card lost or revoked (or active again)",
            body: [.required("status", .string(values: Credential.Status.allCases.map(\.rawValue)))],
            answers: [.json(200, .card)]
        ) { request in
            struct Body: Decodable { let status: String }
            let body = try request.body(Body.self)
            guard let status = Credential.Status(rawValue: body.status) else {
                throw AccountError(field: "status", problem: "active, lost or revoked")
            }
            let id = try request.id(what: "card")
            guard let card = try request.database.members.card(id),
                let holder = try request.database.accounts.account(UserID(card.userID)),
                mayView(try request.actor, holder)
            else { return .error(404, "no such card") }
            try checkManage(try request.actor, holder)
            let updated = try request.database.write {
                let updated = try request.database.members.setCardStatus(id, status, now: request.now)
                try request.audit(
                    "card.status", target: "card:\(id)",
                    changes: ["from": card.status.rawValue, "to": status.rawValue, "user": card.userID])
                return updated
            }
            guard let updated else { return .error(404, "no such card") }
            return .json(updated)
        }
        table.add(
            .get, "/api/v1/agreements", .privilege(.users),
            "Agreements (convenios): companies, schools and other groups", answers: [.json(200, .array(.agreement))]
        ) { request in
            .json(try request.database.members.agreements())
        }
        table.add(
            .post, "/api/v1/agreements", .privilege(.configuration),
            "Create an agreement; agreements are chain-wide, so configuration is needed at every branch",
            body: [.required("name", .name), .optional("notes", .string(maxLength: 2_000))],
            answers: [.json(201, .agreement)]
        ) { request in
            struct Body: Decodable {
                let name: String
                let notes: String?
            }
            let body = try request.body(Body.self)
            try requireEveryBranch(request, .configuration, nil, reaching: "an agreement (agreements are chain-wide)")
            let created = try request.database.write {
                let created = try request.database.members.saveAgreement(id: nil, name: body.name, notes: body.notes)
                try request.audit(
                    "agreement.create", target: "agreement:\(created?.id.rawValue ?? 0)", changes: ["name": body.name])
                return created
            }
            return .json(created, status: 201)
        }
        table.add(
            .patch, "/api/v1/agreements/:id", .privilege(.configuration),
            "Rename an agreement or change its notes; configuration is needed at every branch",
            body: [.optional("name", .name), .optional("notes", .string(maxLength: 2_000))],
            answers: [.json(200, .agreement)]
        ) { request in
            struct Body: Decodable {
                let name: String?
                let notes: String?
            }
            let body = try request.body(Body.self)
            let id = try request.id(what: "agreement")
            guard try request.database.members.agreement(id) != nil else { return .error(404, "no such agreement") }
            try requireEveryBranch(request, .configuration, nil, reaching: "an agreement (agreements are chain-wide)")
            let updated = try request.database.write {
                let updated = try request.database.members.saveAgreement(id: id, name: body.name, notes: body.notes)
                if updated != nil {
                    try request.audit(
                        "agreement.update", target: "agreement:\(id)",
                        changes: ["name": body.name ?? "", "notes": body.notes ?? ""])
                }
                return updated
            }
            guard let updated else { return .error(404, "no such agreement") }
            return .json(updated)
        }
        table.add(
            .get, "/api/v1/agreements/:id/users", .privilege(.users), "The users of an agreement, within your branches",
            query: [.integer("limit", 1...1_000), .integer("offset", 0...10_000_000)],
            answers: [.json(200, .array(.person))]
        ) { request in
            let id = try request.id(what: "agreement")
            guard try request.database.members.agreement(id) != nil else { return .error(404, "no such agreement") }
            var filter = PersonFilter()
            filter.branches = try visibleBranches(request, .users)
            filter.agreementID = id
            let limit = try request.queryInt("limit", default: 100, range: 1...1_000)
            let offset = try request.queryInt("offset", default: 0, range: 0...10_000_000)
            return .json(
                try request.database.members.people(.customers, filter: filter, limit: limit, offset: offset)
                    + request.database.members.people(.leads, filter: filter, limit: limit, offset: offset))
        }
    }
}
