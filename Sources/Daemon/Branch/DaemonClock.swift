import Hardware
import PorteroModel

/// The daemon's two clocks: monotonic for pulses, timeouts and deadlines (a wall-clock jump
/// cannot cut a pulse short or hold a door open), and the wall clock for what is journalled and
/// for the decision (schedules, subscriptions). Passed in, so the loop runs in tests with a clock
/// they move by hand.
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
