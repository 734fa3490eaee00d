import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel

extension Schema {
    /// A SHA-256 in lowercase hexadecimal.
    static let sha256Hex = Schema.string(pattern: "^[0-9a-f]{64}$", minLength: 64, maxLength: 64)
    /// At most 512 KiB in base64.
    static let photoData = Schema.string(
        pattern: "^[A-Za-z0-9+/]*={0,2}$", minLength: 4, maxLength: (MemberPhoto.maximumBytes + 2) / 3 * 4)
    static let photoAnswer = named(
        "PhotoSaved",
        .object([
            "type": .string(values: MemberPhoto.types),
            "bytes": .integer(minimum: 1, maximum: Int64(MemberPhoto.maximumBytes)),
            "state": .string(values: PhotoState.allCases.map(\.rawValue)),
        ]))
}

/// Members' photos: staff (`users` over the member's branches) take or upload one, which the desk
/// shows at once; a member sends their own, shown once staff approve it. Every change is audited
/// with the image's size and SHA-256, never its bytes.
extension CoreAPI {
    static let photoAnswers: [RouteAnswer] = [
        .file("image/jpeg", "the photo (a JPEG)"), .file("image/png", "the photo (a PNG)"),
    ]
    static let photoBody: [BodyField] = [
        .required("type", .string(values: MemberPhoto.types)), .required("data", .photoData),
    ]

    static func photoFromBody(_ request: APIRequest) throws -> MemberPhoto {
        struct Body: Decodable {
            let type: String
            let data: String
        }
        let body = try request.body(Body.self)
        guard let data = Data(base64Encoded: body.data) else {
            throw AccountError(field: "data", problem: "not base64")
        }
        return try MemberPhoto(type: body.type, bytes: Array(data))
    }

    static func photoState(_ request: APIRequest) throws -> PhotoState {
        guard let state = PhotoState(rawValue: request.query("state") ?? "approved") else {
            throw AccountError(field: "state", problem: "approved or pending")
        }
        return state
    }

    static func photoResponse(_ photo: MemberPhoto?) -> HTTPResponse {
        guard let photo else { return .error(404, "no photo") }
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", photo.type), ("Cache-Control", "private, no-cache"),
                ("X-Content-Type-Options", "nosniff"),
            ], body: photo.bytes)
    }

    static func savedPhoto(_ photo: MemberPhoto, _ state: PhotoState) -> HTTPResponse {
        struct Answer: Encodable {
            let type: String
            let bytes: Int
            let state: String
        }
        return .json(Answer(type: photo.type, bytes: photo.bytes.count, state: state.rawValue))
    }

    static func photoChanges(_ photo: MemberPhoto) -> [String: Any] {
        ["type": photo.type, "bytes": photo.bytes.count, "sha256": photo.sha256Hex]
    }

    package static func declarePhotoRoutes(_ table: inout RouteTable) {
        let state = QueryParameter.choice("state", PhotoState.allCases.map(\.rawValue))
        table.add(
            .get, "/api/v1/users/:id/photo", .privilege(.users),
            "A member's photo as the desk shows it (state=pending: the one they sent, waiting for approval; "
                + "sha256: only that photo, 404 for another)",
            query: [state, QueryParameter(name: "sha256", schema: .sha256Hex)], answers: photoAnswers
        ) { request in
            let target = try target(request)
            let photo = try request.database.photos.photo(of: target.id, try photoState(request))
            if let wanted = request.query("sha256"), photo?.sha256Hex != wanted { return photoResponse(nil) }
            return photoResponse(photo)
        }
        table.add(
            .get, "/api/v1/attendance/photos/:id", .privilege(.attendance),
            "The photo of a member who was decided at a door of a branch whose attendance you see (the live view's "
                + "faces, for desks that may not open the member's page)",
            answers: photoAnswers
        ) { request in
            let user = UserID(try request.id("id", what: "member"))
            let branches = try visibleBranches(request, .attendance)
            return photoResponse(try request.database.photos.photoOfEntrant(user, at: branches))
        }
        table.add(
            .put, "/api/v1/users/:id/photo", .privilege(.users),
            "Take or upload a member's photo (a JPEG or PNG of at most 512 KiB, in base64; its metadata is removed)",
            body: photoBody, answers: [.json(200, .photoAnswer)], bodyLimit: 1 << 20
        ) { request in
            let photo = try photoFromBody(request)
            let target = try managedTarget(request)
            let actor = try request.actor
            try request.database.write {
                try request.database.photos.savePhoto(photo, of: target.id, .approved, by: actor.id, now: request.now)
                _ = try request.database.photos.removePhoto(of: target.id, .pending)
                try request.audit("user.photo", target: "user:\(target.id)", changes: photoChanges(photo))
            }
            return savedPhoto(photo, .approved)
        }
        table.add(
            .delete, "/api/v1/users/:id/photo", .privilege(.users),
            "Remove a member's photo (state=pending: turn down the one they sent)", query: [state],
            answers: [.noContent]
        ) { request in
            let target = try managedTarget(request)
            let state = try photoState(request)
            let removed = try request.database.write {
                guard try request.database.photos.removePhoto(of: target.id, state) else { return false }
                try request.audit(
                    state == .pending ? "user.photo.reject" : "user.photo.remove", target: "user:\(target.id)")
                return true
            }
            return removed ? HTTPResponse(status: 204) : .error(404, "no photo")
        }
        table.add(
            .post, "/api/v1/users/:id/photo/approve", .privilege(.users),
            "Approve the photo a member sent, named by the SHA-256 of the one you saw (GET …/photo?state=pending): "
                + "the desk shows it from now on; 409 when the member sent another since",
            body: [.required("sha256", .sha256Hex)], answers: [.noContent]
        ) { request in
            struct Body: Decodable { let sha256: String }
            let seen = try request.body(Body.self).sha256
            // Lowercase, as the schema states it and as the photo's address names it.
            guard seen == seen.lowercased(), let digest = Hex.decode(seen), digest.count == 32 else {
                throw AccountError(field: "sha256", problem: "64 hexadecimal digits")
            }
            let target = try managedTarget(request)
            let actor = try request.actor
            let outcome = try request.database.write {
                let outcome = try request.database.photos.approvePhoto(
                    of: target.id, seen: digest, by: actor.id, now: request.now)
                if outcome == .approved {
                    try request.audit("user.photo.approve", target: "user:\(target.id)", changes: ["sha256": seen])
                }
                return outcome
            }
            switch outcome {
            case .approved: return HTTPResponse(status: 204)
            case .noneWaiting: return .error(404, "no photo waits for approval")
            case .replacedSince:
                throw AccountError.conflict("sha256", "the member sent another photo since: look at it again")
            }
        }
        table.add(
            .get, "/api/v1/photos/pending", .privilege(.users),
            "Members of your branches whose own photo waits for approval, oldest first",
            answers: [.json(200, .array(.object(["user": .id, "name": .text, "sentAt": .timestamp])))]
        ) { request in
            let waiting = try request.database.photos.pendingPhotos(
                in: try visibleBranches(request, .users), limit: 200)
            struct Row: Encodable {
                let user: Int64
                let name: String
                let sentAt: Timestamp
            }
            return .json(
                try waiting.compactMap { item in
                    try request.database.accounts.account(item.user).map {
                        Row(
                            user: item.user.rawValue,
                            name: [$0.name, $0.paternalSurname, $0.maternalSurname].filter { !$0.isEmpty }
                                .joined(separator: " "), sentAt: item.at)
                    }
                })
        }
        declareOwnPhotoRoutes(&table)
    }

    static func declareOwnPhotoRoutes(_ table: inout RouteTable) {
        let state = QueryParameter.choice("state", PhotoState.allCases.map(\.rawValue))
        table.add(
            .get, "/api/v1/me/photo", .privilege(.myProfile),
            "Your photo as the desk shows it (state=pending: the one you sent, waiting for approval)", query: [state],
            answers: photoAnswers
        ) { request in
            photoResponse(try request.database.photos.photo(of: try request.actor.id, try photoState(request)))
        }
        table.add(
            .put, "/api/v1/me/photo", .privilege(.myProfile),
            "Send your own photo (a JPEG or PNG of at most 512 KiB, in base64): the desk shows it once staff "
                + "approve it",
            body: photoBody, answers: [.json(200, .photoAnswer)], bodyLimit: 1 << 20
        ) { request in
            let photo = try photoFromBody(request)
            let actor = try request.actor
            try request.database.write {
                try request.database.photos.savePhoto(photo, of: actor.id, .pending, by: actor.id, now: request.now)
                try request.audit("me.photo", target: "user:\(actor.id)", changes: photoChanges(photo))
            }
            return savedPhoto(photo, .pending)
        }
    }
}
