import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// Long polls: the change feed's devices and the web UI's live attendance. Each waiter is
/// answered as soon as its `answer` has something, or finally when its wait runs out. One thread
/// re-checks the waiters whenever the database may have changed (`changed()`, called after every
/// write) and at least every second.
package final class FeedNotifier: @unchecked Sendable {
    // @unchecked: `waiters`, `stopped` and `pending` are touched only under `condition`.
    package struct Waiter {
        let deferred: HTTPDeferred
        let deadline: Date
        /// The answer now, or nil for nothing yet; `final` (the wait is over) must answer.
        let answer: @Sendable (_ final: Bool) -> HTTPResponse?

        package init(
            deferred: HTTPDeferred, deadline: Date, answer: @escaping @Sendable (_ final: Bool) -> HTTPResponse?
        ) {
            self.deferred = deferred
            self.deadline = deadline
            self.answer = answer
        }
    }

    private let condition = NSCondition()
    private var waiters: [Waiter] = []
    private var pending = false
    private var stopped = false
    private var thread: Thread?

    /// Starts the thread that answers the waiters.
    package func start() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while !pending && !stopped {
                    _ = condition.wait(until: Date().addingTimeInterval(1))
                    if waiters.contains(where: { $0.deadline <= Date() }) { break }
                }
                pending = false
                let current = waiters
                let stopping = stopped
                condition.unlock()
                var answered: [ObjectIdentifier] = []
                for waiter in current {
                    let expired = stopping || waiter.deadline <= Date()
                    if let response = waiter.answer(expired) {
                        waiter.deferred.complete(response)
                        answered.append(ObjectIdentifier(waiter.deferred))
                    }
                }
                condition.lock()
                waiters.removeAll { answered.contains(ObjectIdentifier($0.deferred)) }
                let done = stopped && waiters.isEmpty
                condition.unlock()
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
        condition.lock()
        let stopping = stopped
        if !stopping { waiters.append(waiter) }
        condition.unlock()
        if stopping {
            waiter.deferred.complete(waiter.answer(true) ?? .error(503, "the core is stopping; ask again"))
        }
    }

    /// The change log may have grown: re-check the waiters now.
    package func changed() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    /// Answers every waiter (empty batches) and ends the thread.
    package func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    package var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiters.count
    }
}
