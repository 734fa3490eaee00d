import BackOffice
import CoreStorage
import Foundation
import PorteroModel
import Server
import SyncWire

/// Idle long polls held by one core instance: `connections` devices' feeds parked at once, the
/// resident memory each costs, and how long one change takes to answer all of them. The clients
/// run in a child process (`portero-bench longpoll-clients`), so the figure is the server's alone
/// and each side has its own descriptors.
struct LongPollBenchmark {
    let connections: Int
    /// A SQLite path, or a `postgres://` URL (an empty database).
    let database: String

    func run() throws {
        let api = try CoreAPI(path: database, timeZone: "America/Mexico_City")
        let (branch, token, head) = try api.withDatabase { database -> (BranchID, String, Int64) in
            let branch = try database.write {
                try database.accounts.createBranch(name: "Centro", city: "CDMX", timeZone: "America/Mexico_City")
            }
            let code = try database.write {
                try database.devices.register(branch: branch, name: "bench", now: .now(), validFor: 600).code
            }
            let token = try database.write { try database.devices.enroll(code: code, now: .now()).token }
            let head = try database.sync.batch(
                branch: branch, after: 0, limit: 1_000, zone: ZoneCache.rules("UTC"), now: .now(), chainIndex: true
            ).cursor
            return (branch, token, head)
        }
        let server = try ServedCore(api, connections: connections)
        defer { server.stop() }
        Thread.sleep(forTimeInterval: 0.5)
        let before = residentKiB()
        say("core on \(CoreDatabaseLocation(database)); \(before / 1024) MiB resident before the clients")

        let clients = Process()
        clients.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        clients.arguments = [
            "longpoll-clients", "--port", String(server.port), "--token", token, "--after", String(head),
            "--connections", String(connections),
        ]
        try clients.run()
        defer { if clients.isRunning { clients.terminate() } }
        let deadline = Date().addingTimeInterval(300)
        while api.feed.waiting < connections && Date() < deadline && clients.isRunning {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let parked = api.feed.waiting
        Thread.sleep(forTimeInterval: 1)
        let after = residentKiB()
        say(
            String(
                format: "%d long polls parked: %d MiB resident, %.1f KiB per connection", parked, after / 1024,
                Double(after - before) / Double(max(1, parked))))

        // One change for the branch: every parked feed is answered.
        let started = clockNanoseconds()
        try api.withDatabase { database in
            try database.write {
                _ = try database.doors.addDoor(SyncDoor(id: 1, name: "Entrada"), id: 1, branch: branch, now: .now())
            }
        }
        api.feed.changed()
        while api.feed.waiting > 0 && clockNanoseconds() - started < 60_000_000_000 {
            usleep(1_000)
        }
        say(
            String(
                format: "one change answered %d parked polls in %.0f ms", parked - api.feed.waiting,
                Double(clockNanoseconds() - started) / 1e6))
    }

    func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        }
        return -1
    }
}

/// The child of `LongPollBenchmark`: opens the connections, sends each a long poll, and reads
/// the answers until every one has come or its parent ends it.
enum LongPollClients {
    static func run(port: UInt16, token: String, after: Int64, connections: Int) throws {
        var descriptors: [Int32] = []
        descriptors.reserveCapacity(connections)
        let request =
            Array(
                "GET /api/v1/sync/changes?after=\(after)&wait=30&version=2 HTTP/1.1\r\nHost: bench\r\n"
                    .utf8) + Array("Authorization: Bearer \(token)\r\n\r\n".utf8)
        for _ in 0..<connections {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EMFILE) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED) }
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            descriptors.append(fd)
        }
        // Read answers (and keep the connections) until the parent stops this process.
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var set = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            guard poll(&set, nfds_t(set.count), 1_000) > 0 else { continue }
            for index in set.indices where set[index].revents != 0 {
                if read(set[index].fd, &buffer, buffer.count) <= 0 { set[index].fd = -1 }
                set[index].revents = 0
            }
        }
    }
}
