import Foundation
import Synchronization

/// A stop that threads wait on: fired once, it ends every wait under way and every later one, so
/// a service's threads leave their pauses at once and can be joined.
public final class StopSignal: Sendable {
    private let fired = Mutex(false)
    private let condition = NSCondition()

    public init() {}

    public var isFired: Bool { fired.withLock { $0 } }

    public func fire() {
        condition.lock()
        fired.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits `seconds`, or less when the signal fires.
    public func wait(seconds: Double) {
        let until = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !isFired {
            if !condition.wait(until: until) { return }
        }
    }
}

/// A thread of a service's own that runs `body` once and can be joined.
public final class ServiceThread: Sendable {
    private let done = DispatchSemaphore(value: 0)

    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits until `body` has returned.
    public func join() {
        done.wait()
        done.signal()  // later joins return at once
    }
}
