import Dispatch
import LinuxSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Termination and reload signals as a readable descriptor: their default action is turned off,
/// Dispatch catches them and a counter wakes whoever polls `descriptor`, so a program handles a
/// signal between two pieces of work, never inside one. The one signal set-up of each program.
public final class SignalEvents: Sendable {
    private let counter: EventCounter
    private let sources: [SignalSource]
    private let pending = Pending()

    /// Signals caught and not yet taken, shared with Dispatch's thread.
    private final class Pending: Sendable {
        let signals = Mutex<[Int32]>([])
    }

    /// A Dispatch source, kept to cancel it.
    private final class SignalSource: @unchecked Sendable {
        // @unchecked: set up once in init; Dispatch sources are thread-safe to cancel.
        let source: any DispatchSourceSignal
        init(_ source: any DispatchSourceSignal) { self.source = source }
    }

    /// The descriptor to poll for readability.
    public var descriptor: Int32 { counter.descriptor }

    public init(_ signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) throws {
        let counter = try EventCounter()
        self.counter = counter
        var sources: [SignalSource] = []
        let pending = pending
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [pending, counter] in
                pending.signals.withLock { $0.append(number) }
                counter.signal()
            }
            source.resume()
            sources.append(SignalSource(source))
        }
        self.sources = sources
    }

    deinit {
        for source in sources { source.source.cancel() }
    }

    /// The signals caught since the last call, in order.
    public func take() -> [Int32] {
        counter.reset()
        return pending.signals.withLock { signals in
            defer { signals.removeAll() }
            return signals
        }
    }

    /// Waits up to `milliseconds` for a signal; the signals caught (empty after the timeout).
    public func wait(milliseconds: Int32) -> [Int32] {
        var set = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        _ = try? system("poll", "signals") { poll(&set, 1, milliseconds) }
        return take()
    }
}
