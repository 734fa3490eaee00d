import CLinux
import Dispatch
import Foundation
import HTTP
import Hardware
import LinuxSystem
import PorteroModel
import Readers
import Replica
import SQLite
#if canImport(Glibc)
import Glibc
import Service
#endif

/// porterod's service: readers → credential → replica look-up → decision → relay and feedback →
/// journal, for every door of the branch, in one poll loop on one thread.
public final class BranchDaemon {
    public struct Options: Sendable {
        public var configurationPath: String
        /// Simulated GPIO chips: relay changes are logged instead of driven.
        public var simulateGPIO: Bool
        /// Simulated readers: cards come from standard input as `READER CARD` lines.
        public var simulateReaders: Bool
        public init(configurationPath: String, simulateGPIO: Bool, simulateReaders: Bool) {
            self.configurationPath = configurationPath
            self.simulateGPIO = simulateGPIO
            self.simulateReaders = simulateReaders
        }
    }

    let options: Options
    let log: Log
    let notifier: SystemdNotifier
    private var configuration: DaemonConfiguration
    private var store: ReplicaStore
    private var service: AccessService
    private var pinHasher: PINHasher?
    private var chips: GPIOChipPool
    private var doors: [DoorID: DoorComponent] = [:]
    private var readers: [ReaderComponent] = []
    private var fireAlarm: (any InputLine)?
    private let signals: SignalEvents
    private var stdinBuffer: [UInt8] = []
    private var nextWatchdog: MonotonicInstant?
    private var running = true
    private(set) public var decisions = 0
    private var metrics = Metrics()
    private var statusServer: StatusServer?
    private var deviceMonitor: DeviceMonitor?
    private let started = MonotonicInstant.now()
    /// Sync with the core (nil when the configuration names no core).
    private var sync: SyncClient?
    private var syncEvents: SyncEvents?
    /// Remote unlock commands older than this (by the core's clock) are not carried out.
    static let unlockCommandMaxAgeMilliseconds: Int64 = 60_000

    public init(options: Options, log: Log = Log(), notifier: SystemdNotifier = SystemdNotifier()) throws {
        self.options = options
        self.log = log
        self.notifier = notifier
        let configuration = try DaemonConfiguration.load(path: options.configurationPath)
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        self.store = try ReplicaStore(
            path: configuration.dataDirectory + "/replica.sqlite", branchID: configuration.branchID,
            timeZone: configuration.timeZone, policy: configuration.policy)
        self.service = AccessService(store: store)
        self.chips = GPIOChipPool(simulated: options.simulateGPIO)
        self.signals = try SignalEvents()
        self.pinHasher = Self.loadPINKey(configuration, log: log)
        do {
            statusServer = try StatusServer(
                socketPath: configuration.status.socketPath, httpPort: configuration.status.httpPort, log: log)
        } catch {
            log(.warning, "status endpoint unavailable: \(error)")
        }
        do {
            deviceMonitor = try DeviceMonitor(udev: try Udev(), subsystems: ["tty", "input"])
        } catch {
            log(.notice, "udev hot-plug events unavailable (\(error)); unplugged readers are retried on a timer only")
        }
        if configuration.core != nil {
            let events = try SyncEvents()
            syncEvents = events
            var timing = SyncClient.Timing()
            timing.maximumBackoffSeconds = Double(configuration.core?.maxBackoffSeconds ?? 60)
            timing.skewAlarmSeconds = Double(configuration.core?.maxClockSkewSeconds ?? 120)
            sync = SyncClient(configuration: configuration, log: log, events: events, timing: timing)
        }
        build(now: .now())
    }

    static func loadPINKey(_ configuration: DaemonConfiguration, log: Log) -> PINHasher? {
        guard let path = configuration.pinKeyFile else { return nil }
        guard let key = FileManager.default.contents(atPath: path), let hasher = try? PINHasher(key: Array(key)) else {
            log(
                .warning,
                "PIN key \(path) is missing or shorter than 16 bytes: card-and-PIN doors will answer pin.required")
            return nil
        }
        return hasher
    }

    /// Wires doors, readers and the fire alarm from the configuration. A door whose lines cannot
    /// be had is reported and left out; the others work.
    private func build(now: MonotonicInstant) {
        for door in configuration.doors {
            let component = DoorComponent(configuration: door, log: log)
            do {
                try component.open(chips: chips)
                doors[door.door.id] = component
            } catch {
                component.release()
                log(.error, "door \(door.door.name): \(error); this door is out of service")
            }
        }
        if let line = configuration.fireAlarm {
            do {
                fireAlarm = try chips.chip(line.chip).requestInput(
                    offset: line.line, consumer: "porterod:fire", edges: .both, bias: line.bias,
                    activeLow: line.activeLow)
                if try fireAlarm?.isActive() == true { setFireAlarm(true, now: now) }
            } catch {
                log(.error, "fire alarm input: \(error)")
            }
        }
        readers = configuration.readers.map {
            ReaderComponent(configuration: $0, chips: chips, simulated: options.simulateReaders, log: log)
        }
        for reader in readers { reader.open(now: now) }
    }

    private func teardown() {
        for door in doors.values { door.release() }
        doors.removeAll()
        for reader in readers { reader.releaseTransport() }
        readers.removeAll()
        fireAlarm?.release()
        fireAlarm = nil
    }

    /// Runs until SIGTERM or SIGINT (or the end of standard input with simulated readers); every
    /// relay ends at its safe state.
    public func run() throws {
        notifier.ready(status: statusLine)
        log(.notice, "porterod \(statusLine)")
        if let interval = notifier.watchdogIntervalMilliseconds {
            nextWatchdog = MonotonicInstant.now().adding(milliseconds: interval)
        }
        sync?.start()
        defer { sync?.stop() }
        while running {
            try turn()
        }
        notifier.stopping()
        log(.notice, "stopping: every lock to its safe state")
        teardown()
    }

    var statusLine: String {
        "branch \(configuration.branchID): \(doors.count) door(s), "
            + "\(readers.filter(\.isOpen).count)/\(readers.count) reader(s) open"
            + "\(options.simulateGPIO ? ", simulated GPIO" : "")\(options.simulateReaders ? ", simulated readers" : "")"
    }

    /// One pass of the loop: wait for a descriptor or the nearest deadline, then handle both.
    func turn() throws {
        var descriptors: [Int32] = [signals.descriptor]
        if options.simulateReaders { descriptors.append(0) }
        for door in doors.values { descriptors += door.descriptors }
        for reader in readers { descriptors += reader.descriptors }
        if let fireAlarm { descriptors.append(fireAlarm.pollDescriptor) }
        descriptors += statusServer?.descriptors ?? []
        if let monitor = deviceMonitor { descriptors.append(monitor.pollDescriptor) }
        if let syncEvents { descriptors.append(syncEvents.descriptor) }
        let deadlines =
            doors.values.compactMap(\.deadline) + readers.compactMap(\.deadline)
            + [nextWatchdog, statusServer?.deadline].compactMap { $0 }
        let now = MonotonicInstant.now()
        let wait =
            deadlines.min().map { max(0, min(1_000, ($0.nanoseconds(since: now) + 999_999) / 1_000_000)) } ?? 1_000
        let ready = try Poller.ready(among: descriptors, timeoutMilliseconds: Int32(wait))
        let after = MonotonicInstant.now()
        for fd in ready {
            if fd == signals.descriptor {
                handleSignals(now: after)
            } else if fd == 0 {
                handleStandardInput(now: after)
            } else if fd == fireAlarm?.pollDescriptor {
                handleFireAlarm(now: after)
            } else if let events = syncEvents, fd == events.descriptor {
                handleSync(events.drain(), now: after)
            } else if fd == deviceMonitor?.pollDescriptor {
                // A device came: readers waiting for theirs try again now rather than at their backoff.
                if deviceMonitor?.receive().contains(where: { $0.action == .add }) == true {
                    for reader in readers where !reader.isOpen { reader.open(now: after) }
                }
            } else if let server = statusServer, server.descriptors.contains(fd) {
                server.handleReadable(fd, now: after) { self.respond(to: $0, now: after) }
            } else {
                for reader in readers where reader.descriptors.contains(fd) {
                    handle(reader.handleReadable(now: after), from: reader, now: after)
                }
                for door in doors.values where door.descriptors.contains(fd) {
                    apply(door.handleReadable(fd, now: after), to: door)
                }
            }
        }
        statusServer?.tick(now: after)
        for reader in readers { handle(reader.tick(now: after), from: reader, now: after) }
        for door in doors.values {
            apply(door.tick(now: after), to: door)
            if let timedOut = door.cardThenPIN.poll(after) {
                decideCardThenPIN(timedOut, at: door, reader: nil, now: after)
            }
        }
        if let due = nextWatchdog, after >= due, let interval = notifier.watchdogIntervalMilliseconds {
            notifier.watchdog()
            nextWatchdog = after.adding(milliseconds: interval)
        }
    }

    // MARK: Requests

    private func handle(_ events: [ReaderEvent], from reader: ReaderComponent, now: MonotonicInstant) {
        guard let door = doors[reader.configuration.doorID] else { return }
        for event in events {
            switch event {
            case let .card(read):
                if door.door.requiresPIN && reader.configuration.direction == .entry {
                    if let flushed = door.cardThenPIN.card(read, at: now) {
                        decideCardThenPIN(flushed, at: door, reader: reader, now: now)
                    }
                    log(
                        .info,
                        "door \(door.door.name) reader \(reader.name): card \(read.credential), waiting for the PIN")
                } else {
                    decide(.card(read.credential), pin: nil, at: door, reader: reader, now: now)
                }
            case let .keys(keys):
                for key in keys {
                    let input: KeyInput = key == "#" ? .hash : key == "*" ? .star : .character(key)
                    guard case let .submitted(digits)? = door.pinEntry.key(input, at: now) else { continue }
                    if door.cardThenPIN.isWaiting, let outcome = door.cardThenPIN.pin(digits, at: now) {
                        decideCardThenPIN(outcome, at: door, reader: reader, now: now)
                    } else if let hasher = pinHasher, let digest = try? hasher.digest(digits) {
                        decide(.pin(digest), pin: nil, at: door, reader: reader, now: now)
                    }
                }
            case let .rejected(rejection):
                log(.notice, "reader \(reader.name): rejected input: \(rejection)")
            case let .disconnected(reason):
                reader.close(reason: reason, now: now)
            }
        }
    }

    private func decideCardThenPIN(
        _ outcome: CardThenPIN.Outcome, at door: DoorComponent, reader: ReaderComponent?, now: MonotonicInstant
    ) {
        switch outcome {
        case let .cardWithPIN(read, digits):
            decide(.card(read.credential), pin: try? pinHasher?.digest(digits), at: door, reader: reader, now: now)
        case let .cardWithoutPIN(read):
            decide(.card(read.credential), pin: nil, at: door, reader: reader, now: now)
        }
    }

    /// The decision, durably journalled, then the door and the feedback. A failure to read or
    /// write the replica denies: the door stays shut.
    private func decide(
        _ presented: PresentedCredential, pin: PINDigest?, at door: DoorComponent, reader: ReaderComponent?,
        now: MonotonicInstant
    ) {
        let direction = reader?.configuration.direction ?? .entry
        let request = AccessRequest(doorID: door.door.id, direction: direction, presented: presented, pin: pin)
        var liveDoor = door.door
        liveDoor.mode = door.controller.mode
        let started = MonotonicInstant.now()
        do {
            let outcome = try service.handle(request, at: liveDoor, now: Timestamp.now())
            decisions += 1
            let decision = outcome.decision
            if decision.granted {
                door.noteGrant(user: decision.userID, direction: direction)
                apply(door.controller.grant(direction, at: now), to: door)
            }
            door.feedback(granted: decision.granted, now: now)
            reader?.feedback(granted: decision.granted)
            let elapsed = MonotonicInstant.now().nanoseconds(since: now)
            metrics.decision(reason: decision.reason.rawValue, seconds: Double(elapsed) / 1e9)
            let micros = MonotonicInstant.now().nanoseconds(since: started) / 1000
            log(
                decision.duress ? .warning : .info,
                "door \(door.door.name) reader \(reader?.name ?? "-"): \(describe(presented)) "
                    + "\(decision.reason.rawValue)\(decision.userID.map { " user \($0)" } ?? "")"
                    + "\(decision.duress ? " DURESS" : "") in \(micros) µs"
            )
        } catch let error as SQLiteError where error.isDiskFull {
            // The journal cannot grow: keep deciding from the replica (reads still work), raise
            // the alarm, and put the event in the system log so it is not lost.
            metrics.journalFailure()
            let wall = Timestamp.now()
            guard let (facts, state) = try? store.facts(for: presented) else {
                door.feedback(granted: false, now: now)
                log(.error, "door \(door.door.name): request refused, the replica cannot be read either: \(error)")
                return
            }
            let decision = PorteroModel.decide(
                request, door: liveDoor, context: store.context, facts: facts, state: state, now: wall)
            if decision.granted {
                door.noteGrant(user: decision.userID, direction: direction)
                apply(door.controller.grant(direction, at: now), to: door)
            }
            door.feedback(granted: decision.granted, now: now)
            reader?.feedback(granted: decision.granted)
            log(
                .error,
                "JOURNAL FULL, event kept here only: at=\(wall) door=\(door.door.id) "
                    + "direction=\(direction.rawValue) \(describe(presented)) reason=\(decision.reason.rawValue) "
                    + "user=\(decision.userID.map { "\($0)" } ?? "-")"
            )
        } catch {
            metrics.journalFailure()
            door.feedback(granted: false, now: now)
            reader?.feedback(granted: false)
            log(.error, "door \(door.door.name): request refused, the replica failed: \(error)")
        }
    }

    private func describe(_ presented: PresentedCredential) -> String {
        switch presented {
        case let .card(number): "card \(number)"
        case .pin: "PIN"
        }
    }

    private func apply(_ actions: [DoorAction], to door: DoorComponent) {
        for case let .alarm(alarm, true) in actions {
            metrics.alarm(door: door.door.name, alarm: alarm.rawValue)
            sync?.report(
                SyncAlarm(
                    door: door.door.id.rawValue, doorName: door.door.name, alarm: alarm.rawValue, at: Timestamp.now()))
        }
        for (user, direction) in door.perform(actions) {
            do {
                try store.recordPassage(of: user, direction: direction, now: Timestamp.now())
            } catch {
                log(.error, "door \(door.door.name): cannot count the passage of user \(user): \(error)")
            }
        }
    }

    // MARK: Sync

    /// What the sync threads did: re-read plans, carry out door commands.
    private func handleSync(_ events: [SyncEvents.Event], now: MonotonicInstant) {
        for event in events {
            switch event {
            case let .applied(plansChanged):
                if plansChanged {
                    do { try store.refreshPlans() } catch { log(.error, "sync: cannot re-read the plans: \(error)") }
                }
            case let .commands(commands, serverTime):
                for command in commands { carryOut(command, serverTime: serverTime, now: now) }
            }
        }
    }

    private func carryOut(_ command: SyncDoorCommand, serverTime: Timestamp, now: MonotonicInstant) {
        switch command.command {
        case .lockdown, .release:
            for door in doors.values where command.door == nil || command.door == door.door.id.rawValue {
                let mode = command.command == .lockdown ? DoorMode.lockdown : door.configuration.door.mode
                apply(door.controller.setMode(mode, at: now), to: door)
            }
            log(.warning, "remote \(command.command.rawValue) from the core (command \(command.id)): \(command.reason)")
        case .unlockOnce:
            let age = serverTime.milliseconds - command.createdAt.milliseconds
            guard let id = command.door, let door = doors[DoorID(id)] else {
                log(
                    .warning,
                    "remote unlock \(command.id) names door \(command.door.map(String.init) ?? "none"), "
                        + "which this branch does not have"
                )
                return
            }
            guard age <= Self.unlockCommandMaxAgeMilliseconds else {
                log(
                    .warning,
                    "remote unlock \(command.id) of door \(door.door.name) is \(age / 1000) s old; not carried out")
                return
            }
            apply(door.controller.grant(.entry, at: now), to: door)
            let event = AttendanceEvent(
                id: EventID(time: Timestamp.now()), at: Timestamp.now(), branchID: configuration.branchID,
                doorID: door.door.id,
                direction: .entry, credentialKind: .manual, cardNumber: nil, userID: nil, subscriptionID: nil,
                granted: true, reason: .grantedManual)
            do { try store.record(event, newState: nil) } catch {
                log(.error, "remote unlock: cannot journal it: \(error)")
            }
            log(
                .notice,
                "door \(door.door.name): unlocked once from the core (command \(command.id)): \(command.reason)")
        }
    }

    private func setFireAlarm(_ active: Bool, now: MonotonicInstant) {
        log(active ? .warning : .notice, "fire alarm \(active ? "active: every door released" : "over")")
        for door in doors.values { apply(door.controller.fireAlarm(active: active, at: now), to: door) }
    }

    private func handleFireAlarm(now: MonotonicInstant) {
        guard let line = fireAlarm, let events = try? line.readEvents(), let last = events.last else { return }
        setFireAlarm(last.rising, now: now)
    }

    // MARK: Status

    /// The status endpoint's answers, and the local changes (POST, Unix socket only).
    func respond(to request: HTTPRequest, now: MonotonicInstant) -> (Int, String, String) {
        if request.method == "POST" { return localChange(request, now: now) }
        return respond(to: request.path)
    }

    /// Changes made at the branch, offline or not: a manual check-in (journalled and uploaded like
    /// any decision, and the door released once) and a card given at reception (usable here at
    /// once, sent to the core as a command; the feed then brings what the core made of it).
    func localChange(_ request: HTTPRequest, now: MonotonicInstant) -> (Int, String, String) {
        func refuse(_ status: Int, _ message: String) -> (Int, String, String) {
            (status, "application/json", #"{"error":"# + quoted(message) + "}\n")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            let user = (object["user"] as? NSNumber)?.int64Value, user > 0
        else { return refuse(400, "a JSON body with a user id is required") }
        let wall = Timestamp.now()
        switch request.path {
        case "/checkin":
            let reason = ((object["reason"] as? String) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard (3...200).contains(reason.count) else {
                return refuse(400, "reason: say why, in 3 to 200 characters")
            }
            let doorID = (object["door"] as? NSNumber)?.int64Value ?? configuration.doors.first?.door.id.rawValue ?? 0
            guard let door = doors[DoorID(doorID)] else { return refuse(404, "no door \(doorID)") }
            do {
                guard try store.knows(UserID(user)) else {
                    return refuse(404, "user \(user) is not in this branch's replica")
                }
                var generator = SystemRandomNumberGenerator()
                let event = AttendanceEvent(
                    id: EventID(time: wall, using: &generator), at: wall, branchID: configuration.branchID,
                    doorID: door.door.id,
                    direction: .entry, credentialKind: .manual, cardNumber: nil, userID: UserID(user),
                    subscriptionID: nil,
                    granted: true, reason: .grantedManual)
                try store.record(event, newState: nil)
                door.noteGrant(user: UserID(user), direction: .entry)
                apply(door.controller.grant(.entry, at: now), to: door)
                log(.notice, "door \(door.door.name): manual check-in of user \(user) at the desk: \(reason)")
                return (201, "application/json", #"{"event":"\#(event.id)"}"# + "\n")
            } catch {
                return refuse(503, "the replica refused the check-in: \(error)")
            }
        case "/cards":
            guard let text = object["number"] as? String, let number = try? CardNumber(parsing: text) else {
                return refuse(400, "number: a card number such as 12345678, 0x00BC6146 or 188,24910")
            }
            do {
                let command = try store.enrollLocalCard(user: UserID(user), number: number, now: wall)
                log(.notice, "card \(number) given to user \(user) at the desk; sent to the core as command \(command)")
                return (202, "application/json", #"{"command":\#(command)}"# + "\n")
            } catch let error as LocalChangeError {
                return refuse(error.status, error.message)
            } catch {
                return refuse(503, "the replica refused the card: \(error)")
            }
        default:
            return refuse(404, "changes are POST /checkin or POST /cards")
        }
    }

    private func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// The status endpoint's answers.
    func respond(to path: String) -> (Int, String, String) {
        switch path {
        case "/health":
            return (200, "text/plain", health + "\n")
        case "/status":
            return (200, "application/json", statusJSON())
        case "/metrics":
            let outbox = (try? store.outboxDepth()) ?? -1
            let age =
                (try? store.lastSyncedAt()).flatMap { $0 }.map {
                    Double(Timestamp.now().milliseconds(since: $0)) / 1000
                } ?? -1
            let text = metrics.render(
                readerErrors: Dictionary(readers.map { ($0.name, $0.errors) }, uniquingKeysWith: +),
                gauges: [
                    ("portero_outbox_depth", "Attendance events waiting for the core.", Double(outbox)),
                    ("portero_replica_size_bytes", "The replica file and its log.", Double(store.sizeInBytes())),
                    ("portero_replica_age_seconds", "Since the last sync batch (-1: never).", age),
                    ("portero_readers_open", "Readers whose device is open.", Double(readers.filter(\.isOpen).count)),
                    (
                        "portero_doors_in_alarm", "Doors with an alarm raised.",
                        Double(doors.values.filter { !$0.controller.alarms.isEmpty }.count)
                    ),
                ])
            return (200, "text/plain; version=0.0.4", text)
        default:
            return (404, "text/plain", "not found: try /health, /status or /metrics\n")
        }
    }

    var health: String {
        let readersDown = readers.contains { !$0.isOpen }
        let doorsDown = doors.count < configuration.doors.count
        return readersDown || doorsDown || metrics.journalFailures > 0 ? "degraded" : "ok"
    }

    func statusJSON() -> String {
        let now = MonotonicInstant.now()
        struct DoorStatus: Encodable {
            var id: Int64
            var name: String
            var state: String
            var lock: String
            var alarms: [String]
        }
        struct ReaderStatus: Encodable {
            var name: String
            var door: Int64
            var open: Bool
            var lastFrameSecondsAgo: Double?
            var errors: Int
        }
        struct ReplicaStatus: Encodable {
            var sizeBytes: Int
            var syncCursor: Int64
            var ageSeconds: Double?
            var outboxDepth: Int
        }
        struct Status: Encodable {
            var health: String
            var branch: Int64
            var uptimeSeconds: Double
            var decisions: Int
            var journalFailures: Int
            var doors: [DoorStatus]
            var readers: [ReaderStatus]
            var replica: ReplicaStatus
            var sync: SyncStatus?
        }
        let wall = Timestamp.now()
        let status = Status(
            health: health, branch: configuration.branchID.rawValue,
            uptimeSeconds: Double(now.nanoseconds(since: started)) / 1e9,
            decisions: decisions, journalFailures: metrics.journalFailures,
            doors: doors.values.sorted { $0.door.id < $1.door.id }.map {
                DoorStatus(
                    id: $0.door.id.rawValue, name: $0.door.name, state: $0.controller.state.rawValue,
                    lock: $0.controller.lockReleased ? "released" : "locked",
                    alarms: $0.controller.alarms.map(\.rawValue).sorted())
            },
            readers: readers.map {
                ReaderStatus(
                    name: $0.name, door: $0.configuration.doorID.rawValue, open: $0.isOpen,
                    lastFrameSecondsAgo: $0.lastFrame.map { Double(now.nanoseconds(since: $0)) / 1e9 },
                    errors: $0.errors)
            },
            replica: ReplicaStatus(
                sizeBytes: store.sizeInBytes(), syncCursor: (try? store.syncCursor()) ?? 0,
                ageSeconds: (try? store.lastSyncedAt()).flatMap { $0 }.map {
                    Double(wall.milliseconds(since: $0)) / 1000
                },
                outboxDepth: (try? store.outboxDepth()) ?? -1),
            sync: sync?.status.withLock { $0 })
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(status), as: UTF8.self)).map { $0 + "\n" } ?? "{}\n"
    }

    // MARK: Signals and input

    private func handleSignals(now: MonotonicInstant) {
        for signal in signals.take() {
            switch signal {
            case SIGHUP: reload(now: now)
            default:
                log(.notice, "signal \(signal): stopping")
                running = false
            }
        }
    }

    /// SIGHUP: a valid new configuration replaces the old; a bad one is reported and the old stays.
    private func reload(now: MonotonicInstant) {
        notifier.reloading()
        do {
            let fresh = try DaemonConfiguration.load(path: options.configurationPath)
            guard fresh.branchID == configuration.branchID, fresh.dataDirectory == configuration.dataDirectory else {
                log(.error, "reload refused: the branch or the data directory changed; restart the service for that")
                notifier.ready(status: statusLine)
                return
            }
            teardown()
            configuration = fresh
            pinHasher = Self.loadPINKey(fresh, log: log)
            build(now: now)
            log(.notice, "configuration reloaded: \(statusLine)")
        } catch {
            log(.error, "reload refused, keeping the running configuration: \(error)")
        }
        notifier.ready(status: statusLine)
    }

    /// `--simulate`: lines `READER CARD` (or `READER keys 1234#`) act as that reader's input.
    private func handleStandardInput(now: MonotonicInstant) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = read(0, &chunk, chunk.count)
        if count <= 0 {
            log(.notice, "standard input closed: stopping")
            running = false
            return
        }
        stdinBuffer += chunk.prefix(count)
        while let newline = stdinBuffer.firstIndex(of: 10) {
            let line = String(decoding: stdinBuffer[..<newline], as: UTF8.self)
            stdinBuffer.removeSubrange(...newline)
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 2, let reader = readers.first(where: { $0.name == words[0] }) else {
                if !line.isEmpty {
                    log(.warning, "simulator: expected 'READER CARD' or 'READER keys DIGITS', got '\(line)'")
                }
                continue
            }
            if words[1] == "keys", words.count == 3 {
                handle([.keys(Array(words[2]))], from: reader, now: now)
            } else if let number = try? CardNumber(parsing: words[1]) {
                handle(
                    [
                        .card(
                            CardRead(
                                format: .wedge, bits: 0, facility: nil, number: number.rawValue, credential: number))
                    ], from: reader, now: now)
            } else {
                log(.warning, "simulator: '\(words[1])' is not a card number")
            }
        }
    }
}

@available(*, unavailable, message: "Runs on the thread that called run()")
extension BranchDaemon: Sendable {}
