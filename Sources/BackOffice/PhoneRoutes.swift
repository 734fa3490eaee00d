import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel

extension Schema {
    /// One coordinate of a P-256 point in base64url without padding (as a JWK writes it).
    static let pointCoordinate = Schema.string(
        pattern: "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$", minLength: 43, maxLength: 43)
    /// What a member calls a phone: one line of 1 to 60 characters.
    static let phoneName = Schema.string(
        pattern: "^\(oneLine)*[^\\s\(controls)]\(oneLine)*$", minLength: 1, maxLength: 60)
    static let phone = named(
        "Phone",
        .object(
            [
                "id": .id, "user": .id, "name": .text, "x": .pointCoordinate, "y": .pointCoordinate,
                "addedAt": .timestamp, "revokedAt": .nullable(.timestamp),
            ]))
}

/// Members' phones that carry the rotating pass (seed 003's Mi perfil for Cliente). The phone's
/// browser makes a P-256 key pair and keeps the private half; the core records the public half,
/// and the feed carries it to every branch that holds the member. Staff revoke a lost phone at the
/// desk (`users` at one of the member's branches). Every change is audited, the key by its SHA-256.
extension CoreAPI {
    struct PhoneAnswer: Encodable {
        let id: Int64
        let user: Int64
        let name: String
        let x: String
        let y: String
        let addedAt: Int64
        let revokedAt: Int64?

        init(_ phone: MemberPhone) {
            id = phone.id.rawValue
            user = phone.user.rawValue
            name = phone.name
            x = Authenticator.base64URL(Array(phone.publicKey.prefix(32)))
            y = Authenticator.base64URL(Array(phone.publicKey.dropFirst(32)))
            addedAt = phone.addedAt.milliseconds
            revokedAt = phone.revokedAt?.milliseconds
        }

        func encode(to encoder: any Encoder) throws {
            enum Key: String, CodingKey { case id, user, name, x, y, addedAt, revokedAt }
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(id, forKey: .id)
            try container.encode(user, forKey: .user)
            try container.encode(name, forKey: .name)
            try container.encode(x, forKey: .x)
            try container.encode(y, forKey: .y)
            try container.encode(addedAt, forKey: .addedAt)
            try container.encode(revokedAt, forKey: .revokedAt)  // null while the phone is active
        }
    }

    /// A coordinate of the key as 32 bytes, or a 400 naming the field.
    static func coordinate(_ text: String, field: String) throws -> [UInt8] {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.utf8.count == 43, let data = Data(base64Encoded: base64), data.count == 32,
            Authenticator.base64URL(Array(data)) == text
        else { throw AccountError(field: field, problem: "32 bytes in base64url without padding") }
        return Array(data)
    }

    static func addPhone(_ request: APIRequest, for user: UserID) throws -> MemberPhone {
        struct Body: Decodable {
            let name: String
            let x: String
            let y: String
        }
        let body = try request.body(Body.self)
        // Code points as sent, as the schema and the table count them.
        guard body.name.unicodeScalars.count <= 60 else {
            throw AccountError(field: "name", problem: "1 to 60 characters")
        }
        try FieldRules.checkName(body.name, field: "name", required: true)
        let x = try coordinate(body.x, field: "x")
        let y = try coordinate(body.y, field: "y")
        do {
            _ = try PublicKey.p256(x: x, y: y)
        } catch {
            throw AccountError(field: "x", problem: "not a point of P-256 (with y)")
        }
        return try request.database.write {
            let phone = try request.database.phones.addPhone(
                of: user, name: body.name, publicKey: x + y, now: request.now)
            try request.audit(
                "phone.add", target: "user:\(user)",
                changes: [
                    "phone": phone.id.rawValue, "name": phone.name,
                    "key_sha256": Hex.encode(Digest.sha256(x + y)),
                ])
            return phone
        }
    }

    static func revokePhone(_ request: APIRequest, of user: UserID) throws -> HTTPResponse {
        let id = PhoneID(try request.id("phone", what: "phone"))
        let revoked = try request.database.write {
            guard let phone = try request.database.phones.phone(id), phone.user == user,
                try request.database.phones.revokePhone(id, now: request.now)
            else { return false }
            try request.audit(
                "phone.revoke", target: "user:\(user)", changes: ["phone": id.rawValue, "name": phone.name])
            return true
        }
        return revoked ? HTTPResponse(status: 204) : .error(404, "no such active phone")
    }

    static let phoneBody: [BodyField] = [
        .required("name", .phoneName), .required("x", .pointCoordinate), .required("y", .pointCoordinate),
    ]

    package static func declarePhoneRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/me/pass", .privilege(.myProfile),
            "What your phone needs to make its pass: your id, the core's clock, how often the code changes and "
                + "how long a code opens doors",
            answers: [
                .json(
                    200,
                    .object([
                        "member": .id, "now": .timestamp, "renewSeconds": .id, "validitySeconds": .id,
                    ]))
            ]
        ) { request in
            .json([
                "member": try request.actor.id.rawValue, "now": request.now.milliseconds,
                "renewSeconds": PassCode.renewSeconds, "validitySeconds": PassCode.validitySeconds,
            ])
        }
        table.add(
            .get, "/api/v1/me/phones", .privilege(.myProfile),
            "Your phones that carry your pass, the active ones first", answers: [.json(200, .array(.phone))]
        ) { request in
            .json(try request.database.phones.phones(of: try request.actor.id).map(PhoneAnswer.init))
        }
        table.add(
            .post, "/api/v1/me/phones", .privilege(.myProfile),
            "Add a phone to carry your pass: the public half of the P-256 key its browser made (x and y as in "
                + "a JWK); at most 5 active phones",
            body: phoneBody, answers: [.json(201, .phone)]
        ) { request in
            .json(PhoneAnswer(try addPhone(request, for: try request.actor.id)), status: 201)
        }
        table.add(
            .delete, "/api/v1/me/phones/:phone", .privilege(.myProfile),
            "Revoke one of your phones: branches refuse its codes within a second", answers: [.noContent]
        ) { request in
            try revokePhone(request, of: try request.actor.id)
        }
        table.add(
            .get, "/api/v1/users/:id/phones", .privilege(.users),
            "A member's phones that carry their pass, the active ones first", answers: [.json(200, .array(.phone))]
        ) { request in
            .json(try request.database.phones.phones(of: try target(request).id).map(PhoneAnswer.init))
        }
        table.add(
            .delete, "/api/v1/users/:id/phones/:phone", .privilege(.users),
            "Revoke a member's phone (lost or stolen): branches refuse its codes within a second; any desk that "
                + "sees the member may, since revoking only takes access away",
            answers: [.noContent]
        ) { request in
            // Any branch of the member will do, but never a user who outranks the caller.
            let member = try target(request)
            try checkNotOutranked(try request.actor, member)
            return try revokePhone(request, of: member.id)
        }
    }
}
