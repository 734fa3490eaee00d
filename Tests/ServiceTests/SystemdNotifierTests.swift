import Service
import Foundation
import Testing

@Suite struct SystemdNotifierTests {
    /// A datagram socket standing in for systemd's notification socket.
    final class FakeSystemd {
        let fd: Int32
        let path: String

        init() throws {
            path =
                FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))")
                .path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
            }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
        }

        func receive() -> String? {
            var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollSet, 1, 2_000) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

    @Test func readyStatusWatchdogAndStoppingReachTheSocket() throws {
        let systemd = try FakeSystemd()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "20000000"])
        #expect(notifier.watchdogIntervalMilliseconds == 10_000)
        notifier.ready(status: "2 doors")
        #expect(systemd.receive() == "READY=1\nSTATUS=2 doors")
        notifier.watchdog()
        #expect(systemd.receive() == "WATCHDOG=1")
        notifier.stopping()
        #expect(systemd.receive() == "STOPPING=1")
    }

    @Test func withoutSystemdNothingIsSentAndNothingFails() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(notifier.socketPath == nil && notifier.watchdogIntervalMilliseconds == nil)
        notifier.ready(status: "x")
    }

    @Test func aWatchdogMeantForAnotherProcessIsIgnored() {
        let notifier = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1",
        ])
        #expect(notifier.watchdogIntervalMilliseconds == nil)
    }
}
