/// An instant, as whole milliseconds since 1970-01-01T00:00:00Z.
///
/// A plain integer so the access decision compares and subtracts instants without Foundation.
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// From milliseconds since the Unix epoch.
    public init(milliseconds: Int64) { self.rawValue = milliseconds }

    /// From whole seconds since the Unix epoch.
    public init(seconds: Int64) { self.rawValue = seconds.secondsAsMilliseconds }

    public var milliseconds: Int64 { rawValue }

    /// Whole seconds since the epoch, rounded toward negative infinity.
    public var seconds: Int64 { rawValue.floorDiv(1000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.rawValue < b.rawValue }

    /// This instant moved by `milliseconds`.
    public func adding(milliseconds: Int64) -> Timestamp { Timestamp(rawValue: rawValue &+ milliseconds) }

    public func adding(seconds: Int64) -> Timestamp { adding(milliseconds: seconds.secondsAsMilliseconds) }

    /// Milliseconds from `other` to `self` (negative when `other` is later).
    public func milliseconds(since other: Timestamp) -> Int64 { rawValue &- other.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2024-03-31T06:30:00.000Z`.
    public var description: String {
        let day = LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: rawValue.floorDiv(86_400_000)))
        let ms = rawValue.floorMod(86_400_000)
        let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
        return "\(day)T\(h.pad2):\(m.pad2):\(s.pad2).\(f < 10 ? "00" : f < 100 ? "0" : "")\(f)Z"
    }
}

extension Int64 {
    /// Seconds as milliseconds, saturating instead of trapping for absurd configured values.
    @inlinable public var secondsAsMilliseconds: Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: 1000)
        return overflow ? (self < 0 ? .min : .max) : product
    }

    /// Division rounding toward negative infinity.
    @inlinable func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0) && ((self < 0) != (d < 0)) ? q - 1 : q
    }

    /// Remainder with the sign of the divisor.
    @inlinable func floorMod(_ d: Int64) -> Int64 {
        let r = self % d
        return (r != 0 && (r < 0) != (d < 0)) ? r + d : r
    }

    var pad2: String { self < 10 ? "0\(self)" : "\(self)" }
}
