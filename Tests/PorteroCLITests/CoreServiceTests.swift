import Foundation
import LinuxSystem
import Testing

/// `portero-core` as systemd runs it: a configuration file, `--check-config`, sd_notify's READY,
/// WATCHDOG and STOPPING, and a clean stop on SIGTERM.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct CoreServiceTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/portero-core.json").path

    /// A datagram socket standing in for systemd's notification socket.
    final class NotifySocket {
        let fd: Int32
        let path: String
        private(set) var messages: [String] = []

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            let address = try #require(UnixSocketAddress(path: path))
            let bound = address.withSocketAddress { bind(fd, $0, $1) }
            #expect(bound == 0)
        }

        deinit { close(fd) }

        /// Waits up to `seconds` until a message containing `text` has come.
        func waitFor(_ text: String, seconds: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !messages.contains(where: { $0.contains(text) }), Date() < deadline {
                var set = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&set, 1, 100) > 0 else { continue }
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 { messages.append(String(decoding: buffer.prefix(count), as: UTF8.self)) }
            }
            return messages.contains { $0.contains(text) }
        }
    }

    @Test func checkConfigAcceptsTheSampleAndNamesABadKey() throws {
        let good = try Built.run("portero-core", ["--check-config", Self.sample])
        #expect(good.status == 0, "\(good.err)")
        #expect(good.out.contains("ok — database /var/lib/portero-core/core.sqlite, listening on 127.0.0.1:8080"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("core-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"{"listen": {"port": 8080, "hots": "0.0.0.0"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try Built.run("portero-core", ["--check-config", path])
        #expect(bad.status == 78)
        #expect(bad.err.contains("\(path): listen.hots: unknown key"))
        let refused = try Built.run("portero-core", ["serve", "--config", path])
        #expect(refused.status == 78 && refused.err.contains("listen.hots"))
    }

    /// A PostgreSQL database that cannot be reached: a clear error naming it (without its
    /// password), exit 78, nothing served.
    @Test func anUnreachableDatabaseIsNamedAndRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("core-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"""
        {"database": "postgres://ana:s3cr3t@127.0.0.1:1/core?connect_timeout=2",
         "listen": {"host": "127.0.0.1", "port": 18098}}
        """#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Built.run("portero-core", ["--check-config", path]).status == 0, "a URL is a valid setting")
        let refused = try Built.run("portero-core", ["serve", "--config", path])
        #expect(refused.status == 78)
        #expect(refused.err.contains("cannot open the database postgres://ana:***@127.0.0.1:1/core"))
        #expect(!refused.err.contains("s3cr3t"))
    }

    @Test func servesFromItsConfigurationNotifiesSystemdAndStopsCleanly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("core-svc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("core.sqlite").path
        #expect(
            try CoreInitTests.run(
                ["init", "--database", database, "--username", "root", "--email", "root@club.mx"], input: "Secreto123\n"
            ).status == 0)
        let config = directory.appendingPathComponent("portero-core.json").path
        try """
        {"database": "\(database)", "time_zone": "America/Mexico_City", "log": {"level": "info"},
         "http": {"event_loops": 2, "io_uring": false}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let notify = try NotifySocket(path: directory.appendingPathComponent("notify.sock").path)

        let process = Process()
        process.executableURL = Built.directory!.appendingPathComponent("portero-core")
        process.arguments = ["serve", "--config", config, "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        environment["WATCHDOG_USEC"] = "400000"
        environment.removeValue(forKey: "WATCHDOG_PID")
        process.environment = environment
        let out = Pipe()
        let errors = Pipe()
        process.standardOutput = out
        process.standardError = errors
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let port = try servingPort(out)
        #expect(notify.waitFor("READY=1"))
        #expect(notify.waitFor("WATCHDOG=1"), "keep-alives at half of WATCHDOG_USEC while the loops turn")
        let health = rawRequest(port: port, "GET /api/v1/health HTTP/1.1\r\nHost: core\r\nConnection: close\r\n\r\n")
        #expect(health.hasPrefix("HTTP/1.1 200"), "\(health)")
        kill(process.processIdentifier, SIGTERM)
        #expect(notify.waitFor("STOPPING=1"))
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("notice: serving http://127.0.0.1:"), "\(log)")
        #expect(log.contains("one read(2) per request"), "io_uring off, as the file says")
        #expect(log.contains("notice: stopped"), "\(log)")
    }
}
