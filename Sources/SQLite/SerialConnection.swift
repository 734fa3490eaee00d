import Dispatch

/// A connection with a serial queue of its own, so that SQLite's blocking calls never run on the
/// Swift concurrency pool and never run on two threads at once.
public final class SerialConnection: @unchecked Sendable {
    // @unchecked: `connection` is touched only inside `queue`, which is serial; nothing else is mutable.
    private let connection: Connection
    private let queue: DispatchQueue

    /// Opens the database on its own queue, labelled for debuggers and thread dumps.
    public init(path: String, options: ConnectionOptions = ConnectionOptions(), label: String = "portero.sqlite") throws
    {
        let queue = DispatchQueue(label: label)
        self.queue = queue
        self.connection = try queue.sync { try Connection(path: path, options: options) }
    }

    /// Runs `body` on the connection's queue and waits for it. For callers on threads they own.
    public func sync<T>(_ body: (Connection) throws -> T) throws -> T {
        try queue.sync { try body(connection) }
    }

    /// Runs `body` on the connection's queue without holding a concurrency-pool thread while it blocks.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }
}
