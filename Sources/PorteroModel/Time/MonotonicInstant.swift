/// A point on the monotonic clock (CLOCK_MONOTONIC), in nanoseconds since an arbitrary start.
///
/// Reader timeouts, debouncing and door pulses run on it: it never jumps when the wall clock is
/// set, so a clock change cannot cut a frame short or hold a door open.
public struct MonotonicInstant: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(nanoseconds: Int64) { self.rawValue = nanoseconds }

    public static func milliseconds(_ ms: Int64) -> MonotonicInstant { MonotonicInstant(rawValue: ms &* 1_000_000) }
    public static func microseconds(_ us: Int64) -> MonotonicInstant { MonotonicInstant(rawValue: us &* 1000) }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public func adding(nanoseconds: Int64) -> MonotonicInstant { MonotonicInstant(rawValue: rawValue &+ nanoseconds) }
    public func adding(milliseconds: Int64) -> MonotonicInstant { adding(nanoseconds: milliseconds &* 1_000_000) }

    /// Nanoseconds from `earlier` to `self`.
    public func nanoseconds(since earlier: MonotonicInstant) -> Int64 { rawValue &- earlier.rawValue }

    public var description: String { "\(rawValue / 1_000_000).\(String(rawValue % 1_000_000 / 1000).leftPadded(3)) ms" }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
