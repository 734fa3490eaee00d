import Service

/// Counters and the decision-latency histogram, rendered in the Prometheus text format.
public struct Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds (frame to decision journalled).
    public static let latencyBuckets: [Double] = [0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25]

    public private(set) var decisions: [String: Int] = [:]
    public private(set) var latencyCounts: [Int]
    public private(set) var latencySum: Double = 0
    public private(set) var latencyCount = 0
    public private(set) var alarms: [AlarmKey: Int] = [:]
    public private(set) var journalFailures = 0

    public init() { latencyCounts = Array(repeating: 0, count: Self.latencyBuckets.count) }

    public mutating func decision(reason: String, seconds: Double) {
        decisions[reason, default: 0] += 1
        latencySum += seconds
        latencyCount += 1
        for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { latencyCounts[index] += 1 }
    }

    public mutating func alarm(door: String, alarm: String) {
        alarms[AlarmKey(door: door, alarm: alarm), default: 0] += 1
    }

    public mutating func journalFailure() { journalFailures += 1 }

    /// A door alarm's labels.
    public struct AlarmKey: Hashable, Sendable {
        public let door: String
        public let alarm: String
    }

    /// The exposition text; `gauges` and `readerErrors` come from the live state.
    public func render(readerErrors: [String: Int], gauges: [(name: String, help: String, value: Double)]) -> String {
        var text = MetricsText()
        text.family("portero_decisions_total", "counter", "Access decisions by reason code.")
        for (reason, count) in decisions.sorted(by: { $0.key < $1.key }) {
            text.sample("portero_decisions_total", [("reason", reason)], count)
        }
        text.family(
            "portero_decision_latency_seconds", "histogram", "From the credential read to the decision on disk.")
        text.histogram(
            "portero_decision_latency_seconds", bounds: Self.latencyBuckets, cumulative: latencyCounts,
            count: latencyCount, sum: latencySum)
        text.family(
            "portero_reader_errors_total", "counter", "Rejected frames, failed opens and disconnections by reader.")
        for (reader, count) in readerErrors.sorted(by: { $0.key < $1.key }) {
            text.sample("portero_reader_errors_total", [("reader", reader)], count)
        }
        text.family("portero_door_alarms_total", "counter", "Door alarms raised.")
        for (key, count) in alarms.sorted(by: { ($0.key.door, $0.key.alarm) < ($1.key.door, $1.key.alarm) }) {
            text.sample("portero_door_alarms_total", [("door", key.door), ("alarm", key.alarm)], count)
        }
        text.family(
            "portero_journal_failures_total", "counter", "Decisions that could not be written to the journal.")
        text.sample("portero_journal_failures_total", [], journalFailures)
        for gauge in gauges { text.gauge(gauge.name, gauge.help, gauge.value) }
        return text.text
    }
}
