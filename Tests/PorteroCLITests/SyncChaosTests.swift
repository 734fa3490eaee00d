import CoreClient
import Foundation
import PorteroModel
import SQLite
import SyncWire
import Synchronization
import TestSupport
import Testing

/// A TCP proxy between a daemon and the core that drops, delays, resets and partitions on command.
final class FaultProxy: @unchecked Sendable {
    // @unchecked: `mode` and `target` are atomics; the pairs belong to the proxy's thread.
    enum Mode: Int { case pass = 0, delay, partition, reset }
    let listener: Int32
    let port: UInt16
    let targetPort = Atomic<UInt16>(0)
    let mode = Atomic<Int>(Mode.pass.rawValue)
    let stopping = Atomic<Bool>(false)
    let done = DispatchSemaphore(value: 0)

    init(target: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        listen(fd, 64)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        targetPort.store(target, ordering: .relaxed)
        Thread { [self] in
            run()
            done.signal()
        }.start()
    }

    func set(_ newMode: Mode) { mode.store(newMode.rawValue, ordering: .relaxed) }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        _ = done.wait(timeout: .now() + 5)
        close(listener)
    }

    static func connect(to port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if ok != 0 {
            close(fd)
            return nil
        }
        return fd
    }

    /// Closes with RST rather than FIN.
    static func reset(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
    }

    /// Bytes held back by the delay fault, each sent at its time (in order per destination).
    struct Held {
        let due: UInt64
        let to: Int32
        let bytes: [UInt8]
    }

    static func nowMilliseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

    func run() {
        var pairs: [(client: Int32, server: Int32)] = []
        var held: [Held] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !stopping.load(ordering: .relaxed) {
            let current = Mode(rawValue: mode.load(ordering: .relaxed)) ?? .pass
            if current == .reset {
                for pair in pairs {
                    Self.reset(pair.client)
                    Self.reset(pair.server)
                }
                pairs.removeAll()
                held.removeAll()
            }
            // What the delay held back goes out when due; the wait below ends at the next one.
            let now = Self.nowMilliseconds()
            for entry in held where entry.due <= now {
                _ = entry.bytes.withUnsafeBytes { send(entry.to, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            held.removeAll { $0.due <= now }
            let wait = held.map { Int32(clamping: $0.due - now) }.min().map { min($0, 50) } ?? 50
            var set = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            if current != .partition {
                for pair in pairs {
                    set += [
                        pollfd(fd: pair.client, events: Int16(POLLIN), revents: 0),
                        pollfd(fd: pair.server, events: Int16(POLLIN), revents: 0),
                    ]
                }
            }
            guard poll(&set, nfds_t(set.count), wait) > 0 else { continue }
            if set[0].revents != 0 {
                let client = accept(listener, nil, nil)
                if client >= 0 {
                    if current == .reset {
                        Self.reset(client)
                    } else if let server = Self.connect(to: targetPort.load(ordering: .relaxed)) {
                        pairs.append((client, server))
                    } else {
                        Self.reset(client)
                    }
                }
            }
            var closed: Set<Int32> = []
            for entry in set.dropFirst() where entry.revents != 0 {
                guard let pair = pairs.first(where: { $0.client == entry.fd || $0.server == entry.fd }) else {
                    continue
                }
                let other = pair.client == entry.fd ? pair.server : pair.client
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 {
                    closed.insert(pair.client)
                    continue
                }
                if current == .delay || held.contains(where: { $0.to == other }) {
                    // Held 50-400 ms, and never overtaking what is already held for that side.
                    let due = max(
                        Self.nowMilliseconds() + UInt64.random(in: 50...400),
                        held.last(where: { $0.to == other })?.due ?? 0)
                    held.append(Held(due: due, to: other, bytes: Array(buffer[0..<count])))
                } else {
                    _ = buffer.withUnsafeBytes { send(other, $0.baseAddress, count, Int32(MSG_NOSIGNAL)) }
                }
            }
            for pair in pairs where closed.contains(pair.client) {
                held.removeAll { $0.to == pair.client || $0.to == pair.server }
                close(pair.client)
                close(pair.server)
            }
            pairs.removeAll { closed.contains($0.client) }
        }
        for pair in pairs {
            close(pair.client)
            close(pair.server)
        }
    }
}

/// One core and three daemons, each behind a fault proxy; faults and kill -9 at random points;
/// then every attendance id made at a door is at the core exactly once, and every replica holds
/// what the core says its branch should.
/// Runs on the host only: it needs no kernel device, and the VM pass would double its minutes.
@Suite(.serialized, .enabled(if: Built.directory != nil && ProcessInfo.processInfo.environment["GPIO_SIM_CHIP"] == nil))
struct SyncChaosTests {
    /// One `portero-core serve` on a free loopback port, over `database` (a SQLite path or a
    /// `postgres://` URL); `initialize` runs `portero-core init` first, as a chain's first instance does.
    final class CoreServer {
        let database: String
        let port: UInt16
        var process: Process?

        init(database: String, initialize: Bool = true) throws {
            self.database = database
            port = try freeLoopbackPort()
            if initialize {
                _ = try CoreInitTests.run(
                    ["init", "--database", database, "--username", "root", "--email", "root@club.mx"],
                    input: "Secreto123\n")
            }
            try start()
        }

        func start() throws {
            let process = Process()
            process.executableURL =
                Built.directory!.appendingPathComponent("portero-core")  // safe: the suite runs only when set
            process.arguments = ["serve", "--database", database, "--port", String(port)]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = ""
            while !line.contains("\n"), let chunk = try out.fileHandleForReading.read(upToCount: 1) {
                line += String(decoding: chunk, as: UTF8.self)
            }
            self.process = process
        }

        func kill9() {
            guard let process else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            self.process = nil
        }

        deinit { kill9() }
    }

    @Test(arguments: [UInt64(11), 23, 37, 101])
    func nothingLostNothingDoubledAcrossFaultsAndKills(seed: UInt64) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portero-chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let core = try CoreServer(database: directory.appendingPathComponent("core.sqlite").path)
        let url = URL(string: "http://127.0.0.1:\(core.port)")!  // safe: literal
        let admin = try SyncEndToEndTests.rootClient(url: url)
        let (branches, cards) = try InstanceChaosTests.seedChain(admin, branches: 3, membersEach: 20)
        var generator = SplitMix64(seed: seed)
        // Three daemons, each behind its own proxy.
        var proxies: [FaultProxy] = []
        var daemons: [DaemonProcess?] = []
        var configs: [String] = []
        for (index, branch) in branches.enumerated() {
            let proxy = try FaultProxy(target: core.port)
            proxies.append(proxy)
            let base = directory.appendingPathComponent("branch\(index)").path
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try InstanceChaosTests.writeDaemonConfig(
                base: base, branch: branch, core: URL(string: "http://127.0.0.1:\(proxy.port)")!)  // safe: literal
            configs.append(base + "/porterod.json")
            let code = try #require(
                (try admin.send("POST", "api/v1/devices", json: ["branch": branch, "name": "d\(index)"]).json()
                    as? [String: Any])?["enrollmentCode"] as? String)
            #expect(
                try Built.run("porterod", ["enroll", "--config", base + "/porterod.json", "--code", code]).status == 0)
            daemons.append(
                try DaemonProcess(arguments: ["--config", base + "/porterod.json", "--simulate"], withInput: true))
        }
        defer { for proxy in proxies { proxy.stop() } }
        // Rounds: swipes at every branch while faults come and go; daemons and the core die at random.
        var swipes = 0
        var decidedBy = [0, 0, 0]  // swipes sent to each daemon's current process
        for round in 0..<8 {
            for proxy in proxies { proxy.set(FaultProxy.Mode(rawValue: Int(generator.next() % 4)) ?? .pass) }
            for (index, branch) in branches.enumerated() {
                guard let daemon = daemons[index] else { continue }
                for _ in 0..<5 {
                    let pool =
                        cards[branch]! + cards[branches[(index + 1) % 3]]!.prefix(3)  // safe: every branch has cards
                    let card = pool[Int(generator.next() % UInt64(pool.count))]
                    try? daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada \(card)\n".utf8))
                    swipes += 1
                    decidedBy[index] += 1
                }
            }
            // Each door decides on its own replica whatever the network does: wait for the decisions.
            for (index, daemon) in daemons.enumerated() {
                if let daemon { #expect(daemon.waitFor("reader entrada: card", count: decidedBy[index])) }
            }
            // A revocation at headquarters during the faults.
            if round == 3,
                let id = try
                    (admin.send("GET", "api/v1/cards", query: [("number", String(cards[branches[0]]![1]))]).json()
                    as? [[String: Any]])?.first?["id"] as? Int64
            {
                try admin.send("PATCH", "api/v1/cards/\(id)", json: ["status": "revoked"])
            }
            let victim = Int(generator.next() % 4)
            if victim < 3, let daemon = daemons[victim] {
                kill(daemon.process.processIdentifier, SIGKILL)
                daemon.process.waitUntilExit()
                daemons[victim] = try DaemonProcess(
                    arguments: ["--config", configs[victim], "--simulate"], withInput: true)
                decidedBy[victim] = 0
            } else if victim == 3 && round % 2 == 1 {
                core.kill9()
                try core.start()
            }
        }
        // Calm: every proxy passes; wait for every outbox to empty and every cursor to reach the head.
        for proxy in proxies { proxy.set(.pass) }
        try admin.send("GET", "api/v1/health")
        let head: Int64 = try Connection(path: directory.appendingPathComponent("core.sqlite").path).scalar(
            "SELECT coalesce(max(seq), 0) FROM change_log")
        let settled = InstanceChaosTests.settled(directory, daemons: 3, head: head)
        #expect(settled, "outboxes did not drain within a minute")
        for daemon in daemons {
            if let daemon {
                kill(daemon.process.processIdentifier, SIGTERM)
                daemon.process.waitUntilExit()
            }
        }

        // Every id made at a door is at the core exactly once.
        let madeAtDoors = try InstanceChaosTests.eventsMadeAtDoors(directory, daemons: 3)
        let coreDatabase = try Connection(path: directory.appendingPathComponent("core.sqlite").path)
        let atCore: [String] = try coreDatabase.query(
            "SELECT id FROM attendance WHERE device_id IS NOT NULL",
            map: { row in EventID(bytes: row.bytes(0) ?? [])?.description ?? "" })
        #expect(madeAtDoors.count > 0)
        #expect(Set(atCore) == madeAtDoors, "core \(atCore.count), doors \(madeAtDoors.count)")
        #expect(atCore.count == Set(atCore).count)
        // Each replica holds exactly the core's view of its branch: the same people and cards.
        for (index, branch) in branches.enumerated() {
            let replica = try Connection(
                path: directory.appendingPathComponent("branch\(index)/data/replica.sqlite").path)
            let replicaCards = Set(
                try replica.query(
                    "SELECT card_number || ':' || status FROM cards", map: { row -> String in try row.get(0) }))
            // The core's own view of the branch: its snapshot, read with the branch device's token.
            let token = try String(
                contentsOfFile: directory.appendingPathComponent("branch\(index)/device.token").path, encoding: .utf8)
            let device = CoreClient(baseURL: url, token: token)
            var expected: Set<String> = []
            var after: Int64? = 0
            while let next = after {
                let page = try JSONDecoder().decode(
                    SyncSnapshotPage.self,
                    from: try device.send("GET", "api/v1/sync/snapshot", query: [("after", String(next))]).body)
                for case let .user(user) in page.items {
                    for card in user.cards { expected.insert("\(card.number):\(card.status.rawValue)") }
                }
                after = page.nextAfter
            }
            #expect(replicaCards == expected, "branch \(branch)")
        }
        #expect(swipes == 8 * 3 * 5)
    }
}
