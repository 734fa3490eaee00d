import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A `sockaddr_un` for a path, or for an abstract name when the path starts with `@` (as systemd
/// writes them in `NOTIFY_SOCKET`): the one place that builds one.
public struct UnixSocketAddress: Sendable {
    public let path: String
    private let bytes: [UInt8]

    /// Nil when the path does not fit `sun_path` (108 bytes with its terminating NUL).
    public init?(path: String) {
        var bytes = Array(path.utf8)
        guard !bytes.isEmpty, !bytes.contains(0) else { return nil }
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
        guard bytes.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        self.path = path
        self.bytes = bytes
    }

    /// Calls `body` with the address and its length (an abstract name's length has no NUL).
    public func withSocketAddress<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) rethrows -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == 0 ? 0 : 1))
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }
}
