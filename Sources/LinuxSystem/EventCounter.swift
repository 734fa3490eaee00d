import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// An eventfd(2) counter, non-blocking and close-on-exec: one thread signals, a poll loop sees the
/// descriptor readable and resets it. Owned: closed when released.
public final class EventCounter: Sendable {
    /// The descriptor to poll for readability.
    public let descriptor: Int32

    public init() throws(SystemCallError) {
        descriptor = try system("eventfd", "counter") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
    }

    deinit { close(descriptor) }

    /// Adds one, waking whoever polls the descriptor. Never blocks: a counter at its maximum
    /// (`EAGAIN`) is already readable, so the wake-up it stands for is not lost.
    public func signal() {
        var one: UInt64 = 1
        _ = try? system("write", "eventfd") { write(descriptor, &one, 8) }
    }

    /// Resets the counter; returns how many signals it held (0 when none, which `EAGAIN` means).
    @discardableResult
    public func reset() -> UInt64 {
        var count: UInt64 = 0
        do {
            try system("read", "eventfd") { read(descriptor, &count, 8) }
        } catch {
            return 0
        }
        return count
    }
}
