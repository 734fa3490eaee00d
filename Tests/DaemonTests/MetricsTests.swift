import Daemon
import Testing

@Suite struct MetricsTests {
    @Test func histogramBucketsAreCumulativeAndCountsAreLabelled() {
        var metrics = Metrics()
        metrics.decision(reason: "granted", seconds: 0.0003)
        metrics.decision(reason: "granted", seconds: 0.004)
        metrics.decision(reason: "credential.unknown", seconds: 0.3)
        metrics.alarm(door: "Puerta \"A\"", alarm: "forced")
        let text = metrics.render(readerErrors: ["entrada": 2], gauges: [("portero_outbox_depth", "Waiting.", 5)])
        #expect(text.contains(#"portero_decisions_total{reason="granted"} 2"#))
        #expect(text.contains(#"portero_decisions_total{reason="credential.unknown"} 1"#))
        #expect(text.contains(#"portero_decision_latency_seconds_bucket{le="0.00025"} 0"#))
        #expect(text.contains(#"portero_decision_latency_seconds_bucket{le="0.0005"} 1"#))
        #expect(text.contains(#"portero_decision_latency_seconds_bucket{le="0.005"} 2"#))
        #expect(text.contains(#"portero_decision_latency_seconds_bucket{le="0.25"} 2"#))
        #expect(text.contains(#"portero_decision_latency_seconds_bucket{le="+Inf"} 3"#))
        #expect(text.contains("portero_decision_latency_seconds_count 3"))
        #expect(text.contains(#"portero_reader_errors_total{reader="entrada"} 2"#))
        #expect(text.contains(#"portero_door_alarms_total{door="Puerta \"A\"",alarm="forced"} 1"#))
        #expect(text.contains("# TYPE portero_outbox_depth gauge\nportero_outbox_depth 5.0"))
        #expect(text.hasSuffix("\n"))
    }
}
