import CoreClient
import Foundation
import LinuxSystem
import PorteroModel
import Replica
import Service
import SyncWire
import Synchronization

/// What the sync threads tell the door loop, through an eventfd it polls.
public final class SyncEvents: Sendable {
    public enum Event: Sendable {
        /// A batch or a snapshot changed the replica; plans, and the door modes kept from the
        /// core's lockdowns and free access, may have changed too.
        case applied(plansChanged: Bool, modesChanged: Bool, setupChanged: Bool)
        /// Door commands from the core, with how old each is by the core's clock.
        case commands([SyncDoorCommand], serverTime: Timestamp)
    }

    private let counter: EventCounter
    private let queue = Mutex<[Event]>([])

    public init() throws {
        counter = try EventCounter()
    }

    var descriptor: Int32 { counter.descriptor }

    func post(_ event: Event) {
        queue.withLock { $0.append(event) }
        counter.signal()
    }

    /// For benchmarks that watch the loop's side from outside it.
    public var descriptorForBenchmark: Int32 { counter.descriptor }
    public func drainForBenchmark() -> [Event] { drain() }

    func drain() -> [Event] {
        counter.reset()
        return queue.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }
}

public enum SyncClientError: Error, CustomStringConvertible {
    case notEnrolled
    public var description: String { "no device token: enrol first" }
}

/// The sync status the status endpoint shows.
public struct SyncStatus: Sendable, Encodable {
    public var cursor: Int64 = 0
    public var lastContact: Timestamp?
    public var lastError: String?
    /// The core's clock minus ours at the last answer, in seconds.
    public var clockSkewSeconds: Double?
    public var skewAlarm = false
    public var snapshotInProgress = false
    public var uploaded = 0
    /// When the device last sent the core its report (version, outbox depth, replica age).
    public var lastReport: Timestamp?
}

/// Sync with the core, on two threads of its own so door decisions never wait on the network:
/// one follows the change feed (long polls, snapshot when needed) and applies each batch with its
/// cursor in one transaction; the other uploads the outbox and drops only what the core
/// acknowledged. Each thread has its own connection to the replica. Failures back off
/// exponentially with jitter, up to a minute.
public final class SyncClient: Sendable {
    let configuration: DaemonConfiguration
    let log: Log
    let events: SyncEvents
    let status = Mutex(SyncStatus())
    /// Door alarms waiting to be reported (kept until the core has them).
    let alarms = Mutex<[SyncAlarm]>([])
    /// Each door's mode as the loop last set it, and whether the core has yet to hear of it.
    let doorStates = Mutex<(states: [SyncDoorState], unreported: Bool)>(([], false))
    /// When the journal is next pruned (monotonic nanoseconds; 0: at once).
    let nextPrune = Mutex<UInt64>(0)
    /// Set once by `stop()`; pauses wait on it.
    private let stopping = StopSignal()
    /// The clients the threads use, cancelled by `stop()`; a client made after the stop began
    /// is cancelled before its first request (both under this lock).
    private let clients = Mutex<(stopped: Bool, list: [CoreClient])>((false, []))
    /// Every thread this client started (feed, upload, and their one-request-ahead helpers).
    private let running = DispatchGroup()
    private let threads = Atomic<Int>(0)
    /// Tunables (tests shorten them).
    public struct Timing: Sendable {
        public var longPollSeconds = 25
        public var uploadIntervalSeconds = 1.0
        public var reportIntervalSeconds = 60.0
        public var maximumBackoffSeconds = 60.0
        public var skewAlarmSeconds = 120.0
        public var uploadBatch = 1_000
        public var snapshotPage = 5_000
        public init() {}
    }
    let timing: Timing
    /// Pauses, intervals and durations are measured on its monotonic clock; times recorded or
    /// compared with the core's are its wall clock.
    let clock: any DaemonClock

    public init(
        configuration: DaemonConfiguration, log: Log, events: SyncEvents, timing: Timing = Timing(),
        clock: any DaemonClock = SystemClock()
    ) {
        self.configuration = configuration
        self.log = log
        self.events = events
        self.timing = timing
        self.clock = clock
    }

    /// Starts the feed thread and, unless `upload` is false, the upload thread.
    public func start(upload: Bool = true) {
        let threads: [(String, @Sendable () -> Void)] =
            [("portero.sync.feed", followFeed)] + (upload ? [("portero.sync.upload", uploadOutbox)] : [])
        for (name, body) in threads {
            spawn(name, body)
        }
    }

    /// Runs `body` on a thread of its own that `stop()` waits for.
    func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        running.enter()
        threads.add(1, ordering: .relaxed)
        let thread = Thread { [self] in
            body()
            threads.subtract(1, ordering: .relaxed)
            running.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Threads of this client still running (none once `stop()` has returned).
    public var threadsRunning: Int { threads.load(ordering: .relaxed) }

    /// Stops the threads: no request starts after this begins, the requests in flight are
    /// cancelled at once (a long poll too), pauses end, and every thread is waited for, so none
    /// is left running while the process exits. A thread inside a replica transaction (a
    /// snapshot being swapped in) is let finish it.
    public func stop() {
        stopping.fire()
        let active = clients.withLock { clients in
            clients.stopped = true
            return clients.list
        }
        for client in active { client.cancel() }
        while running.wait(timeout: .now() + 5) == .timedOut {
            log(.warning, "sync: still waiting for \(threadsRunning) thread(s) to stop")
        }
    }

    /// The current sync status (cursor, last contact, errors).
    public var currentStatus: SyncStatus { status.withLock { $0 } }

    /// Takes a whole snapshot now, on the calling thread (benchmarks, tools).
    public func bootstrapNow() throws {
        guard let client = client(reusing: nil) else { throw SyncClientError.notEnrolled }
        try bootstrap(client, try openStore(), restart: true)
    }

    /// Applies feed batches now, on the calling thread, until the core has no more; returns the
    /// number of items applied.
    @discardableResult
    public func catchUpNow() throws -> Int {
        guard let client = client(reusing: nil) else { throw SyncClientError.notEnrolled }
        let replica = try openStore()
        var items = 0
        while true {
            let response = try client.send(
                "GET", "api/v1/sync/changes", query: [("after", String(try replica.syncCursor())), ("version", "2")])
            let batch = try JSONDecoder().decode(SyncBatch.self, from: response.body)
            guard !batch.snapshotRequired else { throw SyncClientError.notEnrolled }
            try replica.apply(batch)
            items += batch.items.count
            if !batch.more { return items }
        }
    }

    /// Uploads the whole outbox now, on the calling thread; returns how many events went up.
    @discardableResult
    public func uploadAllNow() throws -> Int {
        guard let client = client(reusing: nil) else { throw SyncClientError.notEnrolled }
        return try drainOutbox(client, try openStore(), maximumBatches: .max).acknowledged
    }

    /// Queues a door alarm for the core (the upload thread sends it within a second).
    public func report(_ alarm: SyncAlarm) {
        alarms.withLock { pending in
            pending.append(alarm)
            if pending.count > 1_000 { pending.removeFirst(pending.count - 1_000) }
        }
    }

    var isStopping: Bool { stopping.isFired }

    /// A client with the current token (the same one while the token file does not change, so
    /// its connections are reused), or nil (logged) while there is none.
    func client(reusing current: CoreClient?) -> CoreClient? {
        guard let core = configuration.core else { return nil }
        guard let data = FileManager.default.contents(atPath: core.tokenFile),
            let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !token.isEmpty
        else {
            noteError("no device token at \(core.tokenFile): enrol with `porterod enroll --core URL --code CODE`")
            return nil
        }
        if let current, current.token == token { return current }
        let client = CoreClient(
            baseURL: core.url, token: token, timeoutSeconds: Double(timing.longPollSeconds + 15), caFile: core.caFile)
        // The token changed (enrolled again): the calling thread's old client goes, with its
        // kept connections.
        current?.cancel()
        let stopped = clients.withLock { clients in
            clients.list.removeAll { $0.isCancelled }
            clients.list.append(client)
            return clients.stopped
        }
        if stopped { client.cancel() }
        return client
    }

    func openStore() throws -> ReplicaStore {
        try ReplicaStore(
            path: configuration.dataDirectory + "/replica.sqlite", branchID: configuration.branchID,
            timeZone: configuration.timeZone, policy: configuration.policy)
    }

    func noteError(_ message: String) {
        // A request cancelled because the daemon is stopping is not a fault to report.
        if isStopping { return }
        let changed = status.withLock { status -> Bool in
            defer { status.lastError = message }
            return status.lastError != message
        }
        if changed { log(.warning, "sync: \(message)") }
    }

    func noteContact(serverTime: Timestamp?) {
        let now = clock.wall()
        status.withLock { status in
            status.lastContact = now
            status.lastError = nil
            if let serverTime {
                let skew = Double(serverTime.milliseconds - now.milliseconds) / 1000
                status.clockSkewSeconds = skew
                let alarm = abs(skew) > timing.skewAlarmSeconds
                if alarm && !status.skewAlarm {
                    log(
                        .warning,
                        "sync: the core's clock and ours differ by \(Int(skew)) s; check NTP (decisions use our clock)")
                }
                status.skewAlarm = alarm
            }
        }
    }

    /// Sleeps `seconds` on the monotonic clock (a wall clock stepped back does not stretch it),
    /// waking at once when stopping.
    func pause(_ seconds: Double) {
        let until = clock.monotonic().adding(nanoseconds: Int64(seconds * 1e9))
        while !isStopping {
            let left = until.nanoseconds(since: clock.monotonic())
            if left <= 0 { return }
            stopping.wait(seconds: Double(left) / 1e9)
        }
    }

    /// The next wait after `failures` failures in a row: exponential with full jitter.
    func backoff(_ failures: Int) -> Double {
        let ceiling = min(timing.maximumBackoffSeconds, pow(2, Double(min(failures, 10))) * 0.5)
        return Double.random(in: ceiling / 2...ceiling)
    }
}

/// Work on a thread of its own whose result is waited for later (one request ahead); the
/// thread is one of the sync client's, so `stop()` waits for it too.
final class Background<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `result` is written once before `done` is signalled and read only after.
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    init(_ owner: SyncClient, _ work: @escaping @Sendable () throws -> Value) {
        owner.spawn("portero.sync.ahead") { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    /// Waits for the work and returns its value or throws its error.
    func value() throws -> Value {
        done.wait()
        done.signal()  // later calls return at once
        return try result!.get()  // safe: set before the signal
    }
}
