import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// Long polls: the change feed's devices and the web UI's live attendance. Each waiter is
/// answered as soon as its `answer` has something, or finally when its wait runs out. One thread
/// re-checks the waiters whenever the database may have changed (`changed()`, called after every
/// write) and at least every second, and checks each new waiter once as it arrives. Deadlines and waits run on the monotonic clock, so a wall
/// clock stepped back holds no poll longer.
package final class FeedNotifier: @unchecked Sendable {
    // @unchecked: `waiters`, `stopped` and `pending` are touched only under `lock`.
    package struct Waiter {
        let deferred: HTTPDeferred
        let deadline: DispatchTime
        /// The answer now, or nil for nothing yet; `final` (the wait is over) must answer.
        let answer: @Sendable (_ final: Bool) -> HTTPResponse?
        /// Waiters with the same key get the same answer (devices of one branch at one cursor):
        /// it is worked out once for all of them in each pass.
        let key: String?

        package init(
            deferred: HTTPDeferred, deadline: DispatchTime, key: String? = nil,
            answer: @escaping @Sendable (_ final: Bool) -> HTTPResponse?
        ) {
            self.deferred = deferred
            self.deadline = deadline
            self.key = key
            self.answer = answer
        }
    }

    private let lock = NSLock()
    /// Signalled by `changed` and `stop`; the thread waits on it a second at most.
    private let wakeups = DispatchSemaphore(value: 0)
    private var waiters: [Waiter] = []
    /// Waiters not yet checked by this thread: their handler's own check may have read a snapshot
    /// taken before a change whose wake-up came before they were kept, so each is checked once
    /// more, on its own, as it arrives.
    private var newcomers: [Waiter] = []
    private var pending = false
    private var stopped = false
    private var thread: Thread?

    /// Starts the thread that answers the waiters.
    package func start() {
        let thread = Thread { [self] in
            // Every waiter is checked at least every second, however busy the newcomers keep the
            // thread: for deadlines, and for a change whose wake-up was lost (another instance's,
            // while its channel was down).
            var lastFull = DispatchTime.now()
            while true {
                lock.lock()
                if !pending && !stopped && newcomers.isEmpty {
                    lock.unlock()
                    _ = wakeups.wait(timeout: lastFull + .seconds(1))
                    lock.lock()
                }
                let full = pending || stopped || DispatchTime.now() >= lastFull + .seconds(1)
                if full { lastFull = DispatchTime.now() }
                pending = false
                let arrived = newcomers
                newcomers = []
                waiters += arrived
                let current = full ? waiters : arrived
                let stopping = stopped
                lock.unlock()
                var answered: [ObjectIdentifier] = []
                // One answer per key and pass: a thousand devices of a branch cost one feed query.
                var shared: [String: HTTPResponse?] = [:]
                for waiter in current {
                    let expired = stopping || waiter.deadline <= .now()
                    let response: HTTPResponse?
                    if let key = waiter.key.map({ "\($0)|\(expired)" }) {
                        if let known = shared[key] {
                            response = known
                        } else {
                            response = waiter.answer(expired)
                            shared[key] = .some(response)
                        }
                    } else {
                        response = waiter.answer(expired)
                    }
                    if let response {
                        waiter.deferred.complete(response)
                        answered.append(ObjectIdentifier(waiter.deferred))
                    }
                }
                lock.lock()
                waiters.removeAll { answered.contains(ObjectIdentifier($0.deferred)) }
                let done = stopped && waiters.isEmpty
                lock.unlock()
                if done { return }
            }
        }
        thread.name = "portero.feed"
        self.thread = thread
        thread.start()
    }

    /// Keeps `waiter` until a change concerns it or its wait ends. Once stopping, nothing waits
    /// any more: the final answer goes out at once (the notifier's thread may be gone).
    package func wait(_ waiter: Waiter) {
        lock.lock()
        let stopping = stopped
        if !stopping { newcomers.append(waiter) }
        lock.unlock()
        if !stopping { wakeups.signal() }
        if stopping {
            waiter.deferred.complete(waiter.answer(true) ?? .error(503, "the core is stopping; ask again"))
        }
    }

    /// The change log may have grown: re-check the waiters now.
    package func changed() {
        lock.lock()
        pending = true
        lock.unlock()
        wakeups.signal()
    }

    /// Answers every waiter (empty batches) and ends the thread.
    package func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        wakeups.signal()
    }

    package var waiting: Int {
        lock.lock()
        defer { lock.unlock() }
        return waiters.count + newcomers.count
    }
}
