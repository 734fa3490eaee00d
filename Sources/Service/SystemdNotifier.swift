import CLinux
import Foundation
import LinuxSystem
#if canImport(Glibc)
import Glibc
#endif

/// sd_notify without libsystemd: datagrams to the socket in `NOTIFY_SOCKET` (a path, or an
/// abstract name starting with `@`). Does nothing when not started by systemd.
public struct SystemdNotifier: Sendable {
    public let socketPath: String?
    /// Half of `WATCHDOG_USEC`, when systemd asks for keep-alives.
    public let watchdogIntervalMilliseconds: Int64?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true
        {
            watchdogIntervalMilliseconds = max(1, usec / 2_000)
        } else {
            watchdogIntervalMilliseconds = nil
        }
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func watchdog() { send("WATCHDOG=1") }
    public func reloading() { send("RELOADING=1") }
    public func stopping() { send("STOPPING=1") }

    /// Sends `message`; failures are ignored (systemd may be gone while we stop).
    public func send(_ message: String) {
        guard let path = socketPath, let address = UnixSocketAddress(path: path) else { return }
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard let fd = try? system("socket", path, { socket(AF_UNIX, type, 0) }) else { return }
        defer { close(fd) }
        _ = message.utf8CString.withUnsafeBufferPointer { text in
            address.withSocketAddress { pointer, length in
                try? system("sendto", path) {
                    sendto(fd, text.baseAddress, text.count - 1, Int32(MSG_NOSIGNAL), pointer, length)
                }
            }
        }
    }
}
