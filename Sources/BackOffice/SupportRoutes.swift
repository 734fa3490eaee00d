import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension Schema {
    static let supportStatus = Schema.string(values: SupportRequest.Status.allCases.map(\.rawValue))
    static let supportRequest = named(
        "SupportRequest",
        .object(
            [
                "id": .id, "supportUser": .id, "supportName": .text, "user": .id, "userName": .text,
                "userEmail": .text, "status": supportStatus, "failures": .integer(minimum: 0, maximum: 5),
                "createdAt": .timestamp, "codeExpiresAt": .timestamp, "reason": .text,
            ],
            optional: [
                "consentedAt": .timestamp, "startedAt": .timestamp, "endsAt": .timestamp, "endedAt": .timestamp,
                "endedBy": .string(values: ["user", "support", "deadline", "admin"]),
            ]))
    /// The code emailed to the user.
    static let supportCode = Schema.string(pattern: "^[0-9]{8}$", minLength: 8, maxLength: 8)
}

/// A support request as the API answers it, with its status as of the request's time.
package struct SupportRequestView: Encodable {
    let id: Int64
    let supportUser: Int64
    let supportName: String
    let user: Int64
    let userName: String
    let userEmail: String
    let status: String
    let failures: Int
    let createdAt: Timestamp
    let codeExpiresAt: Timestamp
    let consentedAt: Timestamp?
    let startedAt: Timestamp?
    let endsAt: Timestamp?
    let endedAt: Timestamp?
    let endedBy: String?
    let reason: String

    package init(_ request: SupportRequest, now: Timestamp) {
        let status = request.status(at: now)
        id = request.id
        supportUser = request.supportUser.rawValue
        supportName = request.supportName
        user = request.user.rawValue
        userName = request.userName
        userEmail = request.userEmail
        self.status = status.rawValue
        failures = request.failures
        createdAt = request.createdAt
        codeExpiresAt = request.codeExpiresAt
        consentedAt = request.consentedAt
        startedAt = request.startedAt
        endsAt = request.endsAt
        // A session past its end, or a code past its time, ended then (the row catches up later).
        endedAt =
            request.endedAt
            ?? (status == .ended ? request.endsAt : status == .expired ? request.codeExpiresAt : nil)
        endedBy = request.endedBy ?? (status == .ended ? "deadline" : nil)
        reason = request.reason
    }
}

extension CoreAPI {
    /// Assisted sessions (seed 001): the support side (`support` privilege) and the user's side.
    package static func declareSupportRoutes(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/support/requests", .privilege(.support),
            "Ask to act for the user with this email: your own one-time code first; a code goes to the user's email",
            body: [.required("email", .email), .required("totp", .string(minLength: 1, maxLength: 64))],
            answers: [.json(201, .supportRequest, "the request; the code is on its way to the user")]
        ) { request in
            struct Body: Decodable {
                let email: String
                let totp: String
            }
            let body = try request.body(Body.self)
            guard matchesEmailSchema(body.email) else { throw AccountError(field: "email", problem: "not an email") }
            let created = try startSupportRequest(request, email: body.email, totp: body.totp)
            return .json(SupportRequestView(created, now: request.now), status: 201)
        }
        table.add(
            .get, "/api/v1/support/requests", .privilege(.support),
            "Support requests for users of your branches, the newest first", query: [.integer("limit", 1...500)],
            answers: [.json(200, .array(.supportRequest))]
        ) { request in
            let limit = try request.queryInt("limit", default: 50, range: 1...500)
            var users: Set<Int64>?
            if let branches = try visibleBranches(request, .support) {
                users = Set(
                    try request.database.accounts.accounts(in: branches, search: nil, limit: 100_000, offset: 0).map {
                        $0.id.rawValue
                    })
            }
            return .json(
                try request.database.support.recent(limit: limit, users: users).map {
                    SupportRequestView($0, now: request.now)
                })
        }
        table.add(
            .get, "/api/v1/support/requests/:id", .privilege(.support), "One support request and where it stands",
            answers: [.json(200, .supportRequest)]
        ) { request in
            .json(SupportRequestView(try visibleSupportRequest(request), now: request.now))
        }
        table.add(
            .post, "/api/v1/support/requests/:id/confirm", .privilege(.support),
            "Enter the code the user reads to you, once they have entered it: the assisted session starts and its "
                + "cookie is set",
            body: [.required("code", .supportCode)],
            answers: [
                .json(
                    201, .object(["request": .supportRequest, "csrfToken": .text]), "acting for the user; cookie set")
            ]
        ) { request in
            struct Body: Decodable { let code: String }
            let body = try request.body(Body.self)
            let found = try visibleSupportRequest(request)
            guard found.supportUser == (try request.actor.id) else {
                throw HTTPResponseError(.error(404, "no such support request of yours"))
            }
            let database = request.database
            let minutes = try database.settings.chain().supportSessionMinutes
            let outcome = try database.write { () -> Result<(String, Session, SupportRequest), SupportRefusal> in
                switch try database.support.enter(
                    body.code, request: found.id, side: .support, minutes: minutes, now: request.now)
                {
                case let .failure(refusal):
                    try auditRefusal(request, refusal, found, side: .support)
                    return .failure(refusal)
                case let .success(started):
                    let (token, session) = try database.auth.openAssistedSession(started, now: request.now)
                    try request.audit(
                        "support.session_start", target: "user:\(started.user)",
                        changes: ["request": started.id, "ends_at": started.endsAt?.milliseconds ?? 0])
                    return .success((token, session, started))
                }
            }
            switch outcome {
            case let .failure(refusal): return .error(refusal.status, refusal.reason)
            case let .success((token, session, started)):
                struct Answer: Encodable {
                    let request: SupportRequestView
                    let csrfToken: String
                }
                var response = HTTPResponse.json(
                    Answer(request: SupportRequestView(started, now: request.now), csrfToken: session.csrfToken),
                    status: 201)
                response.headers.append(
                    ("Set-Cookie", try database.auth.cookie(token: token, secure: request.secureCookies)))
                return response
            }
        }
        table.add(
            .post, "/api/v1/support/requests/:id/end", .privilege(.support),
            "End a support request or its session early, saying why", body: [.required("reason", .reason)],
            answers: [.json(200, .supportRequest)]
        ) { request in
            struct Body: Decodable { let reason: String }
            let reason = try checkReason(try request.body(Body.self).reason)
            let found = try visibleSupportRequest(request)
            let by = found.supportUser == (try request.actor.id) ? "support" : "admin"
            let ended = try endSupport(request, found, by: by, reason: reason)
            return .json(SupportRequestView(ended, now: request.now))
        }
        declareOwnSupportRoutes(&table)
    }

    /// The support request named by the path, if the caller may see it (its user is in a branch
    /// where the caller holds `support`), else a 404.
    static func visibleSupportRequest(_ request: APIRequest) throws -> SupportRequest {
        let id = try request.id(what: "support request")
        guard let found = try request.database.support.request(id) else {
            throw HTTPResponseError(.error(404, "no such support request"))
        }
        if let branches = try visibleBranches(request, .support) {
            let userBranches = try request.database.accounts.account(found.user)?.branches ?? []
            guard !userBranches.isDisjoint(with: branches) else {
                throw HTTPResponseError(.error(404, "no such support request"))
            }
        }
        return found
    }

    /// Ends `found` (a session running, or a request not yet started) with the audit row; a
    /// 409 when it is already closed.
    static func endSupport(_ request: APIRequest, _ found: SupportRequest, by: String, reason: String) throws
        -> SupportRequest
    {
        let database = request.database
        guard found.status(at: request.now).isOpen else {
            throw HTTPResponseError(
                .error(409, "this support request is already closed (\(found.status(at: request.now).rawValue))"))
        }
        let status: SupportRequest.Status =
            found.status == .active ? .ended : by == "user" ? .declined : .cancelled
        let ended = try database.write { () -> SupportRequest? in
            guard
                let ended = try database.support.end(found.id, as: status, by: by, reason: reason, now: request.now)
            else { return nil }
            try request.audit(
                status == .declined ? "support.decline" : status == .ended ? "support.session_end" : "support.cancel",
                target: "user:\(found.user)", changes: ["request": found.id, "by": by, "reason": reason])
            return ended
        }
        guard let ended else {
            throw HTTPResponseError(
                .error(409, "this support request is already closed (\(found.status(at: request.now).rawValue))"))
        }
        return ended
    }

    /// The trail's row for a refused code, in the transaction that counted it.
    static func auditRefusal(
        _ request: APIRequest, _ refusal: SupportRefusal, _ found: SupportRequest, side: SupportSide
    )
        throws
    {
        try request.audit(
            "support.code_\(refusal.kind)", target: "user:\(found.user)",
            changes: ["request": found.id, "side": side.rawValue, "status": refusal.status])
    }

    /// What a request of an assisted session past its end is told.
    static func assistanceOverMessage(_ assistance: Assistance) -> String {
        guard assistance.endsAt.milliseconds > 0 else { return "the assisted session has ended; sign in again" }
        let time = Date(timeIntervalSince1970: Double(assistance.endsAt.milliseconds) / 1_000)
        let formatter = ISO8601DateFormatter()
        return "the assisted session ended at \(formatter.string(from: time)): its time is over; sign in again"
    }
}
