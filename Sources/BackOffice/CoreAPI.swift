import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel
import SQLite
import Service
import SyncWire

/// The BackOffice API over the core's services. Requests run on the HTTP server's event loops,
/// several at once; each borrows a database connection from the pool for its duration, so the
/// class holds nothing mutable of its own.
public final class CoreAPI: Sendable {
    package let pool: CoreDatabasePool
    package let feed = FeedNotifier()
    /// Other instances' changes, over PostgreSQL (nil on SQLite: one process only).
    package let listener: ChangeListener?
    /// What `GET /metrics` reports besides the database and the process.
    public let metrics: CoreMetrics
    package let secureCookies: Bool
    /// Peers whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    package let trustedProxies: Set<String>
    /// Where failures the client is not told about go (the operator's log).
    package let log: Log
    public let routes: [APIRoute]
    package let clock: @Sendable () -> Timestamp
    /// How long a device enrolment code stays valid.
    public let enrollmentCodeSeconds: Int64
    /// The core's time zone (IANA), for "today" when no branch says.
    public let timeZone: String
    /// The address people reach the web UI at (`https://club.example`), for links in emails;
    /// nil: no email carries a link (password resets are not sent).
    public let publicURL: String?
    /// Signalled when this instance queues an email, so the sender does not wait for its next round.
    package let mailWaiting = DispatchSemaphore(value: 0)
    package let oidc: OIDCProvider?  // the OpenID provider staff may sign in with (nil: none)

    /// Opens (and migrates) the database at `path` (a SQLite file, or a `postgres://` URL); more
    /// connections are opened as requests need them.
    /// The core's connections: WAL and FULL sync as everywhere, and a 64 MiB page cache each (a
    /// server, unlike a branch controller, has the memory; the attendance table's indexes grow
    /// with every upload and stay in cache).
    public static var serverOptions: ConnectionOptions {
        var options = ConnectionOptions()
        options.cacheSizeKiB = 65_536
        return options
    }

    public init(
        path: String, options: ConnectionOptions = CoreAPI.serverOptions, secureCookies: Bool = false,
        trustedProxies: [String] = [], metricsAllowedAddresses: [String] = ["127.0.0.1", "::1"], log: Log = Log(),
        hasher: PasswordHasher = PasswordHasher(),
        policy: AuthPolicy = AuthPolicy(), enrollmentCodeSeconds: Int64 = 24 * 3600, timeZone: String = "UTC",
        publicURL: String? = nil, oidc: OIDCSettings? = nil, clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) throws {
        let throttle = LoginThrottle()
        let dummyHash = Authenticator.makeDummyHash(hasher)
        // Once for the database, before any connection of the pool serves a request.
        let location = CoreDatabaseLocation(path)
        try location.migrate(options: options)
        if case let .postgres(url) = location {
            listener = ChangeListener(url: url, feed: feed, log: log)
        } else {
            listener = nil
        }
        pool = try CoreDatabasePool {
            try CoreDatabase(
                connection: try location.connect(options: options), hasher: hasher, policy: policy,
                throttle: throttle, dummyHash: dummyHash)
        }
        self.secureCookies = secureCookies
        self.trustedProxies = Set(trustedProxies)
        // Checked where the configuration is read.
        metrics = CoreMetrics(allowed: metricsAllowedAddresses.compactMap(AddressRange.init))
        self.log = log
        self.clock = clock
        self.enrollmentCodeSeconds = enrollmentCodeSeconds
        _ = try ZoneRules(identifier: timeZone)
        self.timeZone = timeZone
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.oidc = oidc.map { OIDCProvider(settings: $0) }
        var declared = RouteTable()
        Self.declareAccountRoutes(&declared)
        Self.declareUserRoutes(&declared)
        Self.declareDeviceRoutes(&declared)
        Self.declareMemberRoutes(&declared)
        Self.declarePINRoutes(&declared)
        Self.declareSalesRoutes(&declared)
        Self.declareDayPassRoutes(&declared)
        Self.declareOccupancyRoutes(&declared)
        Self.declareLogoRoutes(&declared)
        Self.declareSupportRoutes(&declared)
        Self.declarePosRoutes(&declared)
        Self.declarePosSaleRoutes(&declared)
        Self.declareCashRoutes(&declared)
        Self.declareSettingsRoutes(&declared)
        Self.declarePaymentRoutes(&declared)
        Self.declareReportRoutes(&declared)
        Self.declarePhotoRoutes(&declared)
        Self.declarePhoneRoutes(&declared)
        Self.declareMemberPortalRoutes(&declared)
        Self.declareMailRoutes(&declared)
        Self.declarePreferenceRoutes(&declared)
        Self.declareWebhookRoutes(&declared)
        Self.declareOperationsRoutes(&declared)
        Self.declareDoorRoutes(&declared)
        Self.declareDoorSetupRoutes(&declared)
        Self.declarePromotionRoutes(&declared)
        Self.declareInvoiceRoutes(&declared)
        Self.declareImportRoutes(&declared)
        Self.declareSyncRoutes(&declared)
        Self.declareOpenAPIRoute(&declared)
        routes = declared.routes
        feed.start()
        listener?.start()
    }

    /// The client's address, which sign-in and enrolment attempts are throttled by: the socket's
    /// peer, or, when the peer is a trusted proxy, the right-most `X-Forwarded-For` hop that is not
    /// itself a trusted proxy (hops further left were written by the client and prove nothing).
    /// From any other peer the header is ignored, so a client cannot pick its own address.
    /// Every `X-Forwarded-For` line counts, in order (a proxy may add a line of its own rather
    /// than append to the client's), and a hop's port is dropped, so a client cannot make a new
    /// key per source port or by sending a line of its own first.
    package func clientAddress(of request: HTTPRequest) -> String {
        let peer = request.peer.isEmpty ? "local" : request.peer
        guard trustedProxies.contains(peer) else { return peer }
        let hops = request.headers.filter { $0.name == "x-forwarded-for" }
            .flatMap { $0.value.split(separator: ",") }
            .map { Self.address(ofHop: $0.trimmingCharacters(in: .whitespaces)) }
        return hops.last { !trustedProxies.contains($0) && !$0.isEmpty } ?? peer
    }

    /// A forwarded hop's address without its port: `203.0.113.5:4711` and `[2001:db8::1]:443`
    /// are `203.0.113.5` and `2001:db8::1`; a bare IPv6 address stays whole.
    static func address(ofHop hop: String) -> String {
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") {
            return String(hop[hop.index(after: hop.startIndex)..<close])
        }
        if hop.filter({ $0 == ":" }).count == 1, let colon = hop.firstIndex(of: ":") { return String(hop[..<colon]) }
        return hop
    }

    /// True when a trusted proxy says the client came over HTTPS (cookies are then Secure); the
    /// last `X-Forwarded-Proto` line is the proxy's.
    package func forwardedOverHTTPS(_ request: HTTPRequest) -> Bool {
        guard trustedProxies.contains(request.peer) else { return false }
        let proto = request.headers.last { $0.name == "x-forwarded-proto" }?.value
        return proto?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    /// A device's long poll: its batch when a change concerns its branch, or an empty one when
    /// `final` (nil: nothing for it yet).
    package func feedAnswer(branch: BranchID, after: Int64, chainIndex: Bool, final: Bool) -> HTTPResponse? {
        let now = clock()
        guard
            let batch = try? pool.with({ database -> SyncBatch in
                let zone =
                    (try? database.accounts.branch(branch)).flatMap { $0 }.map { ZoneCache.rules($0.timeZone) }
                    ?? ZoneRules(fixedOffsetSeconds: 0)
                return try database.sync.batch(
                    branch: branch, after: after, limit: CoreAPI.syncBatchLimit, zone: zone, now: now,
                    chainIndex: chainIndex)
            })
        else { return final ? .error(503, "the database is busy; ask again") : nil }
        let quiet =
            batch.items.isEmpty && batch.commands.isEmpty && !batch.more && !batch.snapshotRequired
            && batch.cursor == after
        return quiet && !final ? nil : .json(batch)
    }

    /// Answers the waiting long polls and stops their thread (before the server stops).
    public func stopWaiting() {
        listener?.stop()
        feed.stop()
    }

    /// An instance let go without `stopWaiting` (a test's) closes its listening connection too.
    deinit { listener?.stop() }

    /// Runs `body` with a database connection (set-up, tests, commands).
    public func withDatabase<T>(_ body: (CoreDatabase) throws -> T) throws -> T { try pool.with(body) }

    /// The routes as they are declared; each file of routes adds its own.
    package struct RouteTable {
        var routes: [APIRoute] = []

        mutating func add(
            _ method: HTTPMethod, _ pattern: String, _ access: RouteAccess, _ summary: String, body: [BodyField] = [],
            bodyRules: [BodyRule] = [],
            query: [QueryParameter] = [], answers: [RouteAnswer],
            bodyLimit: Int = 16_384, _ handler: @escaping @Sendable (APIRequest) throws -> HTTPResponse
        ) {
            routes.append(
                APIRoute(
                    method: method, pattern: pattern, access: access, summary: summary, body: body,
                    bodyRules: bodyRules,
                    query: query,
                    answers: answers, bodyLimit: bodyLimit, handler: handler))
        }
    }

    /// The API routes alone.
    public func apiRouter() -> Router {
        var router = Router()
        for route in routes {
            router.add(route.method, route.pattern, bodyLimit: route.bodyLimit) { [self] context in
                // On an event loop, a request that only reads joins the read its loop keeps
                // for the batch (see CoreDatabasePool); anywhere else it has one of its own.
                let keepRead = Self.onlyReads(route, context) && EventLoopThread.isCurrent
                do {
                    return try pool.with(keepingRead: keepRead) { database in
                        try serve(route, context, database, keepRead: keepRead)
                    }
                } catch let error as any SQLDatabaseError where error.isUnavailable {
                    // No connection could be had (the database is down): nothing was done.
                    log(.warning, "\(route.method.rawValue) \(route.pattern): no database connection: \(error)")
                    return .error(503, "the database is unreachable; nothing was written, try again")
                }
            }
        }
        router.batchEnded = { [pool] in pool.endBatch() }
        return router
    }

    package func serve(_ route: APIRoute, _ context: RouteContext, _ database: CoreDatabase, keepRead: Bool) throws
        -> HTTPResponse
    {
        let now = clock()
        // The session's upkeep (its idle clock, or deleting it) is written after the request's
        // read transaction, never inside it.
        var check: Authenticator.SessionCheck?
        defer {
            if let check, check.upkeep != .none {
                if keepRead { database.db.endRead() }
                try? database.auth.settle(check, now: now)
            }
        }
        do {
            if keepRead {
                // Inside the read the event loop keeps for its batch, begun here if this is the
                // batch's first: one snapshot, one WAL read lock.
                try database.db.beginRead()
                return try route.handler(try authorize(route, context, database, now, &check))
            }
            if Self.onlyReads(route, context) {
                // A read sees one snapshot and takes the WAL read lock once: a cookie session is
                // only read, so it joins the handler's read.
                return try database.db.read { try route.handler(try authorize(route, context, database, now, &check)) }
            }
            if route.method == .get {
                // A bearer token records its last use (a write): checked before the read.
                let request = try authorize(route, context, database, now, &check)
                return try database.db.read { try route.handler(request) }
            }
            defer { feed.changed() }  // a write may have grown the change log
            return try route.handler(try authorize(route, context, database, now, &check))
        } catch let error as AccountError {
            let status =
                switch error.kind {
                case .invalid: 400
                case .conflict: 409
                case .notFound: 404
                }
            return .error(status, "\(error)")
        } catch let error as HTTPResponseError {
            return error.response
        } catch let error as any SQLDatabaseError where error.isUnavailable {
            if keepRead { database.db.endRead() }
            log(.warning, "\(route.method.rawValue) \(route.pattern): the database is unavailable: \(error)")
            return .error(503, "the database is busy, full or unreachable; nothing was written, try again")
        } catch {
            if keepRead { database.db.endRead() }
            // Logged for the operator; the client learns only that nothing was done.
            log(.error, "\(route.method.rawValue) \(route.pattern): \(error)")
            return .error(500, "internal error; nothing was written")
        }
    }

    /// A GET with no bearer token (a cookie session, or no one): it reads and writes nothing
    /// while it runs (a session's upkeep is written after), so it may share a read transaction.
    package static func onlyReads(_ route: APIRoute, _ context: RouteContext) -> Bool {
        route.method == .get && context.request.header("authorization") == nil
    }

    /// Authentication, CSRF and the privilege check: the request for the handler, or a refusal
    /// thrown as its response.
    private func authorize(
        _ route: APIRoute, _ context: RouteContext, _ database: CoreDatabase, _ now: Timestamp,
        _ check: inout Authenticator.SessionCheck?
    ) throws -> APIRequest {
        let secure = secureCookies || forwardedOverHTTPS(context.request)
        var request = APIRequest(
            context: context, route: route, session: nil, device: nil, branch: nil, now: now, database: database,
            secureCookies: secure,
            enrollmentCodeSeconds: enrollmentCodeSeconds, api: self, timeZone: timeZone)
        let authorization = context.request.header("authorization")
        switch route.access {
        case .anyone:
            break
        case .device:
            guard let authorization, authorization.hasPrefix("Bearer ") else {
                throw HTTPResponseError(.error(401, "a device token is required"))
            }
            do {
                request.device = try database.devices.device(bearer: String(authorization.dropFirst(7)), now: now)
            } catch let failure as DeviceAuthFailure {
                throw HTTPResponseError(.error(401, "\(failure)"))
            }
        case .signedIn, .privilege:
            let cookie = Self.cookie("portero_session", in: context.request.header("cookie"))
            if authorization != nil && cookie != nil {
                // Two credentials are one too many: neither is allowed to hide the other's failure.
                throw HTTPResponseError(.error(401, "send a token or a session cookie, not both"))
            }
            if let authorization {
                // Scripts: a personal token; no cookie, so no CSRF to check.
                guard authorization.hasPrefix("Bearer "),
                    let account = try? database.auth.account(bearer: String(authorization.dropFirst(7)), now: now)
                else {
                    throw HTTPResponseError(.error(401, "invalid or revoked token"))
                }
                request.session = Session(account: account, csrfToken: "")
            } else {
                guard let token = cookie else {
                    throw HTTPResponseError(.error(401, "sign in first"))
                }
                let found = try database.auth.checkSession(token: token, now: now)
                check = found
                guard let session = found.session else {
                    let over = found.assistanceOver.map(Self.assistanceOverMessage)
                    throw HTTPResponseError(.error(401, over ?? "\(AuthFailure.sessionExpired)"))
                }
                if route.method != .get && route.method != .head {
                    do {
                        try database.auth.checkCSRF(session, header: context.request.header("x-csrf-token"))
                    } catch let failure as AuthFailure {
                        throw HTTPResponseError(.error(failure == .csrfMismatch ? 403 : 401, "\(failure)"))
                    }
                }
                request.session = session
                try Self.refuseInAssistedSession(route, session, context)
            }
        }
        if case let .privilege(privilege) = route.access, let account = request.session?.account {
            if let text = request.query("branch") {
                guard let number = Int64(text), number > 0 else {
                    throw HTTPResponseError(.error(400, "query parameter branch must be a branch id"))
                }
                request.branch = BranchID(number)
            }
            let allowed = request.branch.map { account.may(privilege, at: $0) } ?? account.may(privilege, at: nil)
            let place = request.branch.map { " at branch \($0)" } ?? ""
            guard allowed else {
                throw HTTPResponseError(.error(403, "\(privilege.rawValue) is not among your privileges\(place)"))
            }
        }
        return request
    }

    /// The branches the caller holds `privilege` at (nil: every branch, for a SuperAdministrador),
    /// narrowed to `?branch=` when given. Every listing filters by this.
    package static func visibleBranches(_ request: APIRequest, _ privilege: Privilege) throws -> Set<BranchID>? {
        let actor = try request.actor
        if let branch = request.branch { return [branch] }
        if actor.roles.contains(.superAdministrator) { return nil }
        return actor.branches.filter { actor.may(privilege, at: $0) }
    }
}
