import CLinux
import Crypto
import Dispatch
import Foundation
import HTTP
import Hardware
import LinuxSystem
import PorteroModel
import Readers
import Replica
import SQLite
import Service
import SyncWire
#if canImport(Glibc)
import Glibc
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
        /// Read `READER CARD` lines from standard input (with simulated readers, unless a test
        /// presents its input itself).
        public var readsStandardInput: Bool
        public init(configurationPath: String, simulateGPIO: Bool, simulateReaders: Bool) {
            self.configurationPath = configurationPath
            self.simulateGPIO = simulateGPIO
            self.simulateReaders = simulateReaders
            readsStandardInput = simulateReaders
        }
    }

    let options: Options
    let log: Log
    let notifier: SystemdNotifier
    var configuration: DaemonConfiguration
    var store: ReplicaStore
    var service: AccessService
    var pinHasher: PINHasher?
    var chips: GPIOChipPool
    var doors: [DoorID: DoorComponent] = [:]
    var readers: [ReaderComponent] = []
    var fireAlarm: (any InputLine)?
    let signals: SignalEvents
    var simulatorInput = SimulatorInput()
    var nextWatchdog: MonotonicInstant?
    var running = true
    public internal(set) var decisions = 0
    var metrics = Metrics()
    var statusServer: StatusServer?
    var deviceMonitor: DeviceMonitor?
    let clock: any DaemonClock
    let started: MonotonicInstant
    /// Sync with the core (nil when the configuration names no core).
    var sync: SyncClient?
    var syncEvents: SyncEvents?
    /// The duress output, when the configuration names one.
    var silentAlarm: SilentAlarm?
    /// Each door's count of unknown PINs keyed alone, by door.
    var keypads: [DoorID: KeypadGuard] = [:]
    /// How full the branch was at the last counted entry: an alarm goes up once per crossing.
    var occupancyLevel = OccupancyLevel.ok
    /// Lockdowns and free access from the core, as kept in the replica.
    var remoteModes = DoorModeTable()
    /// When the next of them ends by itself (wall clock).
    var modeExpiry: Timestamp?
    /// The wall and monotonic times of the last read of the modes (see `modeTime`).
    var modeClockBase: (wall: Timestamp, monotonic: MonotonicInstant)?
    /// Whether the doors' states went to the sync client since the start.
    var reportedDoors = false
    /// Remote unlock commands older than this (by the core's clock) are not carried out.
    static let unlockCommandMaxAgeMilliseconds: Int64 = 60_000

    public init(
        options: Options, log: Log = Log(), notifier: SystemdNotifier = SystemdNotifier(),
        clock: any DaemonClock = SystemClock()
    ) throws {
        self.options = options
        self.log = log
        self.notifier = notifier
        self.clock = clock
        started = clock.monotonic()
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
            sync = SyncClient(
                configuration: configuration, log: log, events: events, timing: timing, clock: clock)
        }
        build(now: clock.monotonic())
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
    func build(now: MonotonicInstant) {
        let setup = readBranchSetup()
        for door in configuration.doors {
            let component = DoorComponent(configuration: door, log: log, now: now)
            if configuration.core != nil { component.door = Self.settings(of: door, from: setup) }
            do {
                try component.open(chips: chips, now: now)
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
        if let line = configuration.silentAlarm {
            do {
                silentAlarm = try SilentAlarm(
                    configuration: line, holdSeconds: configuration.silentAlarmSeconds, chips: chips)
            } catch {
                log(.error, "silent alarm output: \(error); a duress PIN still reaches the core")
            }
        }
        readers = configuration.readers.map {
            ReaderComponent(configuration: $0, chips: chips, simulated: options.simulateReaders, log: log)
        }
        for reader in readers { reader.open(now: now) }
        store.context.calendar = BranchCalendar(setup?.calendar ?? [])
        takeOccupancy(from: setup)
        reportUnregistered()
        // The modes the core set outlive a reload, a restart and a power cut: they are in the replica.
        refreshDoorModes(now: now)
    }

    func teardown() {
        for door in doors.values { door.release() }
        doors.removeAll()
        for reader in readers { reader.releaseTransport() }
        readers.removeAll()
        fireAlarm?.release()
        fireAlarm = nil
        silentAlarm?.release()
        silentAlarm = nil
    }

    /// Runs until SIGTERM or SIGINT (or the end of standard input with simulated readers); every
    /// relay ends at its safe state.
    public func run() throws {
        notifier.ready(status: statusLine)
        log(.notice, "porterod \(statusLine)")
        if let interval = notifier.watchdogIntervalMilliseconds {
            nextWatchdog = clock.monotonic().adding(milliseconds: interval)
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

    /// One pass of the loop: wait for a descriptor or the nearest deadline (at most
    /// `maximumWait` milliseconds; a test with a hand-moved clock passes 0), then handle both.
    func turn(maximumWait: Int64 = 1_000) throws {
        var descriptors: [Int32] = [signals.descriptor]
        if options.readsStandardInput { descriptors.append(0) }
        for door in doors.values { descriptors += door.descriptors }
        for reader in readers { descriptors += reader.descriptors }
        if let fireAlarm { descriptors.append(fireAlarm.pollDescriptor) }
        descriptors += statusServer?.descriptors ?? []
        if let monitor = deviceMonitor { descriptors.append(monitor.pollDescriptor) }
        if let syncEvents { descriptors.append(syncEvents.descriptor) }
        let deadlines =
            doors.values.compactMap(\.deadline) + readers.compactMap(\.deadline)
            + [nextWatchdog, statusServer?.deadline, silentAlarm?.deadline].compactMap { $0 }
        let now = clock.monotonic()
        let wait =
            deadlines.min().map { max(0, min(maximumWait, ($0.nanoseconds(since: now) + 999_999) / 1_000_000)) }
            ?? maximumWait
        let ready = try Poller.ready(among: descriptors, timeoutMilliseconds: Int32(wait))
        let after = clock.monotonic()
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
                server.handleReadable(fd, now: after) { self.respond(to: $0, from: $1, now: after) }
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
        expireDoorModes(now: after)
        do { try silentAlarm?.tick(now: after) } catch { log(.error, "silent alarm output: \(error)") }
        if let due = nextWatchdog, after >= due, let interval = notifier.watchdogIntervalMilliseconds {
            notifier.watchdog()
            nextWatchdog = after.adding(milliseconds: interval)
        }
    }
}

@available(*, unavailable, message: "Runs on the thread that called run()")
extension BranchDaemon: Sendable {}
