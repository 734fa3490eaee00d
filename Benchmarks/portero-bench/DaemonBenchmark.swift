import Foundation
import PorteroModel
import Readers

/// `portero-bench daemon`: a real porterod process (release build, next to this binary) with an
/// EM4100 reader on a pty and simulated GPIO, over a replica of N members. Each swipe writes one
/// frame to the pty and waits for the daemon's decision line, which it logs after the relay was
/// driven and the decision journalled (synchronous=FULL). Measured: frame written → that line read.
struct DaemonBenchmark {
    var members: Int
    var swipes: Int
    var directory: String
    var reuse: Bool
    var seed: UInt64

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let replica = directory + "/data/replica.sqlite"
        let zone = try ZoneRules(identifier: "America/Mexico_City")
        let today = zone.localDay(at: Timestamp.now())
        if !reuse || !FileManager.default.fileExists(atPath: replica) {
            // The same generator as the decision benchmark, anchored on today so plans are current now.
            try DecisionBenchmark(
                members: members, requests: 0, unknownShare: 0, path: replica, reuse: false, seed: seed, cacheMiB: 8,
                readsOnly: true, synchronous: .full, gapMicroseconds: 0, warmup: 0
            ).build(today: today)
        }

        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else { throw POSIXError(.ENODEV) }
        defer {
            close(master)
            close(slave)
        }
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let config = """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
             "status": {"socket": "\(directory)/status.sock"},
             "doors": [{"id": 1, "name": "Entrada", "pulse_ms": 100,
                        "relay": {"chip": "sim0", "line": 1, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "\(slavePath)", "door": 1, "direction": "in"}]}
            """
        try config.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)

        let porterod = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("porterod")
        let process = Process()
        process.executableURL = porterod
        process.arguments = ["--config", directory + "/porterod.json", "--simulate-gpio"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let fd = errors.fileHandleForReading.fileDescriptor
        var lines = LineReader(fd: fd)
        guard lines.waitFor({ $0.contains("1/1 reader(s) open") }, timeoutMilliseconds: 30_000) != nil else {
            throw POSIXError(.ETIMEDOUT)
        }

        var rng = SplitMix64(seed: seed ^ 0xD00D)
        var latencies: [UInt64] = []
        var granted: [UInt64] = []
        var reasons: [String: Int] = [:]
        let stride = 7_919  // prime: consecutive swipes never repeat a card within the debounce window
        for swipe in 0..<swipes {
            let known = rng.unit() >= 0.1
            let member = known ? (swipe * stride) % members : members + swipe
            let card = UInt32(truncatingIfNeeded: DecisionBenchmark.card(member: member, index: 0).rawValue)
            let frame = EM4100FrameParser.frame(card: card)
            let start = clockNanoseconds()
            _ = frame.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            guard let line = lines.waitFor({ $0.contains("card \(card) ") }, timeoutMilliseconds: 5_000) else {
                print("swipe \(swipe): no decision for card \(card) within 5 s")
                continue
            }
            let elapsed = clockNanoseconds() - start
            latencies.append(elapsed)
            let reason = line.split(separator: " ").drop { $0 != "\(card)" }.dropFirst().first.map(String.init) ?? "?"
            reasons[reason, default: 0] += 1
            if reason.hasPrefix("granted") { granted.append(elapsed) }
        }
        print(
            """

            porterod over a \(members)-member replica, EM4100 frames on a pty, simulated GPIO, synchronous=FULL
            \(Latency.header)
            \(Latency(name: "frame → decision (all)", nanos: latencies).row)
            \(Latency(name: "frame → relay set (grants)", nanos: granted).row)
            swipes: \(latencies.count) of \(swipes) answered; reasons: \(reasons.sorted { $0.value > $1.value }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            """)
    }
}

/// Lines from a pipe, waited for with a deadline.
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    mutating func waitFor(_ match: (String) -> Bool, timeoutMilliseconds: Int) -> String? {
        let deadline = clockNanoseconds() + UInt64(timeoutMilliseconds) * 1_000_000
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            while let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                if match(line) { return line }
            }
            let now = clockNanoseconds()
            guard now < deadline else { return nil }
            var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollSet, 1, Int32((deadline - now) / 1_000_000) + 1) > 0 else { continue }
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { return nil }
            buffer += chunk.prefix(count)
        }
    }
}
