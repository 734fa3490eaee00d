import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// An owned file descriptor: closed exactly once, when the owner is released or `close` is called.
public final class FileDescriptor {
    public private(set) var rawValue: Int32
    /// What the descriptor is (a device path), for error messages.
    public let name: String

    public init(adopting rawValue: Int32, name: String) {
        self.rawValue = rawValue
        self.name = name
    }

    /// Opens `path` with `O_CLOEXEC` added to `flags`.
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0) throws(SystemCallError) -> FileDescriptor {
        let fd = try system("open", path) { portero_open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(adopting: fd, name: path)
    }

    public var isOpen: Bool { rawValue >= 0 }

    public func close() {
        guard rawValue >= 0 else { return }
        // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way.
        _ = Glibc.close(rawValue)
        rawValue = -1
    }

    deinit { close() }

    /// Reads what is available into a new array, at most `maximum` bytes. Returns nil when a
    /// non-blocking descriptor has nothing (EAGAIN) and an empty array at end of file.
    public func read(maximum: Int) throws(SystemCallError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count: Int
        do {
            count = try system("read", name) {
                buffer.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) }
            }
        } catch {
            if error.errno == .wouldBlock { return nil }
            throw error
        }
        buffer.removeSubrange(count...)
        return buffer
    }

    /// Writes all of `bytes`, waiting (with poll) while a non-blocking descriptor is full,
    /// for at most `timeoutMilliseconds` in all.
    public func write(_ bytes: [UInt8], timeoutMilliseconds: Int32 = 1_000) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let written: Int
            do {
                written = try system("write", name) {
                    bytes[offset...].withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress, $0.count) }
                }
            } catch {
                guard error.errno == .wouldBlock else { throw error }
                guard try Poller.wait(for: self, events: Int16(POLLOUT), timeoutMilliseconds: timeoutMilliseconds)
                else {
                    throw SystemCallError("write", name, Errno(rawValue: ETIMEDOUT))
                }
                continue
            }
            offset += written
        }
    }

    /// Sets or clears O_NONBLOCK.
    public func setNonBlocking(_ on: Bool) throws(SystemCallError) {
        let flags = try system("fcntl(F_GETFL)", name) { portero_fcntl_getfl(rawValue) }
        try system("fcntl(F_SETFL)", name) {
            portero_fcntl_setfl(rawValue, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
        }
    }
}

@available(*, unavailable, message: "A descriptor is owned by one thread (the daemon's loop)")
extension FileDescriptor: Sendable {}

/// poll(2) over descriptors, with a deadline. The daemon's event loop and the tests both wait here.
public enum Poller {
    /// Waits until `descriptor` is ready for `events` or the timeout passes; true when ready.
    public static func wait(for descriptor: FileDescriptor, events: Int16 = Int16(POLLIN), timeoutMilliseconds: Int32)
        throws(SystemCallError) -> Bool
    {
        try ready(
            among: [descriptor.rawValue], events: events, timeoutMilliseconds: timeoutMilliseconds,
            name: descriptor.name
        ).first != nil
    }

    /// The descriptors among `descriptors` that are ready (or in error) within the timeout.
    public static func ready(
        among descriptors: [Int32], events: Int16 = Int16(POLLIN), timeoutMilliseconds: Int32,
        name: String = "descriptors"
    ) throws(SystemCallError) -> [Int32] {
        var set = descriptors.map { pollfd(fd: $0, events: events, revents: 0) }
        let count = try system("poll", name) { poll(&set, nfds_t(set.count), timeoutMilliseconds) }
        guard count > 0 else { return [] }
        return set.filter { $0.revents != 0 }.map(\.fd)
    }
}
