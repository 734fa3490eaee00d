import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel

/// How accounts appear in answers: never a hash, a secret or a token.
/// The answer of `/api/v1/me`, which every page asks for: it writes its JSON itself (tested
/// against its `Encodable` conformance). Declared in key order.
package struct AccountView: Encodable, JSONObjectWritable {
    package let active: Bool
    package let branches: [Int64]
    package let clave: Int64
    package let email: String
    package let id: Int64
    package let maternalSurname: String
    package let name: String
    package let paternalSurname: String
    package let roles: [String]
    package let username: String

    package init(_ account: Account) {
        id = account.id.rawValue
        username = account.username
        email = account.email
        active = account.active
        roles = account.roles.roles.map(\.rawValue)
        branches = account.branches.map(\.rawValue).sorted()
        clave = account.clave
        name = account.name
        paternalSurname = account.paternalSurname
        maternalSurname = account.maternalSurname
    }

    package func writeMembers(to object: inout JSONObjectWriter) {
        object.write("active", active)
        object.write("branches", branches)
        object.write("clave", clave)
        object.write("email", email)
        object.write("id", id)
        object.write("maternalSurname", maternalSurname)
        object.write("name", name)
        object.write("paternalSurname", paternalSurname)
        object.write("roles", roles)
        object.write("username", username)
    }
}

extension CoreAPI {
    /// Signing in and out, personal tokens, the second factor and the caller's own account.
    package static func declareAccountRoutes(_ table: inout RouteTable) {
        declareOIDCRoutes(&table)
        table.add(.get, "/api/v1/health", .anyone, "Liveness: 200 and ok", answers: [.file("text/plain", "ok")]) { _ in
            .text("ok\n")
        }
        table.add(
            .post, "/api/v1/session", .anyone,
            "Sign in with a username or email, a password and, when enabled, a one-time code",
            body: [.required("login", .string), .required("password", .string), .optional("totp", .string)],
            answers: [.json(201, .object(["user": .account, "csrfToken": .text]), "signed in; the cookie is set")]
        ) { request in
            struct Body: Decodable {
                let login: String
                let password: String
                let totp: String?
            }
            let body = try request.body(Body.self)
            let address = request.api.clientAddress(of: request.context.request)
            do {
                let (token, session) = try request.database.auth.login(
                    body.login, password: body.password, secondFactor: body.totp, address: address, now: request.now)
                // Checked once the password is (so a stranger learns nothing of the account's roles).
                let refused = rolesRefused(session.account, from: address, try request.database.settings.chain())
                if !refused.isEmpty {
                    try request.database.write {
                        try request.database.auth.logout(token: token)
                        _ = try request.database.audit.append(
                            actor: "user:\(session.account.id)", action: "login.network_refused",
                            target: "user:\(session.account.id)",
                            changes: AuditChanges.json(["address": address, "roles": refused.map(\.rawValue)]),
                            concerning: session.account.branches, at: request.now)
                    }
                    let names = refused.map(\.displayName).joined(separator: ", ")
                    return .error(403, "\(names) may not sign in from this network (\(address))")
                }
                struct Answer: Encodable {
                    let user: AccountView
                    let csrfToken: String
                }
                var response = HTTPResponse.json(
                    Answer(user: AccountView(session.account), csrfToken: session.csrfToken), status: 201)
                response.headers.append(
                    ("Set-Cookie", try request.database.auth.cookie(token: token, secure: request.secureCookies)))
                return response
            } catch let failure as AuthFailure {
                var response = HTTPResponse.error(
                    failure == .invalidCredentials || failure == .secondFactorRequired ? 401 : 429, "\(failure)")
                if case let .lockedOut(seconds) = failure { response.headers.append(("Retry-After", "\(seconds)")) }
                return response
            }
        }
        table.add(.delete, "/api/v1/session", .signedIn, "Sign out", answers: [.noContent]) { request in
            try endAssistanceOnSignOut(request)
            if let token = CoreAPI.cookie("portero_session", in: request.context.request.header("cookie")) {
                try request.database.auth.logout(token: token)
            }
            return HTTPResponse(
                status: 204, headers: [("Set-Cookie", "portero_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")]
            )
        }
        table.add(
            .delete, "/api/v1/sessions", .signedIn, "Sign out everywhere: every session of your account ends",
            answers: [.noContent]
        ) {
            request in
            try request.database.write {
                try request.database.auth.logoutEverywhere(try request.actor.id, now: request.now)
            }
            return HTTPResponse(
                status: 204, headers: [("Set-Cookie", "portero_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")]
            )
        }
        table.add(
            .post, "/api/v1/tokens", .signedIn, "Create a personal API token (shown once)",
            body: [.required("name", .name)],
            answers: [.json(201, .object(["id": .id, "token": .text]), "the token, shown this once")]
        ) { request in
            struct Body: Decodable { let name: String }
            let body = try request.body(Body.self)
            try FieldRules.checkName(body.name, field: "name", required: true)
            let created = try request.database.write {
                try request.database.auth.createAPIToken(for: try request.actor.id, name: body.name, now: request.now)
            }
            struct Answer: Encodable {
                let id: Int64
                let token: String
            }
            return .json(Answer(id: created.id, token: created.token), status: 201)
        }
        table.add(.delete, "/api/v1/tokens/:id", .signedIn, "Revoke one of your tokens", answers: [.noContent]) {
            request in
            let id = try request.id(what: "token")
            guard
                try request.database.write({
                    try request.database.auth.revokeAPIToken(id, of: try request.actor.id, now: request.now)
                })
            else {
                return .error(404, "no such token")
            }
            return HTTPResponse(status: 204)
        }
        table.add(
            .post, "/api/v1/me/totp/secret", .signedIn, "A new TOTP secret to scan",
            answers: [.json(201, .object(["secret": .text, "uri": .text]))]
        ) { request in
            let created = try request.database.auth.newTOTPSecret(for: try request.actor)
            return .json(["secret": Base32.encode(created.secret), "uri": created.uri], status: 201)
        }
        table.add(
            .post, "/api/v1/me/totp", .signedIn, "Turn the second factor on with a code; returns recovery codes",
            body: [
                .required("secret", .string(pattern: "^([ =-]*[A-Za-z2-7]){26,}[ =-]*$")),
                .required("code", .string),
            ],
            answers: [.json(201, .object(["recovery_codes": .array(.text)]))]
        ) { request in
            struct Body: Decodable {
                let secret: String
                let code: String
            }
            let body = try request.body(Body.self)
            guard let secret = Base32.decode(body.secret), secret.count >= 16 else {
                return .error(400, "field \"secret\" must be the base32 secret given")
            }
            do {
                let codes = try request.database.write {
                    try request.database.auth.enableTOTP(
                        for: try request.actor.id, secret: secret, code: body.code, now: request.now)
                }
                return .json(["recovery_codes": codes], status: 201)
            } catch AuthFailure.invalidCredentials {
                return .error(403, "field \"code\" does not match the secret; check the authenticator's clock")
            }
        }
        table.add(
            .get, "/api/v1/audit", .privilege(.configuration),
            "The newest audit rows about your branches (all for a SuperAdministrador) and the verification of "
                + "the whole hash chain",
            query: [
                .integer("limit", 1...1_000), QueryParameter(name: "action", schema: .string(maxLength: 100)),
                QueryParameter(name: "who", schema: .string(maxLength: 100)), .date("from"), .date("to"),
                .integer("before", 1...Int64.max),
            ], answers: [.json(200, .audit)]
        ) { request in
            let limit = try request.queryInt("limit", default: 100, range: 1...1_000)
            let search = try auditSearch(request)
            struct Row: Encodable {
                let id: Int64
                let at: Timestamp
                let actor: String
                let action: String
                let target: String
                let changes: String
                let hash: String
            }
            struct Verification: Encodable {
                let intact: Bool
                let rows: Int?
                let brokenAt: Int64?
                let reason: String?
            }
            struct Answer: Encodable {
                let verification: Verification
                let entries: [Row]
            }
            let verification: Verification =
                switch try request.database.audit.verify() {
                case let .intact(rows, _): Verification(intact: true, rows: rows, brokenAt: nil, reason: nil)
                case let .broken(row, reason): Verification(intact: false, rows: nil, brokenAt: row, reason: reason)
                }
            // The rows about the caller's branches (all for a SuperAdministrador); the
            // verification above walks the whole chain whoever asks.
            let branches = try visibleBranches(request, .configuration)
            let entries = try request.database.audit.search(search, concerning: branches, limit: limit).map {
                Row(
                    id: $0.id, at: $0.at, actor: $0.actor, action: $0.action, target: $0.target, changes: $0.changes,
                    hash: $0.hash.map { String(format: "%02x", $0) }.joined())
            }
            return .json(Answer(verification: verification, entries: entries))
        }
        table.add(.get, "/api/v1/me", .privilege(.myProfile), "Your account", answers: [.json(200, .account)]) {
            request in
            .json(AccountView(try request.actor))
        }
        table.add(
            .post, "/api/v1/me/password", .privilege(.myProfile),
            "Change your password (the current one is required); your other sessions end",
            body: [.required("current", .string), .required("password", .string)], answers: [.noContent]
        ) { request in
            struct Body: Decodable {
                let current: String
                let password: String
            }
            let body = try request.body(Body.self)
            let actor = try request.actor
            guard let found = try request.database.accounts.findForLogin(actor.username),
                let stored = found.passwordHash,
                (try? request.database.auth.hasher.verify(body.current, against: stored)) == true
            else {
                return .error(403, "field \"current\" is not your current password")
            }
            let hash = try request.database.accounts.preparePassword(body.password)
            try request.database.write {
                var changes = AccountChanges()
                changes.passwordHash = hash
                _ = try request.database.accounts.updateAccount(actor.id, changes)
                try request.audit("user.password", target: "user:\(actor.id)")
            }
            return HTTPResponse(status: 204)
        }
    }
}
