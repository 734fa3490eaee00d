@testable import Daemon
import Crypto
import Foundation
import Hardware
import PorteroModel
import Readers
import Replica
import Service
import SyncWire
import Synchronization
import TestSupport
import Testing

/// The daemon's loop in this process, on simulated GPIO and a clock the test moves by hand:
/// `turn(maximumWait: 0)` handles what is ready and what is due at the clock's time, without
/// waiting, so every timing below is exact and no test sleeps.
@Suite struct BranchLoopTests {
    final class ManualClock: DaemonClock {
        private let now = Mutex((MonotonicInstant.milliseconds(1_000_000), Timestamp(seconds: 1_800_000_000)))
        func monotonic() -> MonotonicInstant { now.withLock { $0.0 } }
        func wall() -> Timestamp { now.withLock { $0.1 } }
        func advance(milliseconds: Int64) {
            now.withLock { $0 = ($0.0.adding(milliseconds: milliseconds), $0.1.adding(milliseconds: milliseconds)) }
        }
        /// NTP steps the wall clock; the monotonic one does not move.
        func stepWall(milliseconds: Int64) { now.withLock { $0.1 = $0.1.adding(milliseconds: milliseconds) } }
    }

    /// A branch of one door: relay on line 4 (a strike), contact on 5, exit button on 6.
    final class Branch {
        let directory: TemporaryDirectory
        let clock = ManualClock()
        let daemon: BranchDaemon
        let chip: SimulatedGPIOChip
        let path: String

        init(pulse: Int = 500, heldOpen: Int = 2_000, reusing: TemporaryDirectory? = nil) throws {
            directory = try reusing ?? TemporaryDirectory()
            path = directory.file("porterod.json")
            try Data(Self.pinKey).write(to: URL(fileURLWithPath: directory.file("pin.key")))
            try Self.configuration(directory, pulse: pulse, heldOpen: heldOpen).write(
                toFile: path, atomically: true, encoding: .utf8)
            var options = BranchDaemon.Options(configurationPath: path, simulateGPIO: true, simulateReaders: true)
            options.readsStandardInput = false
            // The log goes nowhere: one test reloads a bad file on purpose.
            let log = Log(minimum: .error, style: .plain, descriptor: FileHandle.nullDevice.fileDescriptor)
            daemon = try BranchDaemon(options: options, log: log, clock: clock)
            chip = try #require(try daemon.chips.chip("sim0") as? SimulatedGPIOChip)
        }

        static func configuration(_ directory: TemporaryDirectory, pulse: Int, heldOpen: Int) -> String {
            """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory.path)/data",
             "pin_key_file": "\(directory.path)/pin.key", "silent_alarm": {"chip": "sim0", "line": 7, "hold_s": 30},
             "policy": {"keypad_max_wrong": 3, "keypad_window_s": 60, "keypad_lockout_s": 120},
             "status": {"socket": "\(directory.path)/status.sock"},
             "doors": [{"id": 1, "name": "Entrada", "pulse_ms": \(pulse), "held_open_ms": \(heldOpen),
                        "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"},
                        "contact": {"chip": "sim0", "line": 5}, "exit_button": {"chip": "sim0", "line": 6}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
            """
        }

        static let pinKey = [UInt8](repeating: 7, count: 32)
        var released: Bool { chip.level(of: 4) }
        var silentAlarm: Bool { chip.level(of: 7) }

        /// Keys digits and # at the door's reader (a PIN-only keypad).
        func key(_ digits: String) {
            guard let reader = daemon.readers.first else { return }
            daemon.handle([.keys(Array(digits + "#"))], from: reader, now: clock.monotonic())
        }  // a fail-secure strike is energised to release
        var door: DoorController? { daemon.doors[DoorID(1)]?.controller }

        func advance(_ milliseconds: Int64) throws {
            clock.advance(milliseconds: milliseconds)
            try daemon.turn(maximumWait: 0)
        }

        func drive(_ line: UInt32, _ level: Bool) throws {
            chip.drive(line, level: level, at: clock.monotonic())
            try daemon.turn(maximumWait: 0)
        }
    }

    @Test func aPulseEndsOnTime() throws {
        let branch = try Branch(pulse: 500)
        #expect(!branch.released)
        try branch.drive(6, true)  // exit button pressed
        #expect(branch.released)
        try branch.drive(6, false)
        try branch.advance(499)
        #expect(branch.released, "still within the pulse")
        try branch.advance(1)
        #expect(!branch.released, "locked again at 500 ms exactly")
    }

    @Test func aDoorHeldOpenRaisesItsAlarmAtTheLimitAndClearsWhenClosed() throws {
        let branch = try Branch(pulse: 500, heldOpen: 2_000)
        try branch.drive(6, true)
        try branch.drive(6, false)
        try branch.drive(5, true)  // the door opens during the pulse: no alarm
        #expect(branch.door?.alarms.isEmpty == true)
        try branch.advance(1_999)
        #expect(branch.door?.alarms.isEmpty == true)
        try branch.advance(1)
        #expect(branch.door?.alarms == [.heldOpen])
        #expect(branch.daemon.statusJSON().contains(#""alarms":["held_open"]"#))
        #expect(branch.daemon.health == "ok")
        try branch.drive(5, false)
        #expect(branch.door?.alarms.isEmpty == true)
    }

    /// A batch from the core as the sync thread applies it: kept in the replica with its cursor,
    /// then the loop told.
    static func deliver(_ commands: [SyncDoorCommand], to branch: Branch, cursor: Int64) throws {
        let batch = SyncBatch(
            cursor: cursor, items: [], commands: commands, more: false, snapshotRequired: false,
            serverTime: branch.clock.wall())
        _ = try branch.daemon.store.apply(batch)
        branch.daemon.handleSync(
            [
                .applied(plansChanged: false, modesChanged: true, setupChanged: false),
                .commands(commands, serverTime: branch.clock.wall()),
            ],
            now: branch.clock.monotonic())
    }

    @Test func aReloadKeepsALockdownFromTheCoreAndTheCounts() throws {
        let branch = try Branch()
        let lockdown = SyncDoorCommand(
            id: 7, door: nil, command: .lockdown, reason: "simulacro", createdAt: branch.clock.wall())
        try Self.deliver([lockdown], to: branch, cursor: 1)
        #expect(branch.door?.mode == .lockdown)
        branch.daemon.present(
            .card(CardRead(format: .wedge, bits: 0, facility: nil, number: 99, credential: CardNumber(rawValue: 99))),
            at: "entrada", now: branch.clock.monotonic())
        #expect(branch.daemon.decisions == 1 && !branch.released)

        branch.daemon.reload(now: branch.clock.monotonic())
        #expect(branch.door?.mode == .lockdown, "a reload does not lift a lockdown")
        #expect(branch.daemon.decisions == 1)
        #expect(try branch.daemon.store.statistics().attendance == 1, "the journal is the same replica")
        try branch.drive(6, true)
        #expect(branch.released, "egress still works in lockdown")

        // A configuration that does not load leaves everything as it was.
        try "{".write(toFile: branch.path, atomically: true, encoding: .utf8)
        branch.daemon.reload(now: branch.clock.monotonic())
        #expect(branch.door?.mode == .lockdown && branch.daemon.doors.count == 1)

        let release = SyncDoorCommand(
            id: 8, door: nil, command: .release, reason: "fin", createdAt: branch.clock.wall())
        try Self.deliver([release], to: branch, cursor: 2)
        #expect(branch.door?.mode == .normal)
    }

    /// A lockdown outlives the daemon: a new one on the same replica (a restart, a watchdog
    /// restart, a power cut) starts with the door locked down, before any contact with the core.
    @Test func aLockdownOutlivesARestart() throws {
        var branch: Branch? = try Branch()
        let directory = try #require(branch?.directory)
        let lockdown = SyncDoorCommand(
            id: 3, door: 1, command: .lockdown, reason: "intruso", createdAt: Timestamp(seconds: 1_800_000_000),
            by: "Ana López")
        try Self.deliver([lockdown], to: try #require(branch), cursor: 5)
        #expect(branch?.door?.mode == .lockdown)
        branch?.daemon.teardown()
        branch = nil
        let again = try Branch(reusing: directory)
        #expect(again.door?.mode == .lockdown, "kept in the replica")
        #expect(try again.daemon.store.syncCursor() == 5)
        #expect(again.daemon.statusJSON().contains("lockdown"))
    }

    /// Free access for ten minutes ends by itself at its `until`, by the wall clock, and the
    /// door goes back to its standing mode; a door's own command wins over one for every door.
    @Test func aTimedModeEndsByItself() throws {
        let branch = try Branch()
        let now = branch.clock.wall()
        let free = SyncDoorCommand(
            id: 4, door: nil, command: .freeAccess, reason: "clase abierta", createdAt: now,
            until: now.adding(milliseconds: 600_000))
        try Self.deliver([free], to: branch, cursor: 1)
        #expect(branch.door?.mode == .freeAccess && branch.released, "free access holds the strike released")
        try branch.advance(599_000)
        #expect(branch.door?.mode == .freeAccess)
        try branch.advance(1_000)
        #expect(branch.door?.mode == .normal && !branch.released, "over at ten minutes")

        // A wall clock stepped back a day does not stretch a timed mode.
        let timed = SyncDoorCommand(
            id: 7, door: nil, command: .lockdown, reason: "simulacro", createdAt: branch.clock.wall(),
            until: branch.clock.wall().adding(milliseconds: 60_000))
        try Self.deliver([timed], to: branch, cursor: 3)
        #expect(branch.door?.mode == .lockdown)
        branch.clock.stepWall(milliseconds: -86_400_000)
        try branch.advance(60_000)
        #expect(branch.door?.mode == .normal, "over after its minute, by the monotonic clock")

        let everyDoor = SyncDoorCommand(id: 5, door: nil, command: .lockdown, reason: "simulacro", createdAt: now)
        let thisDoor = SyncDoorCommand(id: 6, door: 1, command: .release, reason: "la entrada sí", createdAt: now)
        try Self.deliver([everyDoor, thisDoor], to: branch, cursor: 4)
        #expect(branch.door?.mode == .normal, "the door's own release is its exception")
    }

    /// A duress PIN keyed alone admits, drives the silent-alarm line for its hold time (never at
    /// start), and unknown PINs lock the keypad until its lockout ends.
    @Test func aDuressPINDrivesTheSilentAlarmAndUnknownPINsLockTheKeypad() throws {
        let branch = try Branch()
        #expect(!branch.silentAlarm, "inactive from the start")
        let hasher = try PINHasher(key: Branch.pinKey)
        let staff = ReplicaUser(
            id: UserID(1), clave: 1, displayName: "Vigilante", active: true, roles: RoleSet([.administrator]),
            grantedHere: true, pin: PINDigest(bytes: try hasher.digest("4321")),
            duressPIN: PINDigest(bytes: try hasher.digest("9876")))
        try branch.daemon.store.apply([.replaceUser(staff, cards: [], subscriptions: [])])
        branch.key("9876")
        #expect(branch.released && branch.silentAlarm, "the door opens and the alarm goes up, silently")
        try branch.advance(10_000)
        branch.daemon.reload(now: branch.clock.monotonic())
        #expect(branch.silentAlarm, "a reload does not end it")
        try branch.advance(19_999)
        #expect(branch.silentAlarm)
        try branch.advance(1)
        #expect(!branch.silentAlarm, "held for its 30 s")

        for _ in 0..<3 { branch.key("0000") }
        try branch.advance(1_000)
        let before = branch.daemon.decisions
        branch.key("4321")
        #expect(branch.daemon.decisions == before && !branch.released, "a locked keypad tries no PIN")
        try branch.advance(120_000)
        branch.key("4321")
        #expect(branch.daemon.decisions == before + 1 && branch.released, "open again after its lockout")
    }
}
