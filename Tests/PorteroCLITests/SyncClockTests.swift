import CoreClient
import Daemon
import Foundation
import PorteroModel
import Replica
import Service
import Synchronization
import SyncWire
import Testing
import TestSupport

/// The sync client waits on the monotonic clock: a wall clock stepped back (NTP correcting a
/// clock that ran a day ahead) neither stops the uploads nor delays them until it catches up.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct SyncClockTests {
    /// The system's monotonic clock, and a wall clock the test steps.
    final class SteppedWallClock: DaemonClock {
        private let offset = Atomic<Int64>(0)
        func monotonic() -> MonotonicInstant { .now() }
        func wall() -> Timestamp {
            Timestamp(milliseconds: Timestamp.now().milliseconds + offset.load(ordering: .relaxed))
        }
        func step(milliseconds: Int64) { offset.add(milliseconds, ordering: .relaxed) }
    }

    /// Door alarms the core has audited.
    static func alarmsAudited(_ admin: CoreClient) throws -> Int {
        let answer = try admin.send("GET", "api/v1/audit", query: [("limit", "1000")]).json() as? [String: Any]
        let entries = answer?["entries"] as? [[String: Any]] ?? []
        return entries.filter { $0["action"] as? String == "alarm.door" }.count
    }

    @Test func uploadsKeepTheirScheduleWhenTheWallClockStepsBackADay() throws {
        let branch = try SyncStopTests.Branch()
        let configuration = try DaemonConfiguration.load(path: branch.configurationPath)
        let replica = try ReplicaStore(
            path: configuration.dataDirectory + "/replica.sqlite", branchID: configuration.branchID,
            timeZone: configuration.timeZone)
        var timing = SyncClient.Timing()
        timing.longPollSeconds = 1
        timing.uploadIntervalSeconds = 1
        timing.reportIntervalSeconds = 1
        let clock = SteppedWallClock()
        let client = SyncClient(
            configuration: configuration, log: Log(minimum: .error), events: try SyncEvents(), timing: timing,
            clock: clock)
        client.start()
        defer { client.stop() }

        func journal() throws {
            let now = clock.wall()
            try replica.record(
                AttendanceEvent(
                    id: EventID(time: now), at: now, branchID: configuration.branchID, doorID: DoorID(1),
                    direction: .entry, credentialKind: .card, cardNumber: CardNumber(rawValue: 777),
                    userID: nil, subscriptionID: nil, granted: false, reason: .credentialUnknown),
                newState: nil)
        }
        func alarm() {
            client.report(SyncAlarm(door: 1, doorName: "Entrada", alarm: "held_open", at: clock.wall()))
        }

        try journal()
        alarm()
        #expect(try eventually(within: 10) { try replica.outboxDepth() == 0 }, "the first event goes up")
        #expect(try eventually(within: 10) { try Self.alarmsAudited(branch.admin) == 1 }, "the first alarm goes up")
        #expect(eventually(within: 10) { client.currentStatus.lastReport != nil }, "the device reports")
        let reportedBefore = try #require(client.currentStatus.lastReport)

        // The upload thread is in its one-second pause when the wall clock goes back a day.
        clock.step(milliseconds: -86_400_000)
        let stepped = clock.wall()
        #expect(stepped < reportedBefore)
        try journal()
        alarm()
        // Within the pause that was under way and the next one, not a day later.
        #expect(try eventually(within: 4) { try replica.outboxDepth() == 0 }, "attendance still goes up")
        #expect(try eventually(within: 4) { try Self.alarmsAudited(branch.admin) == 2 }, "door alarms still go up")
        #expect(
            eventually(within: 4) {
                client.currentStatus.lastReport.map { $0 >= stepped && $0 < reportedBefore } ?? false
            },
            "reports keep their interval; their time is the wall clock's")
    }
}
