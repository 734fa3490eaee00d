#if canImport(Glibc)
import Glibc
#endif

/// Lines to stderr with the `<N>` priority prefix journald understands (sd-daemon(3)), so
/// `journalctl -p warning` shows the warnings without libsystemd.
public struct Log: Sendable {
    public enum Priority: Int, Sendable {
        case error = 3, warning = 4, notice = 5, info = 6, debug = 7
    }

    public var minimum: Priority

    public init(minimum: Priority = .info) { self.minimum = minimum }

    public func callAsFunction(_ priority: Priority, _ message: @autoclosure () -> String) {
        guard priority.rawValue <= minimum.rawValue else { return }
        // One write per line, so lines from different moments never interleave.
        let line = "<\(priority.rawValue)>" + message().replacingOccurrences(of: "\n", with: " ") + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
