import CoreClient
import Foundation
import PorteroModel
import PostgreSQL
import SQLite
import SyncWire
import TestSupport
import Testing

/// nginx in front of several core instances: round robin, a failed instance skipped for a second.
/// It buffers request bodies in memory, so it never needs a temporary file.
final class LoadBalancer {
    let directory: URL
    let port: UInt16
    private var process: Process?

    init(directory: URL, upstreams: [UInt16]) throws {
        self.directory = directory
        port = try freeLoopbackPort()
        let servers = upstreams.map { "server 127.0.0.1:\($0) max_fails=1 fail_timeout=1s;" }.joined(separator: " ")
        let path = directory.path
        let configuration = """
            worker_processes 1;
            pid \(path)/nginx.pid;
            error_log \(path)/nginx.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(path)/body;
                proxy_temp_path \(path)/proxy;
                fastcgi_temp_path \(path)/fastcgi;
                uwsgi_temp_path \(path)/uwsgi;
                scgi_temp_path \(path)/scgi;
                upstream cores { \(servers) }
                server {
                    listen 127.0.0.1:\(port);
                    client_max_body_size 64m;
                    client_body_buffer_size 64m;
                    location / {
                        proxy_pass http://cores;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_read_timeout 120s;
                        proxy_buffers 64 64k;
                    }
                }
            }
            """
        try configuration.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
    }

    static let executable = "/usr/sbin/nginx"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "-p", directory.path, "-c", directory.appendingPathComponent("nginx.conf").path, "-g", "daemon off;",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let listening = eventually(within: 10) {
            guard let fd = FaultProxy.connect(to: self.port) else { return false }
            close(fd)
            return true
        }
        if !listening { throw CoreClientError(status: nil, message: "nginx did not listen on port \(port)") }
    }

    /// Fast shutdown: open connections close at once, as when the balancer's machine goes away.
    func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }
}

/// Two core instances over one PostgreSQL database behind nginx, and two branch daemons. The
/// daemons buffer a backlog while the balancer is away; then, while they upload it, each instance
/// is killed with SIGKILL in turn, mid-upload, and started again. Every event made at a door is
/// at the core exactly once and counted once, and a revocation made through one instance during
/// the uploads reaches both replicas.
/// Runs on the host only (it needs the test PostgreSQL cluster and nginx).
@Suite(
    .serialized,
    .enabled(
        if: Built.directory != nil && PostgresTestServer.available && LoadBalancer.available
            && ProcessInfo.processInfo.environment["GPIO_SIM_CHIP"] == nil))
struct InstanceChaosTests {
    static let swipesPerBranch = 2_000

    @Test func killingEitherInstanceMidUploadLosesAndDoublesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portero-instances-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let maintenance = try #require(PostgresTestServer.url)
        let name = "chaos_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PGConnection(url: maintenance).execute("CREATE DATABASE \(name)")
        defer { try? PGConnection(url: maintenance).execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let database = try #require(PostgresTestServer.url(database: name))

        // Each instance names its connections, so the test sees whose upload waits in the database.
        let named = { (name: String) in database + (database.contains("?") ? "&" : "?") + "application_name=" + name }
        let instances = [
            try SyncChaosTests.CoreServer(database: named("core_a")),
            try SyncChaosTests.CoreServer(database: named("core_b"), initialize: false),
        ]
        let balancer = try LoadBalancer(directory: directory, upstreams: instances.map(\.port))
        try balancer.start()
        let url = try #require(URL(string: "http://127.0.0.1:\(balancer.port)"))
        let admin = try SyncEndToEndTests.rootClient(url: url)
        let (branches, cards) = try Self.seedChain(admin, branches: 2, membersEach: 20)

        var daemons: [DaemonProcess] = []
        for (index, branch) in branches.enumerated() {
            let base = directory.appendingPathComponent("branch\(index)").path
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try Self.writeDaemonConfig(base: base, branch: branch, core: url)
            let code = try #require(
                (try admin.send("POST", "api/v1/devices", json: ["branch": branch, "name": "d\(index)"]).json()
                    as? [String: Any])?["enrollmentCode"] as? String)
            #expect(
                try Built.run("porterod", ["enroll", "--config", base + "/porterod.json", "--code", code]).status == 0)
            daemons.append(
                try DaemonProcess(arguments: ["--config", base + "/porterod.json", "--simulate"], withInput: true))
        }
        let store = try PGConnection(url: database)
        let head = { try store.scalar("SELECT coalesce(max(seq), 0) FROM change_log", as: Int64.self) }
        #expect(try Self.settled(directory, daemons: 2, head: head()), "the replicas did not load their snapshots")

        // The balancer goes away: the doors go on deciding and keep every event.
        balancer.stop()
        for (index, daemon) in daemons.enumerated() {
            let pool = cards[branches[index]]!  // safe: seedChain gives every branch its cards
            var lines = ""
            for swipe in 0..<Self.swipesPerBranch { lines += "entrada \(pool[swipe % pool.count])\n" }
            try daemon.input.fileHandleForWriting.write(contentsOf: Data(lines.utf8))
        }
        for daemon in daemons {
            #expect(daemon.waitFor("reader entrada: card", count: Self.swipesPerBranch, timeout: 120))
        }
        let total = Int64(Self.swipesPerBranch * branches.count)
        let uploaded = { try store.scalar("SELECT count(*) FROM attendance", as: Int64.self) }
        #expect(try uploaded() == 0)

        // Back, with the attendance table locked: the first batch to arrive waits inside its
        // transaction, and its instance is killed there. With that instance down, every upload
        // goes to the other one, which is killed the same way. Then both start again.
        let locker = try PGConnection(url: database)
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE attendance IN EXCLUSIVE MODE")
        try balancer.start()
        var victims: [String] = []
        for _ in instances {
            var waiting: String?
            let found = try eventually(within: 30) {
                waiting = try store.query(
                    """
                    SELECT application_name FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO attendance%'
                    """, map: { row -> String in try row.get(0) }
                ).first { !victims.contains($0) }
                return waiting != nil
            }
            #expect(found, "no upload reached an instance that is still up")
            guard let name = waiting, let victim = instances.first(where: { $0.database == named(name) }) else { break }
            victim.kill9()
            victims.append(name)
            // The killed instance's backend finishes its statement once the lock goes, finds its
            // client gone and rolls the batch back; the table is locked again at once.
            try locker.execute("COMMIT")
            try locker.execute("BEGIN")
            try locker.execute("LOCK TABLE attendance IN EXCLUSIVE MODE")
        }
        #expect(Set(victims) == ["core_a", "core_b"], "each instance died mid-upload")
        for instance in instances { try instance.start() }
        try locker.execute("COMMIT")
        #expect(try uploaded() < total)

        // A revocation at headquarters while the backlog goes up, once nginx tries the instances
        // again (it skips a failed one for a second, and answers 502 while none is live).
        #expect(eventually(within: 10) { (try? admin.send("GET", "api/v1/health")) != nil })
        let number = String(cards[branches[0]]![1])  // safe: twenty cards each
        let card = try #require(
            (try admin.send("GET", "api/v1/cards", query: [("number", number)]).json() as? [[String: Any]])?
                .first?["id"] as? Int64)
        try admin.send("PATCH", "api/v1/cards/\(card)", json: ["status": "revoked"])

        #expect(try Self.settled(directory, daemons: 2, head: head()), "the outboxes did not drain")
        for daemon in daemons {
            kill(daemon.process.processIdentifier, SIGTERM)
            daemon.process.waitUntilExit()
        }

        // Every event made at a door is stored once, and counted once in the daily sums.
        let madeAtDoors = try InstanceChaosTests.eventsMadeAtDoors(directory, daemons: branches.count)
        let atCore = try store.query("SELECT id FROM attendance") { row in
            EventID(bytes: row.bytes(0) ?? [])?.description ?? ""
        }
        #expect(madeAtDoors.count == Int(total))
        #expect(Set(atCore) == madeAtDoors, "core \(atCore.count), doors \(madeAtDoors.count)")
        #expect(atCore.count == Set(atCore).count)
        #expect(try store.scalar("SELECT coalesce(sum(count), 0) FROM attendance_daily", as: Int64.self) == total)
        // The revocation reached the branch's replica.
        let replica = try Connection(path: directory.appendingPathComponent("branch0/data/replica.sqlite").path)
        #expect(
            try replica.scalar("SELECT status FROM cards WHERE card_number = ?", number, as: String.self) == "revoked")
    }

    /// A plan and `branches` branches with an entrance and `membersEach` members with a card each
    /// (three in four subscribed); returns the branches and their card numbers.
    static func seedChain(_ admin: CoreClient, branches count: Int, membersEach: Int) throws -> (
        [Int64], [Int64: [UInt64]]
    ) {
        let plan = try #require(
            (try admin.send(
                "POST", "api/v1/plans",
                json: ["name": "Cadena", "priceMinor": 59900, "currency": "MXN", "durationMonths": 1]
            ).json() as? [String: Any])?["id"] as? Int64)
        var branches: [Int64] = []
        var cards: [Int64: [UInt64]] = [:]
        for index in 0..<count {
            let branch = try #require(
                (try admin.send(
                    "POST", "api/v1/branches",
                    json: ["name": "Sucursal \(index)", "city": "CDMX", "timeZone": "America/Mexico_City"]
                ).json() as? [String: Any])?["id"] as? Int64)
            try SyncEndToEndTests.defineEntrance(admin, branch: branch)
            branches.append(branch)
            for member in 0..<membersEach {
                let id = try #require(
                    (try admin.send(
                        "POST", "api/v1/users",
                        json: [
                            "username": "m\(index)_\(member)", "email": "m\(index)_\(member)@correo.mx", "name": "M",
                            "paternalSurname": "\(member)", "roles": ["cliente"], "branches": [branch],
                        ]
                    ).json() as? [String: Any])?["id"] as? Int64)
                let number = UInt64(10_000 * (index + 1) + member)
                try admin.send("POST", "api/v1/users/\(id)/cards", json: ["number": String(number)])
                if member % 4 != 0 {
                    try admin.send("POST", "api/v1/subscriptions", json: ["user": id, "plan": plan, "branch": branch])
                }
                cards[branch, default: []].append(number)
            }
        }
        return (branches, cards)
    }

    /// `base/porterod.json` for a simulated daemon of `branch` with one door and an EM4100 reader
    /// fed from standard input, talking to `core` and retrying at least every second.
    static func writeDaemonConfig(base: String, branch: Int64, core: URL) throws {
        let config = """
            {"branch": {"id": \(branch), "time_zone": "America/Mexico_City"}, "data_directory": "\(base)/data",
             "pin_key_file": "\(base)/pin.key",
             "core": {"url": "\(core.absoluteString)/", "token_file": "\(base)/device.token",
                      "max_backoff_seconds": 1},
             "status": {"socket": "\(base)/status.sock"},
             "doors": [{"id": 1, "pulse_ms": 100,
                        "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
            """
        try config.write(toFile: base + "/porterod.json", atomically: true, encoding: .utf8)
    }

    /// The ids of every attendance event in the daemons' replicas.
    static func eventsMadeAtDoors(_ directory: URL, daemons: Int) throws -> Set<String> {
        var made: Set<String> = []
        for index in 0..<daemons {
            let replica = try Connection(
                path: directory.appendingPathComponent("branch\(index)/data/replica.sqlite").path)
            for id in try replica.query("SELECT id FROM attendance", map: { row -> [UInt8] in row.bytes(0) ?? [] }) {
                made.insert(EventID(bytes: id)?.description ?? "")
            }
        }
        return made
    }

    /// Every daemon's outbox is empty, no snapshot is loading and its cursor is at `head`.
    static func settled(_ directory: URL, daemons: Int, head: Int64) -> Bool {
        eventually(within: 90) {
            (0..<daemons).allSatisfy { index in
                let status =
                    statusRequest(
                        socket: directory.appendingPathComponent("branch\(index)/status.sock").path, "/status") ?? ""
                return status.contains("\"outbox_depth\":0") && !status.contains("\"snapshot_in_progress\":true")
                    && status.contains("\"sync_cursor\":\(head)")
            }
        }
    }
}
