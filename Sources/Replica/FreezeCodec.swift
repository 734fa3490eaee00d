import PorteroModel

/// Freeze periods as text: `start-end` day numbers, comma separated; an open period is `start-`.
enum FreezeCodec {
    static func encode(_ freezes: [FreezePeriod]) -> String {
        freezes.map { "\($0.start.rawValue)-\($0.end.map { String($0.rawValue) } ?? "")" }.joined(separator: ",")
    }

    static func decode(_ text: String) -> [FreezePeriod]? {
        if text.isEmpty { return [] }
        var result: [FreezePeriod] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let start = Int32(parts[0]) else { return nil }
            if parts[1].isEmpty {
                result.append(FreezePeriod(start: LocalDay(rawValue: start)))
            } else {
                guard let end = Int32(parts[1]), end >= start else { return nil }
                result.append(FreezePeriod(start: LocalDay(rawValue: start), end: LocalDay(rawValue: end)))
            }
        }
        return result
    }
}
