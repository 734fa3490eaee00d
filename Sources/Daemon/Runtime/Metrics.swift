/// Counters and the decision-latency histogram, rendered in the Prometheus text format.
public struct Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds (frame to decision journalled).
    public static let latencyBuckets: [Double] = [0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25]

    public private(set) var decisions: [String: Int] = [:]
    public private(set) var latencyCounts: [Int]
    public private(set) var latencySum: Double = 0
    public private(set) var latencyCount = 0
    public private(set) var alarms: [String: Int] = [:]
    public private(set) var journalFailures = 0

    public init() { latencyCounts = Array(repeating: 0, count: Self.latencyBuckets.count) }

    public mutating func decision(reason: String, seconds: Double) {
        decisions[reason, default: 0] += 1
        latencySum += seconds
        latencyCount += 1
        for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { latencyCounts[index] += 1 }
    }

    public mutating func alarm(door: String, alarm: String) {
        alarms["door=\"\(Self.escape(door))\",alarm=\"\(alarm)\"", default: 0] += 1
    }

    public mutating func journalFailure() { journalFailures += 1 }

    /// Label values escaped as the exposition format requires.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// The exposition text; `gauges` and `readerErrors` come from the live state.
    public func render(readerErrors: [String: Int], gauges: [(name: String, help: String, value: Double)]) -> String {
        var lines: [String] = []
        lines += [
            "# HELP portero_decisions_total Access decisions by reason code.", "# TYPE portero_decisions_total counter",
        ]
        for (reason, count) in decisions.sorted(by: { $0.key < $1.key }) {
            lines.append("portero_decisions_total{reason=\"\(Self.escape(reason))\"} \(count)")
        }
        lines += [
            "# HELP portero_decision_latency_seconds From the credential read to the decision on disk.",
            "# TYPE portero_decision_latency_seconds histogram",
        ]
        for (index, bound) in Self.latencyBuckets.enumerated() {
            lines.append("portero_decision_latency_seconds_bucket{le=\"\(bound)\"} \(latencyCounts[index])")
        }
        lines.append("portero_decision_latency_seconds_bucket{le=\"+Inf\"} \(latencyCount)")
        lines.append("portero_decision_latency_seconds_sum \(latencySum)")
        lines.append("portero_decision_latency_seconds_count \(latencyCount)")
        lines += [
            "# HELP portero_reader_errors_total Rejected frames, failed opens and disconnections by reader.",
            "# TYPE portero_reader_errors_total counter",
        ]
        for (reader, count) in readerErrors.sorted(by: { $0.key < $1.key }) {
            lines.append("portero_reader_errors_total{reader=\"\(Self.escape(reader))\"} \(count)")
        }
        lines += ["# HELP portero_door_alarms_total Door alarms raised.", "# TYPE portero_door_alarms_total counter"]
        for (labels, count) in alarms.sorted(by: { $0.key < $1.key }) {
            lines.append("portero_door_alarms_total{\(labels)} \(count)")
        }
        lines += [
            "# HELP portero_journal_failures_total Decisions that could not be written to the journal.",
            "# TYPE portero_journal_failures_total counter", "portero_journal_failures_total \(journalFailures)",
        ]
        for gauge in gauges {
            lines += [
                "# HELP \(gauge.name) \(gauge.help)", "# TYPE \(gauge.name) gauge", "\(gauge.name) \(gauge.value)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
