/// A zone's offset and a local clock as people read them beside a time.
extension ZoneRules {
    /// "UTC-6", "UTC+5:30", "UTC": the offset at `instant`.
    public func offsetLabel(at instant: Timestamp) -> String {
        let offset = Int(offsetSeconds(at: instant))
        guard offset != 0 else { return "UTC" }
        let minutes = abs(offset) % 3600 / 60
        let hours = "UTC\(offset < 0 ? "-" : "+")\(abs(offset) / 3600)"
        guard minutes != 0 else { return hours }
        return hours + (minutes < 10 ? ":0\(minutes)" : ":\(minutes)")
    }

    /// "12:00:07 UTC-6": the local time of day at `instant`, to the second, with the offset.
    public func clockLabel(at instant: Timestamp) -> String {
        let minute = localTime(at: instant).minuteOfDay
        let second = Int((instant.milliseconds / 1000) % 60 + 60) % 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(minute / 60)):\(two(minute % 60)):\(two(second)) \(offsetLabel(at: instant))"
    }
}
