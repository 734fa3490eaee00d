import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// An `errno` value, captured right after the call that failed.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(rawValue: portero_errno()) }

    public static let interrupted = Errno(rawValue: EINTR)
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    public static let noSuchDevice = Errno(rawValue: ENODEV)
    public static let noSuchFile = Errno(rawValue: ENOENT)
    public static let notATerminal = Errno(rawValue: ENOTTY)
    public static let busy = Errno(rawValue: EBUSY)
    public static let permissionDenied = Errno(rawValue: EACCES)
    public static let ioError = Errno(rawValue: EIO)
    public static let invalidArgument = Errno(rawValue: EINVAL)

    public var description: String {
        guard let text = strerror(rawValue) else { return "errno \(rawValue)" }
        return String(cString: text) + " (errno \(rawValue))"
    }
}

/// A system call that failed, with what it was doing.
public struct SystemCallError: Error, Hashable, Sendable, CustomStringConvertible {
    public let call: String
    public let subject: String
    public let errno: Errno

    public init(_ call: String, _ subject: String, _ errno: Errno) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    public var description: String { "\(call) \(subject): \(errno)" }
}

/// The one funnel for system calls: retries EINTR, captures errno at once, and turns a −1 into a
/// typed error naming the call and its subject (a device path, a line).
@inlinable @discardableResult
public func system<T: BinaryInteger>(_ call: String, _ subject: String, _ body: () -> T) throws(SystemCallError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Errno.current
        if error == .interrupted { continue }
        throw SystemCallError(call, subject, error)
    }
}

/// The funnel for library calls that return an error number instead of setting errno
/// (`getpwuid_r`, the pthread functions): 0 is success, EINTR is retried, anything else is a
/// typed error naming the call and its subject.
@inlinable
public func systemReturningErrorNumber(
    _ call: String, _ subject: String, _ body: () -> Int32
) throws(SystemCallError) {
    while true {
        let result = body()
        if result == 0 { return }
        if result == EINTR { continue }
        throw SystemCallError(call, subject, Errno(rawValue: result))
    }
}

/// Closes a descriptor this code owns. On Linux the descriptor is released whatever close(2)
/// answers, even EINTR (retrying could close a number another thread was just given), and a
/// socket's or an eventfd's close reports nothing to act on; so its result is not an error.
@inlinable
public func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
