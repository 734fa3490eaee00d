import CoreStorage
import Foundation
import HTTP
import LinuxSystem
import Service
import Synchronization

/// What `GET /metrics` reports, kept in this instance's memory (a restart begins again at zero,
/// as Prometheus expects of counters): every answer by route (see `RequestMetrics`), the
/// attendance events devices upload, and the cursor each device last asked the feed with.
public final class CoreMetrics: Sendable {
    /// Every answer of the router, by route pattern, method and status, and their durations.
    public let requests = RequestMetrics()
    /// Peers that may read the metrics (`metrics.allowed_addresses`).
    let allowed: [AddressRange]
    /// Attendance events stored from device uploads.
    private let uploaded = Atomic<Int>(0)
    /// The cursor each device last asked the change feed with, by device id (the feed is asked
    /// a few times a minute per device, so one lock is enough).
    private let cursors = Mutex<[Int64: Int64]>([:])
    /// The HTTP server's open connections, once the server is made.
    private let connections = Mutex<(@Sendable () -> Int)?>(nil)

    init(allowed: [AddressRange]) { self.allowed = allowed }

    /// Reports `count()` as the open connections in every scrape.
    public func countConnections(_ count: @escaping @Sendable () -> Int) { connections.withLock { $0 = count } }

    func allows(_ peer: String) -> Bool { allowed.contains { $0.contains(peer) } }

    func stored(_ events: Int) { uploaded.add(events, ordering: .relaxed) }

    func asked(device: Int64, after cursor: Int64) { cursors.withLock { $0[device] = cursor } }

    var uploadedEvents: Int { uploaded.load(ordering: .relaxed) }
    var openConnections: Int? { connections.withLock { $0 }?() }
    var askedCursors: [Int64: Int64] { cursors.withLock { $0 } }
}

extension CoreAPI {
    /// `GET /metrics`: Prometheus' text, for the peers `metrics.allowed_addresses` lists (the
    /// socket's peer, never a forwarded header); anyone else learns nothing is here (404). A
    /// request a trusted proxy forwarded (it says for whom) is someone else's, whatever the
    /// proxy's own address: a reverse proxy on the loopback does not open the metrics to its
    /// clients.
    package func declareMetricsRoute(_ router: inout Router) {
        router.add(.get, "/metrics") { [self] context in
            let request = context.request
            let forwarded = trustedProxies.contains(request.peer) && request.header("x-forwarded-for") != nil
            guard metrics.allows(request.peer), !forwarded else {
                return .error(404, "no such resource: \(request.path)")
            }
            return HTTPResponse(
                status: 200, headers: [("Content-Type", MetricsText.contentType)], body: Array(try metricsText().utf8))
        }
    }

    /// The scrape's text.
    package func metricsText() throws -> String {
        // The pool before the scrape borrows a connection of its own.
        let usage = pool.usage
        let (head, devices) = try pool.with { database in
            try database.db.read { (try database.sync.head(), try database.devices.devices(in: nil)) }
        }
        var text = MetricsText()
        let (counts, durations) = metrics.requests.snapshot()
        text.family("portero_core_requests_total", "counter", "Answers by route pattern, method and status.")
        for count in counts {
            text.sample(
                "portero_core_requests_total",
                [("route", count.route), ("method", count.method), ("status", String(count.status))], count.count)
        }
        text.family(
            "portero_core_request_duration_seconds", "histogram",
            "From the request read to its answer made (a long poll: to its answer given), by route pattern.")
        for route in durations {
            text.histogram(
                "portero_core_request_duration_seconds", [("route", route.route)], bounds: RequestMetrics.bounds,
                cumulative: route.buckets, count: route.count, sum: route.seconds)
        }
        if let open = metrics.openConnections {
            text.gauge("portero_core_open_connections", "Client connections open.", open)
        }
        text.gauge("portero_core_parked_long_polls", "Long polls waiting for a change.", feed.waiting)
        text.gauge("portero_core_feed_head", "The change log's newest sequence.", Int(head))
        text.family(
            "portero_core_device_lag", "gauge",
            "Changes between the feed's head and the cursor an enrolled device last asked with.")
        let cursors = metrics.askedCursors
        for device in devices where device.revokedAt == nil {
            guard let cursor = cursors[device.id] else { continue }
            text.sample(
                "portero_core_device_lag", [("device", String(device.id)), ("branch", String(device.branch.rawValue))],
                Int(max(0, head - cursor)))
        }
        text.family(
            "portero_core_uploaded_events_total", "counter", "Attendance events stored from device uploads.")
        text.sample("portero_core_uploaded_events_total", [], metrics.uploadedEvents)
        text.family("portero_core_database_connections", "gauge", "Database connections lent to requests, and idle.")
        text.sample("portero_core_database_connections", [("state", "in_use")], usage.inUse)
        text.sample("portero_core_database_connections", [("state", "idle")], usage.idle)
        if let process = ProcessStatistics.current() {
            text.gauge("process_resident_memory_bytes", "Resident memory in bytes.", process.residentBytes)
            text.gauge("process_open_fds", "Open file descriptors.", process.openDescriptors)
            text.gauge(
                "process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.",
                process.startTime)
            text.family("process_cpu_seconds_total", "counter", "User and system processor time in seconds.")
            text.sample("process_cpu_seconds_total", [], process.processorSeconds)
        }
        return text.text
    }
}
