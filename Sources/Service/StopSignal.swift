import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stop that threads wait on: fired once, it ends every wait under way and every later one, so
/// a service's threads leave their pauses at once and can be joined.
///
/// Waits run on CLOCK_MONOTONIC: the condition's clock is set with `pthread_condattr_setclock`.
/// `NSCondition` waits until a wall-clock date: with the clock stepped back a day (NTP correcting
/// it), a one-second pause would last a day longer.
public final class StopSignal: @unchecked Sendable {
    // @unchecked: `fired` is read and written only with `mutex` held; the mutex and the condition
    // are pthread objects made to be shared between threads, allocated here and freed in deinit.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var fired = false

    public init() {
        var attributes = pthread_condattr_t()
        // These return an error number only for arguments glibc does not know (a programming error).
        precondition(pthread_condattr_init(&attributes) == 0)
        defer { pthread_condattr_destroy(&attributes) }
        precondition(pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC) == 0)
        precondition(pthread_cond_init(condition, &attributes) == 0)
        precondition(pthread_mutex_init(mutex, nil) == 0)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public var isFired: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return fired
    }

    public func fire() {
        pthread_mutex_lock(mutex)
        fired = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits `seconds` on the monotonic clock, or less when the signal fires.
    public func wait(seconds: Double) {
        guard seconds > 0 else { return }
        var deadline = timespec()
        precondition(clock_gettime(CLOCK_MONOTONIC, &deadline) == 0, "Linux always has CLOCK_MONOTONIC")
        // At most a year: a longer pause is a stop in all but name, and the sum stays in range.
        let nanoseconds = Int64(deadline.tv_nsec) + Int64((min(seconds, 31_536_000) * 1e9).rounded())
        deadline.tv_sec += Int(nanoseconds / 1_000_000_000)
        deadline.tv_nsec = Int(nanoseconds % 1_000_000_000)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        // A wake-up without the signal (spurious, or another waiter's) waits again for what is left.
        while !fired {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { return }
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
