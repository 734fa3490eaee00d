import BackOffice
import CoreClient
import CoreStorage
import Foundation
import PorteroModel
import Server
import SyncWire

/// Revocation to many devices spread over several core instances: `devices` enrolled devices
/// long-poll their branch's feed, device i on instance i mod `instances`, each instance a
/// `CoreAPI` of its own behind its own HTTP server over the same database. Each revocation goes
/// through instance 0's API as an administrator's would; the time from sending it to each
/// device's complete answer is one sample. Over PostgreSQL the other instances hear of the change
/// through LISTEN/NOTIFY. The devices run in a child process (`portero-bench fanout-clients`),
/// which stamps each answer with the same monotonic clock.
struct FanoutBenchmark {
    let devices: Int
    let instances: Int
    let revocations: Int
    /// A SQLite path, or a `postgres://` URL (an empty database).
    let database: String

    func run() throws {
        let apis = try (0..<instances).map { _ in try CoreAPI(path: database, timeZone: "America/Mexico_City") }
        let (branch, adminToken, tokens) = try apis[0].withDatabase { database -> (BranchID, String, [String]) in
            let branch = try database.accounts.createBranch(
                name: "Centro", city: "CDMX", timeZone: "America/Mexico_City")
            let admin = try database.accounts.createAccount(
                username: "admin", email: "admin@club.mx", password: "Secreto123", name: "Admin", paternalSurname: "",
                roles: RoleSet([.superAdministrator]), branches: [], now: Timestamp.now())
            let token = try database.auth.createAPIToken(for: admin.id, name: "bench", now: Timestamp.now()).token
            try SyncBenchmark.fill(database, branch: branch, members: max(1_000, revocations))
            let tokens = try (0..<devices).map { index in
                try database.write {
                    let code = try database.devices.register(
                        branch: branch, name: "fanout-\(index)", now: .now(), validFor: 600
                    ).code
                    return try database.devices.enroll(code: code, now: .now()).token
                }
            }
            return (branch, token, tokens)
        }
        let servers = try apis.map { try ServedCore($0, connections: devices) }
        defer { for server in servers { server.stop() } }
        say("\(devices) devices over \(instances) instance(s) on \(CoreDatabaseLocation(database))")
        let tokenFile = NSTemporaryDirectory() + "portero-bench-fanout-\(getpid()).tokens"
        try tokens.joined(separator: "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }

        let clients = Process()
        clients.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        clients.arguments = [
            "fanout-clients", "--ports", servers.map { String($0.port) }.joined(separator: ","), "--token", tokenFile,
        ]
        let commands = Pipe()
        let answers = Pipe()
        clients.standardInput = commands
        clients.standardOutput = answers
        try clients.run()
        defer { if clients.isRunning { clients.terminate() } }
        var lines = LineReader(fd: answers.fileHandleForReading.fileDescriptor)

        let admin = CoreClient(baseURL: URL(string: "http://127.0.0.1:\(servers[0].port)/")!, token: adminToken)
        let cards = try apis[0].withDatabase { database in
            try database.db.query(
                "SELECT id FROM cards WHERE status = 'active' ORDER BY id DESC LIMIT ?", Int64(revocations),
                map: { row -> Int64 in try row.get(0) })
        }
        var latencies: [Double] = []
        for card in cards {
            let head = try apis[0].withDatabase { try $0.sync.head() }
            commands.fileHandleForWriting.write(Data("poll \(head)\n".utf8))
            let deadline = clockNanoseconds() + 120_000_000_000
            while apis.reduce(0, { $0 + $1.feed.waiting }) < devices && clockNanoseconds() < deadline {
                usleep(1_000)
            }
            let start = clockNanoseconds()
            try admin.send("PATCH", "api/v1/cards/\(card)", json: ["status": "revoked"])
            guard let line = lines.waitFor({ _ in true }, timeoutMilliseconds: 60_000) else {
                throw CoreClientError(status: nil, message: "the clients ended")
            }
            let stamps = line.split(separator: " ").compactMap { UInt64($0) }
            let missing = stamps.filter { $0 == 0 }.count
            if missing > 0 { say("card \(card): \(missing) device(s) had no answer within 30 s") }
            latencies += stamps.filter { $0 > 0 }.map { Double(Int64($0) - Int64(start)) / 1e6 }
        }
        latencies.sort()
        say(
            String(
                format: "revocation to %d devices over %d instance(s), %d revocations (%d samples):"
                    + " p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                devices, instances, cards.count, latencies.count, SyncBenchmark.percentile(latencies, 0.50),
                SyncBenchmark.percentile(latencies, 0.99), latencies.last ?? .nan))
    }
}

/// The child of `FanoutBenchmark`: one keep-alive connection per device token, device i to port
/// i mod the port count. For each `poll AFTER` line on its input it sends every device's long poll
/// at AFTER, reads every complete answer, and writes one line: each device's answer time on the
/// monotonic clock in nanoseconds (0 for none within 30 s).
enum FanoutClients {
    static func run(ports: [UInt16], tokens: [String]) throws {
        let descriptors = try tokens.indices.map { try connect(to: ports[$0 % ports.count]) }
        var input = LineReader(fd: STDIN_FILENO)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while let line = input.waitFor({ _ in true }, timeoutMilliseconds: 86_400_000) {
            guard line.hasPrefix("poll "), let after = Int64(line.dropFirst(5)) else { continue }
            for (index, fd) in descriptors.enumerated() {
                let text =
                    "GET /api/v1/sync/changes?after=\(after)&wait=30&version=2 HTTP/1.1\r\nHost: bench\r\n"
                    + "Authorization: Bearer \(tokens[index])\r\n\r\n"
                let request = Array(text.utf8)
                _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            var received = [[UInt8]](repeating: [], count: descriptors.count)
            var stamps = [UInt64](repeating: 0, count: descriptors.count)
            var set = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            var remaining = descriptors.count
            let deadline = clockNanoseconds() + 30_000_000_000
            while remaining > 0 && clockNanoseconds() < deadline {
                guard poll(&set, nfds_t(set.count), 1_000) > 0 else { continue }
                let now = clockNanoseconds()
                for index in set.indices where set[index].revents != 0 {
                    set[index].revents = 0
                    let count = read(set[index].fd, &buffer, buffer.count)
                    if count <= 0 {
                        set[index].fd = -1
                        remaining -= 1
                        continue
                    }
                    received[index] += buffer[0..<count]
                    if isComplete(received[index]) {
                        stamps[index] = now
                        set[index].fd = -1  // poll skips it until the next round
                        remaining -= 1
                    }
                }
            }
            FileHandle.standardOutput.write(Data((stamps.map(String.init).joined(separator: " ") + "\n").utf8))
        }
    }

    static func connect(to port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED) }
        return fd
    }

    /// A whole HTTP answer: its head and as many body bytes as its Content-Length says.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4,
            let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) })
        else { return false }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        let length =
            head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return bytes.count >= end + 4 + length
    }
}
