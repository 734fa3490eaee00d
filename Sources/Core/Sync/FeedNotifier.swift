import Foundation
import HTTP
import PorteroModel

/// Long polls of the change feed: each waiting device is answered as soon as a change concerns
/// it, or with an empty batch when its wait runs out. One thread re-checks the waiters whenever
/// the change log may have grown (`changed()`, called after every write) and at least every second.
final class FeedNotifier: @unchecked Sendable {
    // @unchecked: `waiters`, `stopped` and `pending` are touched only under `condition`.
    struct Waiter {
        let deferred: HTTPDeferred
        let branch: BranchID
        let after: Int64
        let deadline: Date
    }

    private let condition = NSCondition()
    private var waiters: [Waiter] = []
    private var pending = false
    private var stopped = false
    private var thread: Thread?

    /// `answer` builds a waiter's batch (nil: nothing for it yet).
    func start(answer: @escaping @Sendable (_ branch: BranchID, _ after: Int64, _ final: Bool) -> HTTPResponse?) {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while !pending && !stopped { _ = condition.wait(until: Date().addingTimeInterval(1)); if waiters.contains(where: { $0.deadline <= Date() }) { break } }
                pending = false
                let current = waiters
                let stopping = stopped
                condition.unlock()
                var answered: [ObjectIdentifier] = []
                for waiter in current {
                    let expired = stopping || waiter.deadline <= Date()
                    if let response = answer(waiter.branch, waiter.after, expired) {
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

    func wait(_ waiter: Waiter) {
        condition.lock()
        waiters.append(waiter)
        condition.unlock()
    }

    /// The change log may have grown: re-check the waiters now.
    func changed() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    /// Answers every waiter (empty batches) and ends the thread.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiters.count
    }
}
