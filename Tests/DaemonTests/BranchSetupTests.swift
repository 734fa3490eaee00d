@testable import Daemon
import Foundation
import Hardware
import PorteroModel
import Readers
import Replica
import Service
import SyncWire
import TestSupport
import Testing

/// An enrolled controller's doors take their settings and the branch's calendar from
/// headquarters through the feed: the file holds only the wiring, an undefined door refuses
/// entries, and a batch that brings new settings changes the next decision.
@Suite struct BranchSetupTests {
    typealias ManualClock = BranchLoopTests.ManualClock

    final class Branch {
        let directory: TemporaryDirectory
        let clock = ManualClock()
        let daemon: BranchDaemon
        let chip: SimulatedGPIOChip
        let path: String
        var cursor: Int64 = 0

        init(reusing: TemporaryDirectory? = nil) throws {
            directory = try reusing ?? TemporaryDirectory()
            path = directory.file("porterod.json")
            try "pd_test".write(toFile: directory.file("device.token"), atomically: true, encoding: .utf8)
            try """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory.path)/data",
             "core": {"url": "http://127.0.0.1:9/", "token_file": "\(directory.path)/device.token"},
             "status": {"socket": "\(directory.path)/status.sock"},
             "doors": [{"id": 1, "pulse_ms": 500, "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"},
                        "exit_button": {"chip": "sim0", "line": 6}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1},
                         {"name": "salida", "kind": "wedge", "device": "/dev/null", "door": 1, "direction": "out"}]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
            var options = BranchDaemon.Options(configurationPath: path, simulateGPIO: true, simulateReaders: true)
            options.readsStandardInput = false
            let log = Log(minimum: .error, style: .plain, descriptor: FileHandle.nullDevice.fileDescriptor)
            daemon = try BranchDaemon(options: options, log: log, clock: clock)
            chip = try #require(try daemon.chips.chip("sim0") as? SimulatedGPIOChip)
        }

        /// A receptionist of this branch with card 5 (staff pass on any plan).
        func addStaff() throws {
            let card = Credential(id: CredentialID(1), userID: UserID(1), card: CardNumber(rawValue: 5))
            try daemon.store.apply([.replaceUser(BranchSetupTests.staff, cards: [card], subscriptions: [])])
        }

        /// A batch with the branch's setup, applied as the sync thread does, then the loop told.
        func deliver(_ setup: SyncBranchSetup) throws {
            cursor += 1
            let batch = SyncBatch(
                cursor: cursor, items: [.branchSetup(setup)], commands: [], more: false, snapshotRequired: false,
                serverTime: clock.wall())
            let applied = try daemon.store.apply(batch)
            #expect(applied.setupChanged)
            daemon.handleSync(
                [.applied(plansChanged: false, modesChanged: false, setupChanged: true)], now: clock.monotonic())
        }

        /// The reason journalled for a card at a reader.
        func present(_ number: UInt64, at reader: String = "entrada") throws -> ReasonCode? {
            clock.advance(milliseconds: 1_000)  // one event per second: the newest is this one
            daemon.present(
                .card(
                    CardRead(
                        format: .wedge, bits: 0, facility: nil, number: number,
                        credential: CardNumber(rawValue: number))),
                at: reader, now: clock.monotonic())
            return try daemon.store.recentAttendance(limit: 1).first?.reason
        }

        /// Seven in the morning of a Wednesday (2027-01-13) in Mexico City, UTC-6.
        static let wednesday = day(2027, 1, 13)
        func moveTo(_ day: LocalDay, hour: Int, minute: Int = 0) {
            let target = Timestamp(seconds: Int64(day.rawValue) * 86_400 + Int64((hour + 6) * 3600 + minute * 60))
            clock.stepWall(milliseconds: target.milliseconds - clock.wall().milliseconds)
        }
    }

    static func day(_ year: Int, _ month: Int, _ day: Int) -> LocalDay { LocalDay(year: year, month: month, day: day)! }

    static let staff = ReplicaUser(
        id: UserID(1), clave: 1, displayName: "Recepción", active: true, roles: RoleSet([.reception]),
        grantedHere: true)

    static func setup(schedule: String? = nil, direction: DoorDirection = .both, calendar: [CalendarDay] = [])
        throws -> SyncBranchSetup
    {
        SyncBranchSetup(
            doors: [
                SyncDoor(
                    id: 1, name: "Torniquete", direction: direction,
                    schedule: try schedule.map { try WeeklySchedule(parsing: $0) })
            ], calendar: calendar)
    }

    @Test func anUndefinedDoorRefusesEntriesAndLetsPeopleOut() throws {
        let branch = try Branch()
        try branch.addStaff()
        #expect(branch.daemon.doors[DoorID(1)]?.door.registered == false)
        #expect(try branch.present(5) == .doorUnregistered)
        #expect(!branch.chip.level(of: 4), "the strike stays locked")
        let exitReason = try branch.present(5, at: "salida")
        #expect(exitReason == .grantedExit, "nobody is kept inside: \(String(describing: exitReason))")

        try branch.deliver(try Self.setup())
        #expect(branch.daemon.doors[DoorID(1)]?.door.name == "Torniquete")
        #expect(try branch.present(5) == .grantedStaff)
    }

    @Test func aScheduleAndACalendarFromHeadquartersChangeTheNextDecision() throws {
        let branch = try Branch()
        try branch.addStaff()
        try branch.deliver(try Self.setup())
        branch.moveTo(Branch.wednesday, hour: 5)
        #expect(try branch.present(5) == .grantedStaff, "no schedule: always open")

        try branch.deliver(try Self.setup(schedule: "mon-fri 06:00-22:00"))
        let early = try branch.present(5)
        #expect(early == .doorClosed, "before six on a weekday: \(String(describing: early)) at \(branch.clock.wall())")
        branch.moveTo(Branch.wednesday, hour: 6)
        #expect(try branch.present(5) == .grantedStaff)

        // Headquarters closes the branch that Wednesday, then gives it special hours instead.
        let closed = CalendarDay(day: Branch.wednesday, hours: nil, note: "Día festivo")
        try branch.deliver(try Self.setup(schedule: "mon-fri 06:00-22:00", calendar: [closed]))
        #expect(try branch.present(5) == .branchClosed)
        #expect(try branch.present(5, at: "salida") == .grantedExit)
        let short = CalendarDay(day: Branch.wednesday, hours: try DailyHours(parsing: "08:00-09:00"), note: "Medio día")
        try branch.deliver(try Self.setup(schedule: "mon-fri 06:00-22:00", calendar: [short]))
        #expect(try branch.present(5) == .doorClosed, "special hours replace the weekly schedule that day")
        branch.moveTo(Branch.wednesday, hour: 8, minute: 30)
        #expect(try branch.present(5) == .grantedStaff)
        branch.moveTo(Branch.wednesday.adding(days: 1), hour: 7)
        #expect(try branch.present(5) == .grantedStaff, "the next day has its weekly hours again")

        // An entrance only: its exit reader refuses.
        try branch.deliver(try Self.setup(direction: .entryOnly))
        #expect(try branch.present(5, at: "salida") == .doorWrongDirection)
    }

    @Test func theSetupOutlivesARestartAndAReload() throws {
        let directory = try TemporaryDirectory()
        do {
            let branch = try Branch(reusing: directory)
            try branch.addStaff()
            let closed = CalendarDay(day: Branch.wednesday, hours: nil, note: "Día festivo")
            try branch.deliver(try Self.setup(calendar: [closed]))
            branch.daemon.teardown()
        }
        let branch = try Branch(reusing: directory)
        branch.moveTo(Branch.wednesday, hour: 9)
        #expect(branch.daemon.doors[DoorID(1)]?.door.name == "Torniquete")
        #expect(try branch.present(5) == .branchClosed, "kept in the replica: no core needed after a restart")
        branch.daemon.reload(now: branch.clock.monotonic())
        #expect(try branch.present(5) == .branchClosed, "and after a reload")
    }

    @Test func anEnrolledControllersFileHoldsOnlyTheWiring() throws {
        let directory = try TemporaryDirectory()
        let text = """
            {"branch": {"id": 1, "time_zone": "UTC"}, "core": {"url": "https://core.example/", "token_file": "/t"},
             "doors": [{"id": 1, "schedule": "daily 06:00-22:00",
                        "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}]}
            """
        #expect {
            try DaemonConfiguration.parse(Data(text.utf8), file: directory.file("porterod.json"))
        } throws: { error in
            "\(error)".contains("doors[0].schedule") && "\(error)".contains("headquarters")
        }
    }
}
