import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Whether the calling thread is a server's event loop: handlers called there run within a batch
/// that the router's `batchEnded` closes (a router called from anywhere else has no batches).
public enum EventLoopThread {
    /// True on an event loop's thread.
    public static var isCurrent: Bool { pthread_getspecific(key) != nil }

    /// The loop's number, given in the order loops were marked (nil on any other thread): what
    /// a loop keeps apart from the other loops, such as its share of the request counters, is
    /// found by it.
    public static var number: Int? { pthread_getspecific(key).map { Int(bitPattern: $0) - 1 } }

    /// Marks (or unmarks) the calling thread as an event loop; the server's loops call this once.
    public static func mark(_ on: Bool) {
        let number = on ? next.add(1, ordering: .relaxed).oldValue : -1
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: number + 1))
    }

    /// Runs `body` on this thread as an event loop runs its handlers (for benchmarks that call a
    /// router without sockets): the caller ends each batch with the router's `batchEnded`.
    public static func acting<T>(_ body: () throws -> T) rethrows -> T {
        mark(true)
        defer { mark(false) }
        return try body()
    }

    private static let next = Atomic<Int>(0)

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
