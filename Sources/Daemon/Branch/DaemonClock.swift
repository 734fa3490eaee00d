import Hardware
import PorteroModel

/// The daemon's two clocks: monotonic for pulses, timeouts, deadlines and the sync client's pauses
/// and intervals (a wall-clock jump cannot cut a pulse short, hold a door open or hold back an
/// upload), and the wall clock for what is journalled, for the decision (schedules,
/// subscriptions) and for times compared with the core's. Passed in, so the loop and the sync
/// client run in tests with a clock they move by hand.
public protocol DaemonClock: Sendable {
    func monotonic() -> MonotonicInstant
    func wall() -> Timestamp
}

/// The system's clocks: CLOCK_MONOTONIC and the real-time clock.
public struct SystemClock: DaemonClock {
    public init() {}
    public func monotonic() -> MonotonicInstant { .now() }
    public func wall() -> Timestamp { .now() }
}
