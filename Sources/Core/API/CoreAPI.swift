import Crypto
import Foundation
import HTTP
import PorteroModel
import SQLite

/// Who may call a route: anyone (logging in), any signed-in user, or the holders of a privilege
/// at the branch the request is about. Every route must say which; nothing is allowed by default.
public enum RouteAccess: Hashable, Sendable {
    case anyone
    case signedIn
    /// The privilege at the branch named by the `branch` query parameter (or, for a write, the
    /// branches in the body); without a branch, at any branch the user holds it at.
    case privilege(Privilege)
}

/// One declared API route.
public struct APIRoute: Sendable {
    public let method: HTTPMethod
    public let pattern: String
    public let access: RouteAccess
    /// One line for the OpenAPI document.
    public let summary: String
    /// Fields of the JSON body, for the OpenAPI document (empty: no body).
    public let bodyFields: [String]
    let handler: @Sendable (APIRequest) throws -> HTTPResponse
}

/// A request that passed authentication and authorisation.
public struct APIRequest: Sendable {
    public var context: RouteContext
    public var session: Session?
    /// The branch the request is scoped to (`?branch=`), already checked against the session.
    public var branch: BranchID?
    public var now: Timestamp
}

/// The BackOffice API over the core's services. Requests run one at a time on the HTTP server's
/// thread; the stores are reached only through `lock`, so the class is safe to share.
public final class CoreAPI: @unchecked Sendable {
    // @unchecked: every use of `accounts`, `audit` and `auth` (non-Sendable, one SQLite connection)
    // happens inside `lock`.
    let lock = NSLock()
    let accounts: SQLiteAccountStore
    let audit: SQLiteAuditStore
    let auth: Authenticator
    let secureCookies: Bool
    public private(set) var routes: [APIRoute] = []
    let clock: @Sendable () -> Timestamp

    public init(connection: Connection, secureCookies: Bool = false, hasher: PasswordHasher = PasswordHasher(),
                policy: AuthPolicy = AuthPolicy(), clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) throws {
        accounts = try SQLiteAccountStore(connection: connection, hasher: hasher)
        audit = try SQLiteAuditStore(connection: connection)
        auth = Authenticator(connection: connection, accounts: accounts, audit: audit, hasher: hasher, policy: policy)
        self.secureCookies = secureCookies
        self.clock = clock
        declareRoutes()
    }

    func add(_ method: HTTPMethod, _ pattern: String, _ access: RouteAccess, _ summary: String, body: [String] = [],
             _ handler: @escaping @Sendable (APIRequest) throws -> HTTPResponse) {
        routes.append(APIRoute(method: method, pattern: pattern, access: access, summary: summary, bodyFields: body, handler: handler))
    }

    /// The HTTP router: each route wrapped in authentication, CSRF and the privilege check.
    public func router() -> Router {
        var router = Router()
        for route in routes {
            router.add(route.method, route.pattern) { [self] context in
                lock.lock()
                defer { lock.unlock() }
                return try serve(route, context)
            }
        }
        return router
    }

    func serve(_ route: APIRoute, _ context: RouteContext) throws -> HTTPResponse {
        let now = clock()
        var request = APIRequest(context: context, session: nil, branch: nil, now: now)
        if route.access != .anyone, let authorization = context.request.header("authorization") {
            // Scripts: a personal token; no cookie, so no CSRF to check.
            guard authorization.hasPrefix("Bearer "), let account = try? auth.account(bearer: String(authorization.dropFirst(7)), now: now) else {
                return .error(401, "invalid or revoked token")
            }
            request.session = Session(account: account, csrfToken: "")
        } else if route.access != .anyone {
            guard let token = Self.cookie("portero_session", in: context.request.header("cookie")) else {
                return .error(401, "sign in first")
            }
            do {
                let session = try auth.session(token: token, now: now)
                if route.method != .get && route.method != .head {
                    try auth.checkCSRF(session, header: context.request.header("x-csrf-token"))
                }
                request.session = session
            } catch let failure as AuthFailure {
                return .error(failure == .csrfMismatch ? 403 : 401, "\(failure)")
            }
        }
        if case let .privilege(privilege) = route.access, let account = request.session?.account {
            if let text = Self.queryValue("branch", in: context.request.query) {
                guard let number = Int64(text), number > 0 else { return .error(400, "query parameter branch must be a branch id") }
                request.branch = BranchID(number)
            }
            let allowed = request.branch.map { account.may(privilege, at: $0) } ?? account.may(privilege, at: nil)
            guard allowed else { return .error(403, "\(privilege.rawValue) is not among your privileges\(request.branch.map { " at branch \($0)" } ?? "")") }
        }
        do {
            return try route.handler(request)
        } catch let error as AccountError {
            return .error(error.problem == "already in use" ? 409 : 400, "\(error)")
        } catch let error as SQLiteError where error.isBusy || error.isDiskFull {
            return .error(503, "the database is busy or full; nothing was written, try again")
        }
    }

    static func cookie(_ name: String, in header: String?) -> String? {
        header?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    static func queryValue(_ name: String, in query: String?) -> String? {
        query?.split(separator: "&").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    // MARK: Routes

    struct LoginBody: Decodable { let login: String; let password: String; let totp: String? }
    struct BranchBody: Decodable { let name: String; let city: String; let timeZone: String }
    struct UserBody: Decodable {
        let username: String; let email: String; let password: String; let name: String; let paternalSurname: String
        let roles: [String]; let branches: [Int64]
    }
    struct AccountView: Encodable {
        let id: Int64; let username: String; let email: String; let active: Bool; let roles: [String]; let branches: [Int64]
        init(_ account: Account) {
            id = account.id.rawValue; username = account.username; email = account.email; active = account.active
            roles = account.roles.roles.map(\.rawValue); branches = account.branches.map(\.rawValue).sorted()
        }
    }

    func declareRoutes() {
        add(.get, "/api/v1/health", .anyone, "Liveness: 200 and ok") { _ in .text("ok\n") }
        add(.get, "/api/v1/openapi.json", .anyone, "This document") { [self] _ in
            let data = (try? JSONSerialization.data(withJSONObject: openAPIDocument(), options: [.sortedKeys])) ?? Data("{}".utf8)
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(data))
        }
        add(.post, "/api/v1/session", .anyone, "Sign in with a username or email, a password and, when enabled, a one-time code", body: ["login", "password", "totp"]) { [self] request in
            let body = try JSONBody.decode(LoginBody.self, from: request.context.request, allowedFields: ["login", "password", "totp"])
            let address = request.context.request.header("x-forwarded-for") ?? "local"
            do {
                let (token, session) = try auth.login(body.login, password: body.password, secondFactor: body.totp, address: address, now: request.now)
                struct Answer: Encodable { let user: AccountView; let csrfToken: String }
                var response = HTTPResponse.json(Answer(user: AccountView(session.account), csrfToken: session.csrfToken), status: 201)
                response.headers.append(("Set-Cookie", auth.cookie(token: token, secure: secureCookies)))
                return response
            } catch let failure as AuthFailure {
                var response = HTTPResponse.error(failure == .invalidCredentials || failure == .secondFactorRequired ? 401 : 429, "\(failure)")
                if case let .lockedOut(seconds) = failure { response.headers.append(("Retry-After", "\(seconds)")) }
                return response
            }
        }
        add(.delete, "/api/v1/session", .signedIn, "Sign out") { [self] request in
            if let token = Self.cookie("portero_session", in: request.context.request.header("cookie")) { try auth.logout(token: token) }
            return HTTPResponse(status: 204, headers: [("Set-Cookie", "portero_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")])
        }
        add(.post, "/api/v1/tokens", .signedIn, "Create a personal API token (shown once)", body: ["name"]) { [self] request in
            struct TokenBody: Decodable { let name: String }
            let body = try JSONBody.decode(TokenBody.self, from: request.context.request, allowedFields: ["name"])
            let created = try auth.createAPIToken(for: request.session!.account.id, name: body.name, now: request.now)  // safe: signed in
            struct Answer: Encodable { let id: Int64; let token: String }
            return .json(Answer(id: created.id, token: created.token), status: 201)
        }
        add(.delete, "/api/v1/tokens/:id", .signedIn, "Revoke one of your tokens") { [self] request in
            guard let id = Int64(try request.context.parameter("id")),
                  try auth.revokeAPIToken(id, of: request.session!.account.id, now: request.now) else {  // safe: signed in
                return .error(404, "no such token")
            }
            return HTTPResponse(status: 204)
        }
        add(.post, "/api/v1/me/totp/secret", .signedIn, "A new TOTP secret to scan") { [self] request in
            let created = try auth.newTOTPSecret(for: request.session!.account)  // safe: signed in
            return .json(["secret": Base32.encode(created.secret), "uri": created.uri], status: 201)
        }
        add(.post, "/api/v1/me/totp", .signedIn, "Turn the second factor on with a code; returns recovery codes", body: ["secret", "code"]) { [self] request in
            struct Confirm: Decodable { let secret: String; let code: String }
            let body = try JSONBody.decode(Confirm.self, from: request.context.request, allowedFields: ["secret", "code"])
            guard let secret = Base32.decode(body.secret), secret.count >= 16 else { return .error(400, "field \"secret\" must be the base32 secret given") }
            do {
                let codes = try auth.enableTOTP(for: request.session!.account.id, secret: secret, code: body.code, now: request.now)  // safe: signed in
                return .json(["recovery_codes": codes], status: 201)
            } catch AuthFailure.invalidCredentials {
                return .error(400, "field \"code\" does not match the secret; check the authenticator's clock")
            }
        }
        add(.get, "/api/v1/me", .privilege(.myProfile), "Your account") { request in
            .json(AccountView(request.session!.account))  // safe: privilege routes always have a session
        }
        add(.post, "/api/v1/branches", .privilege(.branches), "Create a branch", body: ["name", "city", "timeZone"]) { [self] request in
            let body = try JSONBody.decode(BranchBody.self, from: request.context.request, allowedFields: ["name", "city", "timeZone"])
            let id = try accounts.createBranch(name: body.name, city: body.city, timeZone: body.timeZone)
            _ = try audit.append(actor: "user:\(request.session!.account.id)", action: "branch.create", target: "branch:\(id)",  // safe: signed in
                                 changes: #"{"name":\#(Self.quoted(body.name))}"#, at: request.now)
            return .json(["id": id.rawValue], status: 201)
        }
        add(.post, "/api/v1/users", .privilege(.users), "Create a user with roles and branches", body: ["username", "email", "password", "name", "paternalSurname", "roles", "branches"]) { [self] request in
            let body = try JSONBody.decode(UserBody.self, from: request.context.request,
                                           allowedFields: ["username", "email", "password", "name", "paternalSurname", "roles", "branches"])
            let actor = request.session!.account  // safe: signed in
            let branches = Set(body.branches.map { BranchID($0) })
            // Staff can only create users in branches where they hold the privilege.
            guard branches.allSatisfy({ actor.may(.users, at: $0) }) else {
                return .error(403, "users is not among your privileges at every branch in the request")
            }
            var roles: [Role] = []
            for name in body.roles {
                guard let role = Role(rawValue: name) else { throw AccountError(field: "roles", problem: "\"\(name)\" is not a role") }
                roles.append(role)
            }
            // Nobody grants a role above their own.
            if roles.contains(where: { $0 < (actor.roles.roles.min() ?? .client) }) {
                return .error(403, "you cannot grant a role above your own")
            }
            let account = try accounts.createAccount(username: body.username, email: body.email, password: body.password, name: body.name,
                                                     paternalSurname: body.paternalSurname, roles: RoleSet(roles), branches: branches, now: request.now)
            _ = try audit.append(actor: "user:\(actor.id)", action: "user.create", target: "user:\(account.id)",
                                 changes: #"{"username":\#(Self.quoted(body.username)),"roles":\#(Self.quoted(body.roles.joined(separator: ",")))}"#, at: request.now)
            return .json(AccountView(account), status: 201)
        }
        add(.get, "/api/v1/users/:id", .privilege(.users), "A user of a branch you hold the users privilege at") { [self] request in
            guard let number = Int64(try request.context.parameter("id")), let account = try accounts.account(UserID(number)) else {
                return .error(404, "no such user")
            }
            let viewer = request.session!.account  // safe: signed in
            // Only users of branches the viewer holds the privilege at (SuperAdministrador: all).
            guard viewer.roles.contains(.superAdministrator) || !account.branches.filter({ viewer.may(.users, at: $0) }).isEmpty || account.id == viewer.id else {
                return .error(404, "no such user")
            }
            return .json(AccountView(account))
        }
    }

    /// The OpenAPI 3.1 document, made from the declared routes so it cannot drift from them.
    public func openAPIDocument() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            let path = route.pattern.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            var operation: [String: Any] = ["summary": route.summary, "responses": ["default": ["description": "a JSON body; errors are {\"error\": message}"]]]
            var parameters: [[String: Any]] = route.pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                ["name": String($0.dropFirst()), "in": "path", "required": true, "schema": ["type": "string"]]
            }
            switch route.access {
            case .anyone: operation["security"] = [[String: Any]]()
            case .signedIn: operation["x-portero-access"] = "signed-in"
            case let .privilege(privilege):
                operation["x-portero-access"] = "privilege:\(privilege.rawValue)"
                parameters.append(["name": "branch", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1]])
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if !route.bodyFields.isEmpty {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": [
                    "type": "object", "additionalProperties": false,
                    "properties": Dictionary(uniqueKeysWithValues: route.bodyFields.map { ($0, [String: Any]()) }),
                ]]]]
            }
            paths["/" + path, default: [:]][route.method.rawValue.lowercased()] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Portero BackOffice API", "version": "1"],
            "paths": paths,
            "components": ["securitySchemes": [
                "session": ["type": "apiKey", "in": "cookie", "name": "portero_session"],
                "token": ["type": "http", "scheme": "bearer"],
            ]],
            "security": [["session": [String]()], ["token": [String]()]],
        ]
    }

    static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
