import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension Schema {
    static let outboxMessage = named(
        "OutboxMessage",
        .object(
            [
                "id": .id, "recipient": .text, "kind": .text, "subject": .text,
                "status": .string(values: ["queued", "sent", "failed"]), "attempts": .count,
                "nextAttemptAt": .timestamp, "lastError": .text, "createdAt": .timestamp,
            ],
            optional: ["user": .id, "sentAt": .timestamp]))
}

extension CoreAPI {
    /// Password reset requests from one address within this window count toward its limit.
    static let resetWindowSeconds: Int64 = 900
    static let resetLimit = 5

    /// Refuses (429) an address that asked too often; otherwise counts this request.
    static let resetTokenRefusal = "field \"token\": the link is unknown, already used or expired; ask for a new one"

    static func throttleReset(_ request: APIRequest, _ what: String) throws {
        let key = "\(what):\(request.api.clientAddress(of: request.context.request))"
        let throttle = request.database.auth.throttle
        let now = request.now.milliseconds / 1_000
        if let until = throttle.lockedUntil(key), until > now {
            var response = HTTPResponse.error(429, "too many requests from this address; try again later")
            response.headers.append(("Retry-After", "\(until - now)"))
            throw HTTPResponseError(response)
        }
        throttle.recordFailure(
            key, limit: resetLimit, now: now, window: resetWindowSeconds, lockout: resetWindowSeconds)
    }

    /// Password reset by email, and the delivery log.
    package static func declareMailRoutes(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/password-reset", .anyone,
            "Ask for a password reset link by email; the answer is the same whether or not the address is known",
            body: [.required("email", .email)], answers: [.json(202, .object(["message": .text]))]
        ) { request in
            struct Body: Decodable { let email: String }
            let body = try request.body(Body.self)
            guard Self.matchesEmailSchema(body.email) else {
                throw AccountError(field: "email", problem: "not an email address")
            }
            try throttleReset(request, "reset")
            // An address no account could have gets the same answer as an unknown one.
            if (try? FieldRules.checkEmail(body.email)) != nil,
                let (account, _) = try request.database.accounts.findForLogin(body.email),
                account.email.caseInsensitiveCompare(body.email) == .orderedSame, account.active
            {
                try sendResetLink(to: account, request)
            }
            return .json(
                ["message": "if the address belongs to an account, a link to reset its password is on its way"],
                status: 202)
        }
        table.add(
            .post, "/api/v1/password-reset/confirm", .anyone,
            "Set a new password with a reset link's token: the token works once, and every session of the account ends",
            body: [.required("token", .string(maxLength: 100)), .required("password", .string)],
            answers: [.noContent]
        ) { request in
            struct Body: Decodable {
                let token: String
                let password: String
            }
            let body = try request.body(Body.self)
            let database = request.database
            // The token first: a guessed one costs a look-up, not a password hash.
            guard try database.mail.resetIsOpen(body.token, now: request.now) else {
                try throttleReset(request, "reset-confirm")
                return .error(400, resetTokenRefusal)
            }
            let hash = try database.accounts.preparePassword(body.password)
            let user = try database.write { () -> UserID? in
                guard let user = try database.mail.consumeReset(body.token, now: request.now) else { return nil }
                var changes = AccountChanges()
                changes.passwordHash = hash
                _ = try database.accounts.updateAccount(user, changes)
                try request.audit("user.password_reset", target: "user:\(user)")
                return user
            }
            guard user != nil else {
                try throttleReset(request, "reset-confirm")
                return .error(400, resetTokenRefusal)
            }
            return HTTPResponse(status: 204)
        }
        table.add(
            .get, "/api/v1/mail", .privilege(.configuration),
            "The delivery log: the newest messages first, to users of your branches (bodies are not shown)",
            query: [.integer("limit", 1...1_000)], answers: [.json(200, .array(.outboxMessage))]
        ) { request in
            let limit = try request.queryInt("limit", default: 100, range: 1...1_000)
            var users: Set<Int64>?
            if let branches = try visibleBranches(request, .configuration) {
                users = Set(
                    try request.database.accounts.accounts(in: branches, search: nil, limit: 100_000, offset: 0).map {
                        $0.id.rawValue
                    })
            }
            let messages = try request.database.mail.recent(limit: limit, users: users).map {
                var message = $0
                message.body = ""
                return message
            }
            struct Row: Encodable {
                let id: Int64
                let user: Int64?
                let recipient, kind, subject, status, lastError: String
                let attempts: Int
                let nextAttemptAt, createdAt: Timestamp
                let sentAt: Timestamp?
            }
            return .json(
                messages.map {
                    Row(
                        id: $0.id, user: $0.user, recipient: $0.recipient, kind: $0.kind, subject: $0.subject,
                        status: $0.status, lastError: $0.lastError, attempts: $0.attempts,
                        nextAttemptAt: $0.nextAttemptAt, createdAt: $0.createdAt, sentAt: $0.sentAt)
                })
        }
    }

    /// What `Schema.email` states (`^[^@\s][^\s]*@[^\s]*[^@\s]$`, at most 254 code points), with
    /// `\s` as JSON Schema's regular expressions read it (ECMAScript's white space and line ends).
    static func matchesEmailSchema(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        func blank(_ scalar: Unicode.Scalar) -> Bool {
            [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF]
                .contains(scalar.value) || (0x2000...0x200A).contains(scalar.value)
        }
        guard scalars.count >= 3, scalars.count <= 254, !scalars.contains(where: blank),
            let first = scalars.first, let last = scalars.last, first != "@", last != "@"
        else { return false }
        return scalars.dropFirst().dropLast().contains("@")
    }

    /// A reset link for `account` into the outbox, in its language, with the audit row.
    static func sendResetLink(to account: Account, _ request: APIRequest) throws {
        let database = request.database
        guard let base = request.api.publicURL else {
            request.api.log(.warning, "password reset for user \(account.id) not sent: public_url is not set")
            return
        }
        try database.write {
            let token = try database.mail.createReset(for: account.id, now: request.now)
            let language =
                try database.db.queryFirst(
                    "SELECT language FROM users WHERE id = ?", account.id.rawValue, map: { try $0.get(0) as String })
                ?? "es"
            let (subject, text) = MailTemplates.passwordReset(
                language: language, name: account.name, link: "\(base)/reset?token=\(token)",
                minutes: MailPolicy.resetLinkSeconds / 60)
            _ = try database.mail.enqueue(
                user: account.id.rawValue, to: account.email, kind: "password_reset", subject: subject, body: text,
                now: request.now)
            try request.audit("user.password_reset_requested", target: "user:\(account.id)")
        }
        request.api.mailWaiting.signal()
    }
}
