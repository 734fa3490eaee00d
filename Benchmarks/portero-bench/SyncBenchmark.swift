import BackOffice
import CoreStorage
import DemoSeed
import WebUI
import CoreClient
import Daemon
import Foundation
import HTTP
import PorteroModel
import Replica
import SQLite
import Server
import Service

/// Writes a line at once (stdout to a pipe is block-buffered; each figure shows as it is measured).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// A core's API behind the HTTP server on a loopback port of its own, on a thread; `stop` ends
/// the long polls, then the server.
final class ServedCore {
    let api: CoreAPI
    let server: HTTPServer
    private let served = DispatchSemaphore(value: 0)

    init(_ api: CoreAPI, connections: Int) throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.maximumConnections = max(configuration.maximumConnections, connections + 64)
        configuration.maximumConnectionsPerAddress = connections + 64
        self.api = api
        server = try HTTPServer(configuration: configuration, router: api.router())
        Thread { [server, served] in
            server.run()
            served.signal()
        }.start()
    }

    var port: UInt16 { server.port }

    func stop() {
        api.stopWaiting()
        server.stop()
        _ = served.wait(timeout: .now() + 10)
    }
}

/// Sync figures with the real code on both ends over loopback HTTP: a core (`CoreAPI` behind
/// `HTTPServer`) in this process, and the daemon's `SyncClient` with replicas on disk.
struct SyncBenchmark {
    let members: Int
    let events: Int
    let daemons: Int
    let revocations: Int
    let directory: String
    /// A `postgres://` URL (an empty database) instead of a SQLite file in `directory`.
    var database: String? = nil

    func run() throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // 1. A core with `members` at one branch, each with a card and a running subscription.
        let started = Date()
        let corePath = database ?? directory + "/core.sqlite"
        let api = try CoreAPI(path: corePath, timeZone: "America/Mexico_City")
        let (branch, adminToken) = try api.withDatabase { database -> (BranchID, String) in
            let branch = try database.accounts.createBranch(
                name: "Centro", city: "CDMX", timeZone: "America/Mexico_City")
            let admin = try database.accounts.createAccount(
                username: "admin", email: "admin@club.mx", password: "Secreto123", name: "Admin", paternalSurname: "",
                roles: RoleSet([.superAdministrator]), branches: [], now: Timestamp.now())
            let token = try database.auth.createAPIToken(for: admin.id, name: "bench", now: Timestamp.now()).token
            try Self.fill(database, branch: branch, members: members)
            return (branch, token)
        }
        say(String(format: "core built: %d members, %.0f s", members, Date().timeIntervalSince(started)))
        let server = try ServedCore(api, connections: 1_000)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/"
        let admin = CoreClient(baseURL: URL(string: url)!, token: adminToken)  // safe: a literal URL

        // 2. Snapshot bootstrap of the whole branch into an empty replica.
        let first = try enrol(admin, url: url, branch: branch, index: 0)
        var t = Date()
        try first.bootstrapNow()
        let snapshotSeconds = Date().timeIntervalSince(t)
        say(
            String(
                format: "snapshot bootstrap: %d members in %.1f s (%.0f members/s)", members, snapshotSeconds,
                Double(members) / snapshotSeconds))

        // 3. Change apply rate: 20,000 people changed at the core, then one catch-up.
        let changed = min(20_000, members)
        try api.withDatabase { database in
            try database.write {
                try database.db.run(
                    "UPDATE users SET notes = 'x' WHERE id IN (SELECT id FROM users ORDER BY id LIMIT ?)", changed)
                try database.db.run(
                    """
                    INSERT INTO change_log (at, entity, entity_id)
                    SELECT ?, 'user', id FROM users ORDER BY id LIMIT ?
                    """,
                    Timestamp.now().milliseconds, changed)
            }
        }
        t = Date()
        let applied = try first.catchUpNow()
        let applySeconds = Date().timeIntervalSince(t)
        say(
            String(
                format: "change apply: %d changes in %.2f s (%.0f changes/s, fetch and apply)", applied, applySeconds,
                Double(applied) / applySeconds))

        // The replica as it stands now, the starting point of every long-polling daemon below.
        let seed = directory + "/seed.sqlite"
        try Self.copyReplica(directory + "/d0/data/replica.sqlite", to: seed)

        // 4. Upload of `events` buffered events after an outage.
        try Self.buffer(events: events, into: directory + "/d0/data/replica.sqlite", branch: branch)
        t = Date()
        let uploaded = try first.uploadAllNow()
        let uploadSeconds = Date().timeIntervalSince(t)
        say(
            String(
                format: "upload: %d events in %.1f s (%.0f events/s)", uploaded, uploadSeconds,
                Double(uploaded) / uploadSeconds))

        // 5. Revocation propagation to `daemons` long-polling feeds of the same branch of `members`:
        // each daemon starts from a copy of the replica taken above and catches up through its feed.
        var clients: [(SyncClient, SyncEvents)] = []
        for index in 1...daemons {
            let events = try SyncEvents()
            let client = try enrol(admin, url: url, branch: branch, index: index, events: events)
            try FileManager.default.copyItem(atPath: seed, toPath: directory + "/d\(index)/data/replica.sqlite")
            try client.catchUpNow()
            client.start(upload: false)
            clients.append((client, events))
        }
        Thread.sleep(forTimeInterval: 1)  // every feed is in its long poll
        for (_, events) in clients { _ = events.drainForBenchmark() }
        let cards = try api.withDatabase { database in
            try database.db.query(
                """
                SELECT c.id FROM cards c JOIN user_branches b ON b.user_id = c.user_id
                WHERE b.branch_id = ? AND c.status = 'active' ORDER BY c.id DESC LIMIT ?
                """,
                branch.rawValue, revocations, map: { row -> Int64 in try row.get(0) })
        }
        let descriptors = clients.map(\.1.descriptorForBenchmark)
        var latencies: [Double] = []
        for card in cards {
            let start = DispatchTime.now().uptimeNanoseconds
            try admin.send("PATCH", "api/v1/cards/\(card)", json: ["status": "revoked"])
            var waiting = Array(0..<clients.count)
            let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
            while !waiting.isEmpty && DispatchTime.now().uptimeNanoseconds < deadline {
                // One pollfd per waiting daemon, in `waiting`'s order, so slot k is daemon waiting[k].
                var set = waiting.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
                guard poll(&set, nfds_t(set.count), 100) > 0 else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                var still: [Int] = []
                for (slot, index) in waiting.enumerated() {
                    if set[slot].revents != 0 {
                        _ = clients[index].1.drainForBenchmark()
                        latencies.append(Double(now - start) / 1_000_000)
                    } else {
                        still.append(index)
                    }
                }
                waiting = still
            }
            if !waiting.isEmpty {
                say("revocation of card \(card): \(waiting.count) daemon(s) did not hear within 10 s")
            }
        }
        for (client, _) in clients { client.stop() }
        latencies.sort()
        say(
            String(
                format: "revocation propagation to %d daemons in the branch of %d members, %d revocations"
                    + " (%d samples): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                daemons, members, cards.count, latencies.count, Self.percentile(latencies, 0.50),
                Self.percentile(latencies, 0.99), latencies.last ?? .nan))
    }

    /// The nearest-rank percentile of sorted samples: the smallest sample that at least `p` of
    /// all samples do not exceed.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    /// A consistent copy of a replica (its log checkpointed into the file first).
    static func copyReplica(_ path: String, to copy: String) throws {
        let db = try Connection(path: path)
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
    }

    /// A daemon's configuration and a device enrolled for it, through the API.
    func enrol(_ admin: CoreClient, url: String, branch: BranchID, index: Int, events: SyncEvents? = nil) throws
        -> SyncClient
    {
        let base = directory + "/d\(index)"
        try FileManager.default.createDirectory(atPath: base + "/data", withIntermediateDirectories: true)
        let registered =
            try admin.send("POST", "api/v1/devices", json: ["branch": branch.rawValue, "name": "bench-\(index)"]).json()
            as? [String: Any]
        guard let code = registered?["enrollmentCode"] as? String else { throw SyncClientError.notEnrolled }
        let enrolled =
            try CoreClient(baseURL: URL(string: url)!, token: nil).send("POST", "api/v1/enroll", json: ["code": code])
            .json() as? [String: Any]  // safe: literal URL
        guard let token = enrolled?["token"] as? String else { throw SyncClientError.notEnrolled }
        try token.write(toFile: base + "/device.token", atomically: true, encoding: .utf8)
        let config = """
            {"branch": {"id": \(branch.rawValue), "time_zone": "America/Mexico_City"}, "data_directory": "\(base)/data",
             "core": {"url": "\(url)", "token_file": "\(base)/device.token"},
             "status": {"socket": "\(base)/status.sock"},
             "doors": [{"id": 1, "relay": {"chip": "sim0", "line": 1, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
            """
        try config.write(toFile: base + "/porterod.json", atomically: true, encoding: .utf8)
        var timing = SyncClient.Timing()
        timing.snapshotPage = 10_000
        return SyncClient(
            configuration: try DaemonConfiguration.load(path: base + "/porterod.json"), log: Log(minimum: .warning),
            events: try events ?? SyncEvents(), timing: timing)
    }

    /// Members granted `branch`, each with a card and a running monthly subscription (bulk SQL).
    static func fill(_ database: CoreDatabase, branch: BranchID, members: Int, firstID: Int64 = 1_000) throws {
        let db = database.db
        let today = Int64(Timestamp.now().milliseconds / 86_400_000)
        var terms = PlanTerms()
        terms.name = "Mensual \(branch)"
        terms.priceMinor = 59_900
        terms.currency = "MXN"
        terms.durationMonths = 1
        terms.branches = [branch.rawValue]  // this branch only: other branches' replicas do not hold these members
        guard
            let plan = try database.sales.savePlan(
                id: nil, terms, applyToExisting: false, today: LocalDay(daysSinceEpoch: Int32(today)),
                now: Timestamp.now())
        else { return }
        let postgres = db.dialect == .postgres
        try db.transaction {
            // PostgreSQL runs the per-row sum triggers once per row, each updating the same few sum
            // rows: a million versions of one row in one transaction. The fill turns triggers off for
            // its transaction (a superuser setting) and writes the sums in bulk below.
            if postgres { try db.run("SET LOCAL session_replication_role = replica") }
            try db.run(
                """
                WITH RECURSIVE n(i) AS (
                    SELECT CAST(?1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?1 + ?2 - 1)
                INSERT INTO users (id, username, email, clave, name, paternal_surname, created_at, join_day)
                SELECT i, 'socio' || i, 'socio' || i || '@correo.mx', i, 'Socio', 'Número ' || i,
                    CAST(?3 AS BIGINT) * 86400000, ?3
                FROM n
                """, firstID, Int64(members), today)
            try db.run(
                """
                INSERT INTO user_roles (user_id, role)
                SELECT id, 'cliente' FROM users WHERE id BETWEEN ?1 AND ?1 + ?2 - 1
                """,
                firstID, Int64(members))
            try db.run(
                """
                INSERT INTO user_branches (user_id, branch_id)
                SELECT id, ?3 FROM users WHERE id BETWEEN ?1 AND ?1 + ?2 - 1
                """,
                firstID, Int64(members), branch.rawValue)
            try db.run(
                """
                INSERT INTO cards (number, user_id, status, created_at, changed_at)
                SELECT 100000000 + id, id, 'active', 0, 0 FROM users WHERE id BETWEEN ?1 AND ?1 + ?2 - 1
                """, firstID, Int64(members))
            try db.run(
                """
                INSERT INTO subscriptions (user_id, plan_id, plan_version_id, branch_id, start_day, end_day, grace_days,
                    status, price_minor, currency, sold_at, sold_day, paid_through_day)
                SELECT id, ?3, ?4, ?5, ?6 - 10, ?6 + 20, 0, 'active', 59900, 'MXN', 0, ?6 - 10, ?6 + 20
                FROM users WHERE id BETWEEN ?1 AND ?1 + ?2 - 1
                """, firstID, Int64(members), plan.id, plan.version, branch.rawValue, today)
            if postgres { try Self.sumInBulk(db, firstID: firstID, members: Int64(members)) }
            // Ids written by hand: PostgreSQL's identity columns go on past them.
            if postgres {
                for table in ["users", "cards", "subscriptions"] {
                    try db.run(
                        "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), (SELECT max(id) FROM \(table)))")
                }
            }
        }
        // Fresh statistics, as autovacuum would gather soon after a load this size: without them
        // PostgreSQL plans the per-row trigger's look-ups as scans.
        if postgres { try db.run("ANALYZE") }
    }

    /// The sums the subscription and customer triggers keep, for the subscriptions of members
    /// `firstID` onwards, written in one statement each.
    static func sumInBulk(_ db: any SQLDatabase, firstID: Int64, members: Int64) throws {
        try db.run(
            """
            INSERT INTO sales_daily AS d (branch_id, day, plan_id, currency, count, amount)
            SELECT branch_id, sold_day, plan_id, currency, count(*), sum(price_minor) FROM subscriptions
            WHERE user_id BETWEEN ?1 AND ?1 + ?2 - 1 GROUP BY branch_id, sold_day, plan_id, currency
            ON CONFLICT (branch_id, day, plan_id, currency) DO UPDATE
                SET count = d.count + excluded.count, amount = d.amount + excluded.amount
            """, firstID, members)
        try db.run(
            """
            INSERT INTO customers (branch_id, user_id, first_day)
            SELECT branch_id, user_id, min(sold_day) FROM subscriptions
            WHERE user_id BETWEEN ?1 AND ?1 + ?2 - 1 GROUP BY branch_id, user_id
            """, firstID, members)
        try db.run(
            """
            INSERT INTO customer_counts AS c (branch_id, count)
            SELECT branch_id, count(*) FROM customers WHERE user_id BETWEEN ?1 AND ?1 + ?2 - 1 GROUP BY branch_id
            ON CONFLICT (branch_id) DO UPDATE SET count = c.count + excluded.count
            """, firstID, members)
        try db.run(
            """
            INSERT INTO customer_months AS m (branch_id, month, count)
            SELECT branch_id, to_char(to_timestamp(first_day * 86400) AT TIME ZONE 'UTC', 'YYYY-MM'), count(*)
            FROM customers WHERE user_id BETWEEN ?1 AND ?1 + ?2 - 1 GROUP BY 1, 2
            ON CONFLICT (branch_id, month) DO UPDATE SET count = m.count + excluded.count
            """, firstID, members)
    }

    /// `events` decisions journalled and waiting in the outbox, as after a long outage: ids are
    /// the time-ordered UUIDv7 a door makes (inserted directly, as setup).
    static func buffer(events: Int, into path: String, branch: BranchID) throws {
        let db = try Connection(path: path)
        var generator = SplitMix64(seed: 5)
        let start = Timestamp.now().milliseconds - Int64(events) * 10
        try db.transaction {
            for index in 0..<events {
                let at = Timestamp(milliseconds: start + Int64(index) * 10)
                let id = EventID(time: at, using: &generator).bytes
                try db.run(
                    """
                    INSERT INTO attendance (id, at, door_id, direction, credential_kind, card_number, user_id,
                        subscription_id, granted, reason)
                    VALUES (?, ?, 1, 'in', 'card', ?, ?, NULL, 1, 'granted')
                    """, id, at.milliseconds, Int64(100_001_000 + index % 1_000), Int64(1_000 + index % 1_000))
                try db.run("INSERT INTO outbox (event_id, queued_at) VALUES (?, ?)", id, at.milliseconds)
            }
        }
    }
}
