import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    /// The user's side of an assisted session: see who asks, consent with the code, decline, end.
    static func declareOwnSupportRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/me/support", .signedIn,
            "Support requests for you still open, and, inside an assisted session, the one it belongs to",
            answers: [
                .json(200, .object(["requests": .array(.supportRequest)], optional: ["assisted": .supportRequest]))
            ]
        ) { request in
            struct Answer: Encodable {
                let requests: [SupportRequestView]
                let assisted: SupportRequestView?
            }
            let database = request.database
            let actor = try request.actor
            let requests = try database.support.open(for: actor.id).filter { $0.status(at: request.now).isOpen }
            let assisted = try request.session?.assistance.flatMap { try database.support.request($0.id) }
            return .json(
                Answer(
                    requests: requests.map { SupportRequestView($0, now: request.now) },
                    assisted: assisted.map { SupportRequestView($0, now: request.now) }))
        }
        table.add(
            .post, "/api/v1/me/support/:id/consent", .signedIn,
            "Enter the code you received to let the support user act for you (they enter it too)",
            body: [.required("code", .supportCode)], answers: [.json(200, .supportRequest)]
        ) { request in
            struct Body: Decodable { let code: String }
            let body = try request.body(Body.self)
            let found = try ownSupportRequest(request)
            let database = request.database
            let outcome = try database.write { () -> Result<SupportRequest, SupportRefusal> in
                let outcome = try database.support.enter(
                    body.code, request: found.id, side: .user, minutes: SupportPolicy.maximumMinutes, now: request.now)
                switch outcome {
                case let .failure(refusal): try auditRefusal(request, refusal, found, side: .user)
                case .success:
                    try request.audit("support.consent", target: "user:\(found.user)", changes: ["request": found.id])
                }
                return outcome
            }
            switch outcome {
            case let .failure(refusal): return .error(refusal.status, refusal.reason)
            case let .success(consented): return .json(SupportRequestView(consented, now: request.now))
            }
        }
        table.add(
            .post, "/api/v1/me/support/:id/decline", .signedIn,
            "Refuse a support request before it starts, saying why", body: [.required("reason", .reason)],
            answers: [.json(200, .supportRequest)]
        ) { request in
            struct Body: Decodable { let reason: String }
            let reason = try checkReason(try request.body(Body.self).reason)
            let found = try ownSupportRequest(request)
            guard found.status != .active else {
                return .error(409, "the assisted session has started; end it instead")
            }
            return .json(
                SupportRequestView(try endSupport(request, found, by: "user", reason: reason), now: request.now))
        }
        table.add(
            .post, "/api/v1/me/support/:id/end", .signedIn,
            "End an assisted session early, saying why: the user it acts for, or the support user inside it",
            body: [.required("reason", .reason)], answers: [.json(200, .supportRequest)]
        ) { request in
            struct Body: Decodable { let reason: String }
            let reason = try checkReason(try request.body(Body.self).reason)
            let id = try request.id(what: "support request")
            let session = request.session
            let inside = session?.assistance?.id == id
            let actor = try request.actor.id
            guard let found = try request.database.support.request(id),
                inside || (session?.assistance == nil && found.user == actor)
            else { return .error(404, "no such support request for you") }
            guard found.status(at: request.now) == .active else {
                return .error(409, "this support request has no assisted session running")
            }
            let ended = try endSupport(request, found, by: inside ? "support" : "user", reason: reason)
            var response = HTTPResponse.json(SupportRequestView(ended, now: request.now))
            if inside {
                response.headers.append(
                    ("Set-Cookie", "portero_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
            }
            return response
        }
    }

    /// Signing out of an assisted session ends it (the support side left), with the audit row.
    static func endAssistanceOnSignOut(_ request: APIRequest) throws {
        guard let assistance = request.session?.assistance,
            let found = try request.database.support.request(assistance.id),
            found.status(at: request.now) == .active
        else { return }
        _ = try endSupport(request, found, by: "support", reason: "signed out")
    }

    /// The caller's own support request named by the path (never from inside an assisted
    /// session: the consent is the user's alone), else a 404.
    static func ownSupportRequest(_ request: APIRequest) throws -> SupportRequest {
        let id = try request.id(what: "support request")
        guard let found = try request.database.support.request(id), found.user == (try request.actor.id) else {
            throw HTTPResponseError(.error(404, "no such support request for you"))
        }
        return found
    }

    /// Starts a request: the support user's second factor, the user found by email, the rank
    /// and branch checks, then the code into the outbox in the user's language, all audited.
    static func startSupportRequest(_ request: APIRequest, email: String, totp: String) throws -> SupportRequest {
        let database = request.database
        let actor = try request.actor
        let throttleKey = "support:\(actor.id)"
        let seconds = request.now.seconds
        let policy = try database.auth.policy
        if let until = database.auth.throttle.lockedUntil(throttleKey), seconds < until {
            var response = HTTPResponse.error(429, "too many wrong one-time codes; try again in \(until - seconds) s")
            response.headers.append(("Retry-After", "\(until - seconds)"))
            throw HTTPResponseError(response)
        }
        let hasTOTP = try database.db.queryFirst(
            "SELECT CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END FROM users WHERE id = ?", actor.id.rawValue,
            map: { try $0.get(0) as Int64 })
        guard hasTOTP == 1 else {
            try database.write {
                try request.audit("support.refused", target: "user:\(actor.id)", changes: ["why": "no_totp"])
            }
            throw HTTPResponseError(.error(403, "enable two-step sign-in first: support needs your own one-time code"))
        }
        let proven = try database.write { () -> Bool in
            let proven = try database.auth.checkSecondFactor(actor.id, code: totp, now: request.now)
            if !proven {
                try request.audit("support.refused", target: "user:\(actor.id)", changes: ["why": "wrong_totp"])
            }
            return proven
        }
        guard proven else {
            database.auth.throttle.recordFailure(
                throttleKey, limit: policy.maxFailuresPerAccount, now: seconds, window: policy.failureWindowSeconds,
                lockout: policy.lockoutSeconds)
            throw HTTPResponseError(.error(403, "field \"totp\": wrong one-time code"))
        }
        database.auth.throttle.forget(throttleKey)
        guard let (user, _) = try database.accounts.findForLogin(email),
            user.email.caseInsensitiveCompare(email) == .orderedSame, user.active
        else { throw AccountError.notFound("email", "no active user has this address") }
        guard user.id != actor.id else { throw AccountError.conflict("email", "this is your own account") }
        guard user.highestRole >= actor.highestRole else {
            try database.write {
                try request.audit("support.refused", target: "user:\(user.id)", changes: ["why": "outranks"])
            }
            throw HTTPResponseError(
                .error(403, "field \"email\": this user's role (\(user.highestRole.displayName)) outranks yours"))
        }
        try requireEveryBranch(request, .support, user.branches, reaching: "this user")
        let created = try database.write { () -> SupportRequest in
            // A session of the user past its end no longer holds their one open place.
            for over in try database.support.open(for: user.id) where over.status(at: request.now) == .ended {
                try database.auth.endAssistanceAtDeadline(
                    Assistance(
                        id: over.id, supportUser: over.supportUser, supportName: over.supportName,
                        endsAt: over.endsAt ?? request.now),
                    now: request.now)
            }
            let (created, code) = try database.support.create(support: actor.id, user: user.id, now: request.now)
            let language =
                try database.db.queryFirst(
                    "SELECT language FROM users WHERE id = ?", user.id.rawValue, map: { try $0.get(0) as String })
                ?? "es"
            let (subject, text) = MailTemplates.supportCode(
                language: language, name: user.name, support: created.supportName, code: code,
                minutes: SupportPolicy.codeSeconds / 60)
            _ = try database.mail.enqueue(
                user: user.id.rawValue, to: user.email, kind: "support_code", subject: subject, body: text,
                now: request.now)
            try request.audit("support.request", target: "user:\(user.id)", changes: ["request": created.id])
            return created
        }
        request.api.mailWaiting.signal()
        return created
    }

    /// Routes an assisted session may not use: what the user alone does (their password, second
    /// factor, email and tokens, their link to the sign-in provider, a phone to carry their pass,
    /// signing out everywhere, consenting) and starting another assistance. The account's id is
    /// compared as a number, as the handlers read it (`007` is user 7).
    static func refuseInAssistedSession(_ route: APIRoute, _ session: Session, _ context: RouteContext) throws {
        guard session.assistance != nil else { return }
        let pattern = route.pattern
        let ownAccount =
            route.method != .get && pattern.hasPrefix("/api/v1/users/:id")
            && !pattern.hasPrefix("/api/v1/users/:id/cards")
            && (try? context.parameter("id")).flatMap { Int64($0) } == session.account.id.rawValue
        let refused =
            pattern.hasPrefix("/api/v1/support/") || pattern.hasPrefix("/api/v1/me/totp")
            || pattern.hasPrefix("/api/v1/tokens") || pattern == "/api/v1/me/password"
            || pattern.hasPrefix("/api/v1/me/oidc")
            || (pattern == "/api/v1/me/phones" && route.method == .post)  // a door credential of the user's own
            || (pattern == "/api/v1/sessions" && route.method == .delete)
            || pattern.hasSuffix("/consent") || pattern.hasSuffix("/decline") || ownAccount
        guard refused else { return }
        throw HTTPResponseError(
            .error(403, "not in an assisted session: only the user may do this, signed in as themselves"))
    }
}

extension MailTemplates {
    static func supportCode(language: String, name: String, support: String, code: String, minutes: Int64)
        -> (String, String)
    {
        if language == "en" {
            return (
                "Your Portero support code",
                """
                Hello \(name),

                \(support) of support asked to act for you in Portero, to help you.
                If you agree, enter this code on your Portero page (Support) and read it to them:

                \(code)

                The code works for \(minutes) minutes. The session lasts at most 5 minutes and you can end it at
                any time. If you did not ask for help, decline the request and do not share the code.
                """
            )
        }
        return (
            "Tu código de soporte de Portero",
            """
            Hola \(name):

            \(support), de soporte, pidió actuar por ti en Portero para ayudarte.
            Si estás de acuerdo, escribe este código en tu página de Portero (Soporte) y díselo:

            \(code)

            El código sirve \(minutes) minutos. La sesión dura como máximo 5 minutos y puedes terminarla en
            cualquier momento. Si no pediste ayuda, rechaza la solicitud y no compartas el código.
            """
        )
    }
}
