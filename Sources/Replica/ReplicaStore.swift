import Foundation
import Crypto
import PorteroModel
import SyncWire
import SQLite

/// The branch's local copy of members, credentials, plans and subscriptions, with the per-user
/// decision state, the attendance journal and the outbox, in one SQLite file (WAL).
///
/// Not thread-safe: the daemon owns one store per connection thread (see `SerialConnection`).
/// Writes of decisions are durable when `record` returns: the connection runs
/// `synchronous=FULL`, so each commit fsyncs the write-ahead log.
public final class ReplicaStore {
    public let path: String
    public let branchID: BranchID
    public var context: AccessContext
    /// How the people inside are counted for the branch's occupancy limits.
    public var occupancyRule = OccupancyRule(countsExits: false)
    /// The last count of the people inside and the entries since (ReplicaStore+Occupancy.swift).
    var occupancyEstimate = OccupancyEstimate()
    /// Entries whose capacity check was skipped because the people inside could not be counted.
    public internal(set) var occupancyCountFailures = 0
    let db: Connection
    private(set) var plans: [PlanID: Plan] = [:]
    /// SQLite's `data_version` when the plans were last read: it moves when another connection
    /// (the sync thread's) commits, and the plans are re-read before the next look-up then.
    private var plansReadAt: Int64 = -1
    private let dataVersion: Statement
    /// The look-up's statements, prepared once and held, so the hot path skips the cache's hashing.
    private let cardLookup: Statement
    private let pinLookup: Statement
    private let phoneLookup: Statement
    private let dayPassLookup: Statement
    /// Phone passes spent while the journal could not be written (a full disk), by phone.
    var spentUnwritten: [Int64: Int64] = [:]
    /// Headquarters' key for day passes, from the branch setup (nil: none yet).
    public internal(set) var dayPassKey: PublicKey?
    /// Phones' public keys, built once (see `passKey`).
    var passKeys: [Int64: (bytes: [UInt8], key: PublicKey)] = [:]
    private let subscriptionsOfUser: Statement

    /// Opens (creating and migrating) the replica of `branchID` at `path`.
    /// A file of another branch, another application or a newer schema is refused untouched.
    public init(
        path: String, branchID: BranchID, timeZone: String, policy: AccessPolicy = AccessPolicy(),
        options: ConnectionOptions = ReplicaStore.defaultOptions
    ) throws {
        let zone = try ZoneRules(identifier: timeZone)
        let db = try Connection(path: path, options: options)
        if options.readOnly {
            let pending = try ReplicaSchema.migrator.pendingVersions(db)
            guard pending.isEmpty else { throw ReplicaError.needsMigration(path: path, pending: pending) }
            let stored: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'branch_id'") {
                try $0.get(0)
            }
            guard stored == String(branchID.rawValue) else {
                throw ReplicaError.branchMismatch(path: path, expected: branchID, found: stored ?? "none")
            }
        } else {
            try ReplicaSchema.migrator.migrate(db)
            try db.transaction {
                let stored: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'branch_id'") {
                    try $0.get(0)
                }
                if let stored {
                    guard stored == String(branchID.rawValue) else {
                        throw ReplicaError.branchMismatch(path: path, expected: branchID, found: stored)
                    }
                } else {
                    try db.run(
                        "INSERT INTO replica_meta (key, value) VALUES ('branch_id', ?)", String(branchID.rawValue))
                }
                try db.run(
                    "INSERT INTO replica_meta (key, value) VALUES ('time_zone', ?) ON CONFLICT(key) DO UPDATE "
                        + "SET value = excluded.value",
                    timeZone)
            }
        }
        self.path = path
        self.branchID = branchID
        self.context = AccessContext(branchID: branchID, zone: zone, policy: policy)
        self.db = db
        self.cardLookup = try db.statement(Self.cardLookupSQL)
        self.pinLookup = try db.statement(Self.pinLookupSQL)
        self.phoneLookup = try db.statement(Self.phoneLookupSQL)
        self.dayPassLookup = try db.statement(Self.dayPassLookupSQL)
        self.subscriptionsOfUser = try db.statement(Self.subscriptionsSQL)
        self.dataVersion = try db.statement("PRAGMA data_version")
        try reloadPlans()
    }

    /// WAL, synchronous=FULL, foreign keys, a bounded 8 MiB page cache, and SQLite's own
    /// checkpoint every 1,000 log pages. (A `Checkpointer` running beside the requests was
    /// measured to make the tail worse on two cores: its fsyncs queue behind the commits' own.)
    public static var defaultOptions: ConnectionOptions {
        var options = ConnectionOptions()
        options.synchronous = .full
        options.cacheSizeKiB = 8_192
        return options
    }

    /// Re-reads the plans another connection (the sync thread's) may have changed.
    public func refreshPlans() throws { try reloadPlans() }

    /// Re-reads the plans when another connection has committed since they were read, so a
    /// look-up right after a sync batch never decides with plans older than its subscriptions.
    func refreshPlansIfChanged() throws {
        defer { dataVersion.reset() }
        guard try dataVersion.step() else { return }
        let version = dataVersion.row.int64(0) ?? 0
        if version != plansReadAt { try reloadPlans() }
    }

    private func reloadPlans() throws {
        if try dataVersion.step() { plansReadAt = dataVersion.row.int64(0) ?? 0 }
        dataVersion.reset()
        let decoder = JSONDecoder()
        let rows: [(Int64, String)] = try db.query("SELECT id, body FROM plans") { (try $0.get(0), try $0.get(1)) }
        var loaded: [PlanID: Plan] = [:]
        for (id, body) in rows {
            do {
                loaded[PlanID(id)] = try decoder.decode(Plan.self, from: Data(body.utf8))
            } catch {
                throw ReplicaError.invalidStoredValue(table: "plans", column: "body", value: "plan \(id): \(error)")
            }
        }
        plans = loaded
    }

    // MARK: Sync

    /// The last change-feed sequence applied (0 for a new replica).
    public func syncCursor() throws -> Int64 {
        let text: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'sync_cursor'") {
            try $0.get(0)
        }
        return text.flatMap { Int64($0) } ?? 0
    }

    /// When a batch with a cursor was last applied (the replica's age is measured from it).
    public func lastSyncedAt() throws -> Timestamp? {
        let text: String? = try db.queryFirst("SELECT value FROM replica_meta WHERE key = 'synced_at'") {
            try $0.get(0)
        }
        return text.flatMap { Int64($0) }.map { Timestamp(milliseconds: $0) }
    }

    /// Size of the database file and its write-ahead log, in bytes.
    public func sizeInBytes() -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }

    /// Applies a batch of changes and the new cursor in one transaction: all of it or none.
    public func apply(_ changes: [ReplicaChange], cursor: Int64? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var plansChanged = false
        do {
            try db.transaction {
                for change in changes {
                    switch change {
                    case let .upsertUser(user):
                        try writeUser(user)
                    case let .deleteUser(id):
                        try db.run("DELETE FROM users WHERE id = ?", id.rawValue)
                    case let .upsertCredential(credential):
                        // A credential may change kind or number: drop what its id held, then insert.
                        try deleteCredential(credential.id)
                        if let number = credential.cardNumber, credential.kind == .card {
                            try db.run(
                                "INSERT INTO cards (card_number, id, user_id, status) VALUES (?, ?, ?, ?)",
                                Int64(bitPattern: number.rawValue), credential.id.rawValue, credential.userID.rawValue,
                                credential.status.rawValue)
                        } else if let digest = credential.pinDigest, credential.kind == .pin {
                            try db.run(
                                "INSERT INTO pins (digest, id, user_id, status) VALUES (?, ?, ?, ?)",
                                digest.bytes, credential.id.rawValue, credential.userID.rawValue,
                                credential.status.rawValue)
                        } else {
                            throw ReplicaError.invalidChange(
                                "credential \(credential.id) of kind \(credential.kind.rawValue) has "
                                    + "no \(credential.kind == .card ? "card number" : "PIN digest")"
                            )
                        }
                    case let .deleteCredential(id):
                        try deleteCredential(id)
                    case let .upsertPlan(plan):
                        let body = String(decoding: try encoder.encode(plan), as: UTF8.self)
                        try db.run(
                            "INSERT INTO plans (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE "
                                + "SET body = excluded.body",
                            plan.id.rawValue, body)
                        plansChanged = true
                    case let .deletePlan(id):
                        try db.run("DELETE FROM plans WHERE id = ?", id.rawValue)
                        plansChanged = true
                    case let .upsertSubscription(s):
                        // The row is clustered by user: a subscription moved to another user is re-inserted.
                        try db.run("DELETE FROM subscriptions WHERE id = ?", s.id.rawValue)
                        try insertSubscription(s, user: s.userID)
                    case let .deleteSubscription(id):
                        try db.run("DELETE FROM subscriptions WHERE id = ?", id.rawValue)
                    case let .doorCommand(command): try record(command)
                    case let .chainMember(member): try replaceChainMember(member, in: "chain_cards")
                    case let .branchSetup(setup): try save(setup)
                    case let .replaceUser(user, cards, subscriptions, phones):
                        try writeUser(user)
                        try replacePhones(phones, of: user.id)
                        try db.run("DELETE FROM cards WHERE user_id = ?", user.id.rawValue)
                        try db.run("DELETE FROM subscriptions WHERE user_id = ?", user.id.rawValue)
                        for card in cards {
                            guard let number = card.cardNumber else { continue }
                            // A number held by two people (one lost or revoked it, the other holds it
                            // now): the active holder keeps the row.
                            try db.run("DELETE FROM cards WHERE id = ?", card.id.rawValue)
                            try db.run(
                                """
                                INSERT INTO cards (card_number, id, user_id, status) VALUES (?, ?, ?, ?)
                                ON CONFLICT(card_number) DO UPDATE SET id = excluded.id, user_id = excluded.user_id,
                                    status = excluded.status
                                WHERE excluded.status = 'active' OR cards.status != 'active'
                                """, Int64(bitPattern: number.rawValue), card.id.rawValue, user.id.rawValue,
                                card.status.rawValue)
                        }
                        for s in subscriptions {
                            try db.run("DELETE FROM subscriptions WHERE id = ?", s.id.rawValue)
                            try insertSubscription(s, user: user.id)
                        }
                    }
                }
                if let cursor {
                    try db.run(
                        "INSERT INTO replica_meta (key, value) VALUES ('sync_cursor', ?) ON CONFLICT(key) DO UPDATE "
                            + "SET value = excluded.value",
                        String(cursor))
                    let now = String(Int64((Date().timeIntervalSince1970 * 1000).rounded()))
                    try db.run(
                        "INSERT INTO replica_meta (key, value) VALUES ('synced_at', ?) ON CONFLICT(key) DO UPDATE "
                            + "SET value = excluded.value",
                        now)
                }
            }
        } catch {
            if plansChanged { try? reloadPlans() }
            throw error
        }
        if plansChanged { try reloadPlans() }
    }

    private func deleteCredential(_ id: CredentialID) throws {
        try db.run("DELETE FROM cards WHERE id = ?", id.rawValue)
        try db.run("DELETE FROM pins WHERE id = ?", id.rawValue)
    }

    // MARK: Look-up

    /// Gathers the facts for one presented credential (nil facts: unknown) and its user's state.
    public func facts(for presented: PresentedCredential, now: Timestamp = .now()) throws -> (
        facts: AccessFacts?, state: AccessState
    ) {
        try refreshPlansIfChanged()
        return try db.read {
            // The credential, its user and the user's state: two keyed descents in one statement.
            let statement: Statement
            switch presented {
            case let .card(number):
                statement = cardLookup
                try statement.bind(int64: Int64(bitPattern: number.rawValue), at: 1)
            case let .pin(digest):
                statement = pinLookup
                try statement.bind(bytes: digest.bytes, at: 1)
            case let .pass(code):
                statement = phoneLookup
                try statement.bind(int64: code.phone.rawValue, at: 1)
            case let .dayPass(code):
                // A code headquarters did not sign is nobody's.
                guard dayPassKey?.verifySHA256(signature: code.signature, message: code.message) == true else {
                    return (nil, .initial)
                }
                statement = dayPassLookup
                try statement.bind(int64: code.subscription.rawValue, at: 1)
            }
            defer { statement.reset() }
            guard try statement.step() else {
                // Not this branch's: the chain's card index may know whose it is.
                guard case let .card(number) = presented else { return (nil, .initial) }
                return (try chainFacts(number), .initial)
            }
            let row = statement.row
            var passRefusal: ReasonCode?
            if case let .pass(code) = presented {
                // A pass that is not this phone's (a forged or damaged code) is nobody's.
                guard let verdict = try passVerdict(code, row: row, now: now) else { return (nil, .initial) }
                passRefusal = verdict
            }
            let credentialID: CredentialID? =
                switch presented {
                case .card, .pin: CredentialID(try row.requiredInt64(0))
                case .pass, .dayPass: nil
                }
            let userID = UserID(try row.requiredInt64(1))
            let statusText: String = try row.get(2)
            guard let status = Credential.Status(rawValue: statusText) else {
                throw ReplicaError.invalidStoredValue(table: "cards", column: "status", value: statusText)
            }
            // A number lost or revoked here may be someone else's now, a person this branch does not hold.
            if status != .active, case let .card(number) = presented, let chain = try chainFacts(number) {
                return (chain, .initial)
            }
            let grantedHere = try row.requiredInt64(5) != 0
            let user = AccessUser(
                id: userID, active: try row.requiredInt64(3) != 0,
                roles: RoleSet(rawValue: UInt8(truncatingIfNeeded: try row.requiredInt64(4))),
                branches: grantedHere ? [branchID] : [])
            let pin = row.bytes(6).map(PINDigest.init)
            let duress = row.bytes(7).map(PINDigest.init)
            let state = try Self.state(from: row, at: 8)
            let elsewhere = try Self.visitsElsewhere(from: row, at: 19)
            statement.reset()
            var facts = AccessFacts(
                credentialID: credentialID, credentialStatus: status, user: user,
                subscriptions: try loadSubscriptions(userID).map { subscription in
                    let plan = plans[subscription.planID]
                    // A pack counts every entry on the subscription: the core's elsewhere, ours from the journal.
                    let used =
                        plan?.visitLimit.perSubscription == nil
                        ? 0 : (subscription.visitsElsewhere ?? 0) + (try localEntries(subscription.id))
                    return SubscriptionFacts(subscription: subscription, plan: plan, visitsUsed: used)
                },
                pin: pin, duressPIN: duress, visitsElsewhere: elsewhere)
            facts.passRefusal = passRefusal
            // A day pass admits on its own subscription, whatever else its holder has.
            if case let .dayPass(code) = presented {
                facts.subscriptions = facts.subscriptions.filter { $0.subscription.id == code.subscription }
                // Only a pass plan's subscription (one with a visits total) is a day pass.
                guard facts.subscriptions.first?.plan?.visitLimit.perSubscription != nil else { return (nil, .initial) }
            }
            return (facts, state)
        }
    }

    static let subscriptionsSQL = """
        SELECT id, plan_id, start_day, end_day, grace_days, status, freezes, price_minor, currency, visits_elsewhere,
            unpaid_from
        FROM subscriptions WHERE user_id = ?
        """

    /// Entries granted here on a subscription, from the journal.
    func localEntries(_ id: SubscriptionID) throws -> Int {
        try db.scalar(
            "SELECT count(*) FROM attendance WHERE subscription_id = ? AND granted = 1 AND direction = 'in'",
            id.rawValue, as: Int.self)
    }

    /// Writes one subscription row into `table` (the live one, or the snapshot's staging one).
    func insertSubscription(
        _ s: Subscription, user: UserID, into table: String = "subscriptions", orReplace: Bool = false
    ) throws {
        try db.run(
            """
            INSERT\(orReplace ? " OR REPLACE" : "") INTO \(table) (user_id, id, plan_id, start_day, end_day, grace_days,
                status, freezes, price_minor, currency, visits_elsewhere, unpaid_from)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, user.rawValue, s.id.rawValue, s.planID.rawValue, Int64(s.startDay.rawValue), Int64(s.endDay.rawValue),
            s.graceDays, s.status.rawValue, FreezeCodec.encode(s.freezes), s.pricePaid.minorUnits, s.pricePaid.currency,
            Int64(s.visitsElsewhere ?? 0), s.unpaidFrom.map { Int64($0.rawValue) })
    }

    func loadSubscriptions(_ userID: UserID) throws -> [Subscription] {
        let statement = subscriptionsOfUser
        defer { statement.reset() }
        try statement.bind(int64: userID.rawValue, at: 1)
        var result: [Subscription] = []
        while try statement.step() {
            let row = statement.row
            let statusText: String = try row.get(5)
            guard let status = Subscription.Status(rawValue: statusText) else {
                throw ReplicaError.invalidStoredValue(table: "subscriptions", column: "status", value: statusText)
            }
            let freezeText: String = try row.get(6)
            guard let freezes = FreezeCodec.decode(freezeText) else {
                throw ReplicaError.invalidStoredValue(table: "subscriptions", column: "freezes", value: freezeText)
            }
            result.append(
                Subscription(
                    id: SubscriptionID(try row.requiredInt64(0)), userID: userID,
                    planID: PlanID(try row.requiredInt64(1)),
                    startDay: LocalDay(rawValue: Int32(truncatingIfNeeded: try row.requiredInt64(2))),
                    endDay: LocalDay(rawValue: Int32(truncatingIfNeeded: try row.requiredInt64(3))),
                    graceDays: Int(try row.requiredInt64(4)), status: status, freezes: freezes,
                    pricePaid: Money(minorUnits: try row.requiredInt64(7), currency: try row.get(8)),
                    visitsElsewhere: try row.requiredInt64(9) == 0 ? nil : Int(try row.requiredInt64(9)),
                    unpaidFrom: row.int64(10).map { LocalDay(rawValue: Int32(truncatingIfNeeded: $0)) }))
        }
        return result
    }

    /// Copies the whole write-ahead log into the database file and truncates it (after a bulk
    /// load, or when the daemon is idle). Waits for readers on other connections to finish.
    public func checkpoint() throws { try db.checkpoint() }

    /// Runs SQLite's integrity check; empty when the file is sound.
    public func integrityProblems() throws -> [String] { try db.integrityProblems() }

    /// Runs `body` in one transaction on the store's connection (bulk loads, maintenance).
    public func inTransaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(.immediate, body) }
}

@available(*, unavailable, message: "A replica store belongs to one thread; share it through a queue")
extension ReplicaStore: Sendable {}
