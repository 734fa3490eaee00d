#if canImport(Glibc)
import Glibc
#endif

/// Whether the calling thread is a server's event loop: handlers called there run within a batch
/// that the router's `batchEnded` closes (a router called from anywhere else has no batches).
public enum EventLoopThread {
    /// True on an event loop's thread.
    public static var isCurrent: Bool { pthread_getspecific(key) != nil }

    /// Marks (or unmarks) the calling thread as an event loop; the server's loops call this once.
    public static func mark(_ on: Bool) {
        pthread_setspecific(key, on ? UnsafeRawPointer(bitPattern: 1) : nil)
    }

    /// Runs `body` on this thread as an event loop runs its handlers (for benchmarks that call a
    /// router without sockets): the caller ends each batch with the router's `batchEnded`.
    public static func acting<T>(_ body: () throws -> T) rethrows -> T {
        mark(true)
        defer { mark(false) }
        return try body()
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
