import Foundation

/// Local time in a branch's time zone: its day and the minute within that day.
public struct LocalTime: Hashable, Sendable, CustomStringConvertible {
    public let day: LocalDay
    /// Minutes since local midnight, 0..<1440.
    public let minuteOfDay: Int

    public init(day: LocalDay, minuteOfDay: Int) {
        self.day = day
        self.minuteOfDay = minuteOfDay
    }

    public var description: String {
        "\(day) \(Int64(minuteOfDay / 60).pad2):\(Int64(minuteOfDay % 60).pad2)"
    }
}

/// A time zone's UTC offsets as a table of transitions, so that converting an instant to local
/// time in the decision path is a binary search over integers, not a call into ICU.
///
/// Built once from the system's tz database (IANA identifiers such as `America/Mexico_City`).
/// Mexico abolished daylight saving in October 2022 and the table reflects that: the zone is
/// UTC−5 on summer days up to 2022 and UTC−6 from then on.
public struct ZoneRules: Sendable, Equatable {
    /// The IANA identifier.
    public let identifier: String
    /// Instants (seconds since the epoch, ascending) at which the offset changes.
    let transitions: [Int64]
    /// `offsets[i]` holds from `transitions[i - 1]` until `transitions[i]`; `offsets[0]` before the first.
    let offsets: [Int32]

    /// Why a time zone could not be used.
    public struct UnknownZone: Error, Equatable, CustomStringConvertible, Sendable {
        public let identifier: String
        public init(identifier: String) { self.identifier = identifier }
        public var description: String {
            "unknown time zone '\(identifier)' (expected an IANA name such as Europe/Madrid)"
        }
    }

    /// Reads the zone from the tz database, covering 1970 to `untilYear`.
    public init(identifier: String, untilYear: Int = 2100) throws {
        guard let zone = TimeZone(identifier: identifier),
            zone.identifier == identifier || TimeZone(identifier: zone.identifier) != nil
        else {
            throw UnknownZone(identifier: identifier)
        }
        let end = Date(
            timeIntervalSince1970:
                Double(LocalDay(year: untilYear, month: 12, day: 31)!.rawValue) * 86_400)  // safe: a valid date
        var cursor = Date(timeIntervalSince1970: 0)
        var transitions: [Int64] = []
        var offsets: [Int32] = [Int32(zone.secondsFromGMT(for: cursor))]
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            let offset = Int32(zone.secondsFromGMT(for: next))
            let instant = Int64(next.timeIntervalSince1970.rounded(.down))
            if offset != offsets.last {
                transitions.append(instant)
                offsets.append(offset)
            }
            cursor = next
        }
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
    }

    /// A zone with a fixed offset and no transitions (tests, and `UTC`).
    public init(fixedOffsetSeconds: Int32, identifier: String = "UTC") {
        self.identifier = identifier
        self.transitions = []
        self.offsets = [fixedOffsetSeconds]
    }

    /// Seconds to add to UTC to get local time at `instant`.
    public func offsetSeconds(at instant: Timestamp) -> Int32 {
        let seconds = instant.seconds
        // The number of transitions at or before `seconds` is the index of the offset in force.
        var low = 0
        var high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= seconds { low = mid + 1 } else { high = mid }
        }
        return offsets[low]
    }

    /// The local day and minute at `instant`.
    public func localTime(at instant: Timestamp) -> LocalTime {
        let local = instant.milliseconds &+ Int64(offsetSeconds(at: instant)) * 1000
        let day = LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: local.floorDiv(86_400_000)))
        return LocalTime(day: day, minuteOfDay: Int(local.floorMod(86_400_000) / 60_000))
    }

    /// The local day at `instant`.
    public func localDay(at instant: Timestamp) -> LocalDay { localTime(at: instant).day }

    /// The first instant of `day` here: local midnight, or the first instant after it when a
    /// clock change skips midnight. The start of a day, week or month whose visits are counted.
    public func start(of day: LocalDay) -> Timestamp {
        // Offsets lie within ±26 hours of UTC: the day starts inside this span. Search for the
        // first millisecond whose local day is `day` or later.
        let midnightUTC = Int64(day.rawValue) * 86_400_000
        var low = midnightUTC - 26 * 3_600_000
        var high = midnightUTC + 26 * 3_600_000
        while low < high {
            let mid = low + (high - low) / 2
            if localDay(at: Timestamp(milliseconds: mid)) >= day { high = mid } else { low = mid + 1 }
        }
        return Timestamp(milliseconds: low)
    }

    /// Number of offset changes in the table (for diagnostics).
    public var transitionCount: Int { transitions.count }
}

extension Timestamp {
    /// The wall clock now (CLOCK_REALTIME through Foundation), for decisions and journal rows.
    public static func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
