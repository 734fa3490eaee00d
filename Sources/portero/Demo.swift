import CoreStorage
import Crypto
import DemoSeed
import Foundation
import LinuxSystem
import PorteroCLI
import PorteroModel
import Readers
import SQLite
import Service
#if canImport(Glibc)
import Glibc
#endif

/// `portero demo`: a core seeded with a gym chain, serving the web UI and the API, and one branch
/// daemon enrolled through the real sync path, reading a real serial line (a pty pair) on which
/// the demo writes EM4100 frames, with the GPIO simulated. Ctrl-C stops everything.
struct DemoCommand {
    let arguments: CommandLineArguments

    static let valued: Set<String> = ["--port", "--directory", "--members", "--swipe-every", "--swipes"]

    func run() throws -> ExitCode {
        let port = try number("--port", default: 8080, range: 0...65_535)
        let memberCount = try number("--members", default: 5_000, range: 50...200_000)
        guard let every = Double(arguments.value("--swipe-every") ?? "3"), (0.1...3_600).contains(every) else {
            throw CommandLineArguments.UsageError(message: "--swipe-every needs seconds from 0.1 to 3600")
        }
        let swipeLimit = try number("--swipes", default: 0, range: 0...1_000_000)
        let directory = try arguments.value("--directory") ?? Self.freshDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/branch", withIntermediateDirectories: true)
        guard !FileManager.default.fileExists(atPath: directory + "/core.sqlite") else {
            printError("portero: \(directory) already holds a demo; name an empty --directory")
            return .usage
        }
        guard let daemonPath = Self.sibling("porterod") else {
            printError("portero: porterod is not beside this portero; build every product (swift build) first")
            return .unavailable
        }

        guard let corePath = Self.sibling("portero-core") else {
            printError("portero: portero-core is not beside this portero; build every product (swift build) first")
            return .unavailable
        }

        print("Portero demo in \(directory)")
        let started = Date()
        // Seeded through the stores the API uses, before the core serves the file.
        let (chain, code) = try Self.seed(directory + "/core.sqlite", members: memberCount)
        print(
            "  seeded \(chain.branches) branches, \(chain.members) members, \(chain.plans) plans, "
                + "\(chain.attendance) past entries in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        )
        // Ctrl-C or SIGTERM, taken from here on (the children run in process groups of their
        // own, so only this process hears a terminal's Ctrl-C): stop swiping, stop the daemon (it
        // finishes its upload), then the core. A signal during the set-up stops the demo as soon
        // as it is set up.
        let signals = try SignalEvents([SIGINT, SIGTERM])
        let core = try CoreChild(
            path: corePath, database: directory + "/core.sqlite", port: port, log: directory + "/core.log")
        defer { core.stop() }  // whatever fails below, the core does not outlive the demo
        let base = "http://127.0.0.1:\(core.port)/"

        let line = try PseudoTerminal()
        let config = """
            {"branch": {"id": \(chain.branchID.rawValue), "time_zone": "\(chain.branchZone)"},
             "data_directory": "\(directory)/branch",
             "pin_key_file": "\(directory)/branch/pin.key",
             "core": {"url": "\(base)", "token_file": "\(directory)/branch/device.token", "max_backoff_seconds": 5},
             "status": {"socket": "\(directory)/branch/status.sock"},
             "doors": [{"id": 1, "pulse_ms": 1500, "held_open_ms": 20000,
                        "relay": {"chip": "demo-chip", "line": 17, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "\(line.slavePath)", "door": 1,
                          "direction": "in"}]}
            """
        try config.write(toFile: directory + "/branch/porterod.json", atomically: true, encoding: .utf8)
        let enroll = Process()
        enroll.executableURL = URL(fileURLWithPath: daemonPath)
        enroll.arguments = ["enroll", "--config", directory + "/branch/porterod.json", "--code", code]
        enroll.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try enroll.run()
        enroll.waitUntilExit()
        guard enroll.terminationStatus == 0 else {
            printError("portero: the demo daemon could not enrol (status \(enroll.terminationStatus))")
            core.stop()
            return .failure
        }

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: daemonPath)
        daemon.arguments = ["--config", directory + "/branch/porterod.json", "--simulate-gpio"]
        let errors = Pipe()
        daemon.standardError = errors
        daemon.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try daemon.run()
        defer {
            if daemon.isRunning {
                kill(daemon.processIdentifier, SIGTERM)
                daemon.waitUntilExit()
            }
        }
        let echo = DaemonEcho(log: directory + "/branch/porterod.log", zone: ZoneCache.rules(chain.branchZone))
        let ready = DispatchSemaphore(value: 0)
        let reading = Thread { echo.follow(errors.fileHandleForReading, ready: ready) }
        reading.start()

        print(
            """
              web UI and API: \(base)   (API under \(base)api/v1/)
              logins, all with the password \(chain.password):
            \(chain.logins.map {
                "    \($0.username.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.role.rawValue)"
                    + "\($0.branch.map { " at \($0)" } ?? "")"
            }.joined(separator: "\n"))
              branch daemon: enrolled at \(chain.branchName), reading EM4100 frames on \(line.slavePath); \
            its log: \(directory)/branch/porterod.log
              a card is swiped at the \(chain.branchName) turnstile every \(every.formatted()) s; \
            Ctrl-C stops everything.
            """)
        fflush(nil)

        _ = ready.wait(timeout: .now() + 30)  // the daemon's first snapshot and its door's settings
        var count = 0
        while swipeLimit == 0 || count < swipeLimit {
            let swipe = chain.swipes[count % chain.swipes.count]
            echo.announce(swipe)
            line.write(EM4100FrameParser.frame(card: UInt32(truncatingIfNeeded: swipe.card)))
            count += 1
            if !signals.wait(milliseconds: Int32(every * 1_000)).isEmpty { break }
            if !daemon.isRunning { break }
        }
        // The last swipes reach the core before the daemon stops (it would send them on its next start anyway).
        let uploaded = try Connection(path: directory + "/core.sqlite")
        let deadline = Date().addingTimeInterval(10)
        while daemon.isRunning, Date() < deadline,
            (try? uploaded.scalar("SELECT count(*) FROM attendance WHERE device_id IS NOT NULL", as: Int.self)) ?? 0
                < count
        {
            _ = signals.wait(milliseconds: 100)
        }
        if daemon.isRunning {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
        }
        reading.cancel()
        core.stop()
        print("demo stopped; its data stays in \(directory)")
        return daemon.terminationStatus == 0 ? .success : .failure
    }

    /// The demo chain in a new core database, and a one-time code for its branch controller.
    static func seed(_ path: String, members: Int) throws -> (DemoChain, String) {
        let hasher = PasswordHasher()
        let connection = try Connection(path: path)
        try CoreSchema.migrate(connection)
        let database = try CoreDatabase(
            connection: SQLiteDatabase(connection), hasher: hasher, policy: AuthPolicy(), throttle: LoginThrottle(),
            dummyHash: Authenticator.makeDummyHash(hasher))
        let chain = try DemoChain.seed(database, members: members)
        let code = try database.write {
            try database.devices.register(
                branch: chain.branchID, name: "Torniquete Centro", now: .now(), validFor: 3_600
            ).code
        }
        return (chain, code)
    }

    private func number(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = arguments.value(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw CommandLineArguments.UsageError(
                message: "\(name) needs a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func freshDirectory() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/portero-demo-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }

    /// Another of the package's executables, from the folder this one runs from.
    static func sibling(_ name: String) -> String? {
        guard let executable = Bundle.main.executableURL else { return nil }
        let path = executable.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }
}

/// A pty pair: the daemon opens the slave as its serial reader, the demo writes frames to the master.
final class PseudoTerminal {
    let master: Int32
    let slave: Int32
    let slavePath: String

    init() throws {
        var master: Int32 = -1, slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        try system("openpty", "the demo's card reader") { openpty(&master, &slave, &name, nil, nil) }
        self.master = master
        self.slave = slave
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
    }

    deinit {
        close(master)
        close(slave)
    }
}

/// Copies the daemon's log to a file and prints one line for each decision at the demo door.
final class DaemonEcho: @unchecked Sendable {
    // @unchecked: `pending` is touched under `lock` only.
    private let lock = NSLock()
    private var pending: [UInt64: String] = [:]
    private let file: FileHandle?
    /// The branch's zone: each swipe is printed in its local time, with the offset.
    private let zone: ZoneRules

    init(log path: String, zone: ZoneRules) {
        self.zone = zone
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        file = FileHandle(forWritingAtPath: path)
    }

    func announce(_ swipe: DemoChain.Swipe) {
        lock.withLock { pending[swipe.card] = "\(swipe.who); expected \(swipe.expected)" }
    }

    func follow(_ handle: FileHandle, ready: DispatchSemaphore) {
        var buffer = Data()
        var signalled = false
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            file?.write(chunk)
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                // Ready once the door has its settings from headquarters (they follow the snapshot).
                if !signalled && line.contains("settings from headquarters") {
                    signalled = true
                    ready.signal()
                }
                report(line)
            }
        }
        if !signalled { ready.signal() }
    }

    /// `… info: door Torniquete reader entrada: card 1000004 granted user 12 in 153 µs` → one line.
    private func report(_ line: String) {
        guard let range = line.range(of: ": card ") else {
            // A plain log line: time, priority, text.
            let words = line.split(separator: " ", maxSplits: 2)
            if words.count == 3, words[1] == "error:" || words[1] == "warning:" {
                print("  daemon: \(words[2])")
            }
            return
        }
        let words = line[range.upperBound...].split(separator: " ")
        guard words.count >= 2, let card = UInt64(words[0]) else { return }
        let who = lock.withLock { pending.removeValue(forKey: card) } ?? "card \(card)"
        let time = zone.clockLabel(at: .now())
        print("  \(time)  card \(card)  \(words[1].padding(toLength: 26, withPad: " ", startingAt: 0))  \(who)")
        fflush(nil)
    }
}

/// `portero-core serve` as the demo's child: the port it bound, read from its first line; its
/// log in a file; stopped with SIGTERM (it finishes the requests in flight).
final class CoreChild {
    let process = Process()
    let port: UInt16

    init(path: String, database: String, port: Int, log: String) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "serve", "--database", database, "--port", String(port), "--time-zone", "America/Mexico_City",
        ]
        let out = Pipe()
        process.standardOutput = out
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        var line = ""
        do {
            while !line.contains("\n"), let chunk = try out.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty {
                line += String(decoding: chunk, as: UTF8.self)
            }
        } catch {
            process.terminate()
            throw error
        }
        let address = line.split(separator: " ").first { $0.hasPrefix("http://") } ?? ""
        guard let bound = address.split(separator: ":").last.flatMap({ UInt16($0.prefix { $0.isNumber }) }) else {
            process.terminate()
            throw CommandLineArguments.UsageError(message: "portero-core did not start (its log: \(log))")
        }
        self.port = bound
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}
