import Dispatch

/// Copies a WAL database's log back into the main file from a connection and a queue of its own,
/// so the checkpoint's writes and fsyncs stay off the commit path of the connection that serves
/// requests. Passive checkpoints never block that connection's readers or writer.
///
/// Meant for quiet moments (a daemon between requests, a nightly truncate): run beside a stream
/// of durable commits on a small machine, its fsyncs queue with theirs and lengthen the tail.
public final class Checkpointer: @unchecked Sendable {
    // @unchecked: `connection`, `timer` and `lastResult` are touched only on `queue`, which is serial.
    private let connection: Connection
    private let queue: DispatchQueue
    private var timer: DispatchSourceTimer?
    private var lastResult: Result<Progress, SQLiteError>?

    /// What one checkpoint found and did.
    public struct Progress: Sendable, Equatable {
        /// Frames in the log.
        public var logFrames: Int
        /// Frames copied back to the database so far.
        public var checkpointedFrames: Int
        /// The checkpoint could not finish because another connection held a lock.
        public var busy: Bool
    }

    /// Opens its own connection to the database at `path`.
    public init(path: String, label: String = "portero.checkpoint") throws {
        var options = ConnectionOptions()
        options.statementCacheCapacity = 4
        // This connection never writes rows, so it must never checkpoint on commit either.
        options.walAutoCheckpointPages = 0
        self.queue = DispatchQueue(label: label, qos: .utility)
        self.connection = try queue.sync { try Connection(path: path, options: options) }
    }

    /// Runs one passive checkpoint now and waits for it.
    @discardableResult
    public func checkpointNow() throws -> Progress {
        try queue.sync { try runCheckpoint() }
    }

    private func runCheckpoint() throws -> Progress {
        do {
            let progress =
                try connection.queryFirst("PRAGMA wal_checkpoint(PASSIVE)") { row in
                    Progress(
                        logFrames: Int(try row.requiredInt64(1)), checkpointedFrames: Int(try row.requiredInt64(2)),
                        busy: try row.requiredInt64(0) != 0)
                } ?? Progress(logFrames: 0, checkpointedFrames: 0, busy: false)
            lastResult = .success(progress)
            return progress
        } catch let error as SQLiteError {
            lastResult = .failure(error)
            throw error
        }
    }

    /// Checkpoints every `intervalMilliseconds` until `stop()`. Failures are kept for `lastOutcome`
    /// and retried at the next tick: a checkpoint that cannot run only lets the log grow.
    /// `observer`, when given, hears each outcome (on the checkpointer's queue).
    public func start(
        intervalMilliseconds: Int = 200, observer: (@Sendable (Result<Progress, SQLiteError>) -> Void)? = nil
    ) {
        queue.sync {
            guard timer == nil else { return }
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(
                deadline: .now() + .milliseconds(intervalMilliseconds), repeating: .milliseconds(intervalMilliseconds),
                leeway: .milliseconds(intervalMilliseconds / 4))
            source.setEventHandler { [weak self] in
                guard let self else { return }
                _ = try? self.runCheckpoint()
                if let observer, let outcome = self.lastResult { observer(outcome) }
            }
            source.resume()
            timer = source
        }
    }

    /// Stops the periodic checkpoints; a running one finishes first.
    public func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
        }
    }

    /// The last checkpoint's progress, or its error.
    public var lastOutcome: Result<Progress, SQLiteError>? { queue.sync { lastResult } }

    deinit { timer?.cancel() }
}
