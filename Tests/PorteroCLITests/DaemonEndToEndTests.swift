import Foundation
import PorteroModel
import Readers
import Replica
import Testing

/// A real porterod process: an EM4100 reader on a pty pair, the simulated GPIO backend, a replica
/// on disk. The daemon's log (stderr, journald prefixes) shows the relay.
final class DaemonProcess {
    let process = Process()
    let errors = Pipe()
    let input = Pipe()
    var log = ""

    /// `withInput`: the test writes simulated reader lines to `input`.
    init(arguments: [String], withInput: Bool = false) throws {
        process.executableURL = Built.directory!.appendingPathComponent("porterod")
        process.arguments = arguments
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = withInput ? input : FileHandle.nullDevice
        try process.run()
        let fd = errors.fileHandleForReading.fileDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Waits up to `timeout` seconds until the log has `count` lines containing `text`.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            if log.components(separatedBy: "\n").filter({ $0.contains(text) }).count >= count { return true }
            var pollSet = pollfd(fd: errors.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&pollSet, 1, 100) > 0 {
                let n = read(errors.fileHandleForReading.fileDescriptor, &chunk, chunk.count)
                if n > 0 { log += String(decoding: chunk.prefix(n), as: UTF8.self) }
                if n == 0 && !process.isRunning { break }
            }
        }
        return log.components(separatedBy: "\n").filter({ $0.contains(text) }).count >= count
    }

    func occurrences(_ text: String) -> Int { log.components(separatedBy: "\n").filter { $0.contains(text) }.count }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// A stream connected to the Unix socket at `path`, or nil; the caller closes it.
func connectUnix(_ path: String) -> Int32? {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard connected == 0 else {
        close(fd)
        return nil
    }
    return fd
}

/// `GET path` over the daemon's Unix status socket; the body, or nil.
func statusRequest(socket path: String, _ resource: String) -> String? {
    guard let fd = connectUnix(path) else { return nil }
    defer { close(fd) }
    let text = httpGet(connected: fd, resource)
    guard text.hasPrefix("HTTP/1.0 200"), let split = text.range(of: "\r\n\r\n") else { return nil }
    return String(text[split.upperBound...])
}

/// Sends `GET resource` on a connected socket and reads the whole response (5 s at most per read).
func httpGet(connected fd: Int32, _ resource: String) -> String {
    exchange(connected: fd, "GET \(resource) HTTP/1.0\r\n\r\n")
}

/// Writes `text` on a connected socket and reads until the peer closes (5 s at most per read).
func exchange(connected fd: Int32, _ text: String) -> String {
    _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 8192)
    var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    while poll(&pollSet, 1, 5_000) > 0 {
        let count = read(fd, &chunk, chunk.count)
        guard count > 0 else { break }
        response += chunk.prefix(count)
    }
    return String(decoding: response, as: UTF8.self)
}

/// Seeds a replica as sync would leave it: member 1 (card 111) current, member 2 (card 222) expired.
func seedReplica(at path: String, timeZone: String = "America/Mexico_City") throws {
    let zone = try ZoneRules(identifier: timeZone)
    let today = zone.localDay(at: Timestamp.now())
    let plan = Plan(
        id: PlanID(1), name: "Mensual", price: Money(minorUnits: 59_900, currency: "MXN"), duration: .months(1))
    let store = try ReplicaStore(path: path, branchID: BranchID(1), timeZone: timeZone)
    var changes: [ReplicaChange] = [.upsertPlan(plan)]
    for (id, card, end) in [(Int64(1), UInt64(111), today.adding(days: 30)), (2, 222, today.adding(days: -40))] {
        changes += [
            .upsertUser(ReplicaUser(id: UserID(id), clave: id, displayName: "Socio \(id)", active: true)),
            .upsertCredential(Credential(id: CredentialID(id), userID: UserID(id), card: CardNumber(rawValue: card))),
            .upsertSubscription(
                Subscription(
                    id: SubscriptionID(id), userID: UserID(id), planID: plan.id, startDay: today.adding(days: -60),
                    endDay: end, pricePaid: plan.price)),
        ]
    }
    try store.apply(changes, cursor: 1)
}

@Suite(.serialized, .enabled(if: Built.directory != nil)) struct DaemonEndToEndTests {
    @Test func aKnownCardPulsesTheRelayAnExpiredOneDoesNotAndBothAreJournalled() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "porterod-e2e-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        try seedReplica(at: directory + "/data/replica.sqlite")

        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        #expect(openpty(&master, &slave, &name, nil, nil) == 0)
        defer {
            close(master)
            close(slave)
        }
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        let config = """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
             "status": {"socket": "\(directory)/status.sock"},
             "doors": [{"id": 1, "name": "Entrada", "pulse_ms": 800,
                        "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "\(slavePath)", "door": 1, "direction": "in"},
                         {"name": "salida", "kind": "em4100", "device": "\(directory)/unplugged", "door": 1,
                          "direction": "out"}]}
            """
        try config.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)

        let daemon = try DaemonProcess(arguments: ["--config", directory + "/porterod.json", "--simulate-gpio"])
        // The second reader is not plugged in: the daemon starts anyway and keeps trying.
        #expect(daemon.waitFor("1/2 reader(s) open"))
        #expect(daemon.waitFor("reader salida: cannot open"))
        // Plugged in later: the reader is opened on its next retry.
        var spareMaster: Int32 = -1
        var spareSlave: Int32 = -1
        var spareName = [CChar](repeating: 0, count: 128)
        #expect(openpty(&spareMaster, &spareSlave, &spareName, nil, nil) == 0)
        defer {
            close(spareMaster)
            close(spareSlave)
        }
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/unplugged",
            withDestinationPath: String(
                decoding: spareName.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        #expect(daemon.waitFor("reader salida: open"))

        _ = EM4100FrameParser.frame(card: 111).withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        #expect(daemon.waitFor("card 111 granted user 1"))
        #expect(daemon.waitFor("door Entrada: lock released (relay sim0:4 high)"))
        #expect(daemon.waitFor("door Entrada: lock locked (relay sim0:4 low)"))

        _ = EM4100FrameParser.frame(card: 222).withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        #expect(daemon.waitFor("card 222 subscription.expired user 2"))
        #expect(daemon.occurrences("lock released") == 1)

        // The status endpoint: health, doors, readers, replica; and Prometheus metrics.
        let status = try #require(statusRequest(socket: directory + "/status.sock", "/status"))
        #expect(status.contains(#""health":"ok""#))
        #expect(status.contains(#""name":"Entrada""#) && status.contains(#""lock":"locked""#))
        #expect(status.contains(#""name":"salida""#) && !status.contains(#""open":false"#))
        #expect(status.contains(#""outbox_depth":2"#) && status.contains(#""sync_cursor":1"#))
        let metrics = try #require(statusRequest(socket: directory + "/status.sock", "/metrics"))
        #expect(metrics.contains(#"portero_decisions_total{reason="granted"} 1"#))
        #expect(metrics.contains(#"portero_decisions_total{reason="subscription.expired"} 1"#))
        #expect(metrics.contains("portero_decision_latency_seconds_count 2"))
        #expect(metrics.contains("portero_outbox_depth 2.0"))
        #expect(statusRequest(socket: directory + "/status.sock", "/health") == "ok\n")

        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(daemon.waitFor("every lock to its safe state"))
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)

        let store = try ReplicaStore(
            path: directory + "/data/replica.sqlite", branchID: BranchID(1), timeZone: "America/Mexico_City")
        let journal = try store.recentAttendance(limit: 10)
        #expect(journal.map(\.reason) == [.subscriptionExpired, .granted])
        #expect(journal.map(\.cardNumber) == [CardNumber(rawValue: 222), CardNumber(rawValue: 111)])
        #expect(try store.outboxDepth() == 2)
    }

    @Test func sighupReloadsAGoodConfigurationAndKeepsTheOldOnABadOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "porterod-hup-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try freeLoopbackPort()
        func config(doors: Int) -> String {
            let list = (1...doors).map {
                #"{"id": \#($0), "name": "D\#($0)", "relay": {"chip": "sim0", "line": \#($0), "kind": "fail_secure"}}"#
            }
            return
                #"""
                {"branch": {"id": 1, "time_zone": "UTC"}, "data_directory": "\#(directory)/data", \#
                "status": {"socket": "\#(directory)/s.sock", "http_port": \#(port)}, \#
                "doors": [\#(list.joined(separator: ", "))]}
                """#
        }
        try config(doors: 1).write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--config", directory + "/porterod.json", "--simulate-gpio"])
        #expect(daemon.waitFor("1 door(s)"))
        try #"{"branch": {"id": 1, "time_zone": "UTC"}, "doorz": []}"#.write(
            toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(daemon.waitFor("reload refused, keeping the running configuration"))
        #expect(daemon.waitFor("doorz: unknown key"))
        try config(doors: 2).write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(daemon.waitFor("configuration reloaded: branch 1: 2 door(s)"))
        // The same status endpoint on loopback HTTP.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0, "connect to 127.0.0.1:\(port): errno \(errno); the daemon said:\n\(daemon.log)")
        let text = httpGet(connected: fd, "/metrics")
        #expect(text.hasPrefix("HTTP/1.0 200 OK"))
        #expect(text.contains("# TYPE portero_decision_latency_seconds histogram"))
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
    }

    /// A full disk: the daemon keeps deciding from the replica, logs the event it cannot journal,
    /// and journals again once there is room. Needs root to mount a small tmpfs.
    @Test(.enabled(if: getuid() == 0)) func aFullDiskKeepsTheDoorsWorkingAndLosesNothingJournalled() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "porterod-full-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(mount("tmpfs", directory + "/data", "tmpfs", 0, "size=1m") == 0)
        defer { umount(directory + "/data") }
        try seedReplica(at: directory + "/data/replica.sqlite")
        let config = """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
             "status": {"socket": "\(directory)/status.sock"},
             "doors": [{"id": 1, "name": "Entrada", "pulse_ms": 200,
                        "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
            """
        try config.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(daemon.waitFor("simulated readers"))
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 111\n".utf8))
        #expect(daemon.waitFor("card 111 granted user 1"))
        #expect(daemon.waitFor("lock locked"))

        // Fill the disk to the last byte.
        let filler = directory + "/data/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()

        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 111\n".utf8))
        #expect(daemon.waitFor("JOURNAL FULL, event kept here only"))
        #expect(daemon.log.contains("reason=granted user=1"))
        #expect(daemon.waitFor("lock released", count: 2))

        // Room again: the next decision is journalled as usual.
        try FileManager.default.removeItem(atPath: filler)
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 222\n".utf8))
        #expect(daemon.waitFor("card 222 subscription.expired user 2"))
        try daemon.input.fileHandleForWriting.close()
        #expect(daemon.waitFor("standard input closed: stopping"))
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)

        let store = try ReplicaStore(
            path: directory + "/data/replica.sqlite", branchID: BranchID(1), timeZone: "America/Mexico_City")
        #expect(try store.recentAttendance(limit: 10).map(\.reason) == [.subscriptionExpired, .granted])
        #expect(try store.integrityProblems().isEmpty)
    }

    @Test func aBadConfigurationExits78AndTheDaemonDoesNotStart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "porterod-bad-\(UUID().uuidString).json"
        ).path
        try #"{"branch": {"id": 1, "time_zone": "UTC"}, "doors": [], "extra": 1}"#.write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Built.run("porterod", ["--config", path, "--simulate"])
        #expect(result.status == 78)
        #expect(result.err.contains("extra: unknown key"))
    }
}
