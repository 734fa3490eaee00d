import CoreClient
import Foundation
import Replica
import Service
import SyncWire

extension SyncClient {
    /// After a snapshot, which carries no door commands, asks the core for the lockdowns and
    /// free-access modes in force and keeps them; the feed then brings any later ones in order.
    func takeDoorModes(_ client: CoreClient, _ replica: ReplicaStore) throws {
        let commands: [SyncDoorCommand]
        do {
            let response = try client.send("GET", "api/v1/sync/door-modes")
            commands = try JSONDecoder().decode([Lenient<SyncDoorCommand>].self, from: response.body).compactMap(
                \.value)
        } catch let error as CoreClientError where error.status == 404 {
            // A core that does not keep door modes has none to give.
            log(.notice, "sync: the core does not report door modes; none kept")
            commands = []
        }
        try replica.replaceDoorModes(commands)
        log(.info, "sync: \(commands.count) door mode command(s) in force taken from the core")
        events.post(.applied(plansChanged: false, modesChanged: true, setupChanged: false))
    }
}

extension SyncClient {
    /// The loop's doors as they stand now, for the next report (sent at once).
    public func reportDoors(_ states: [SyncDoorState]) {
        doorStates.withLock { $0 = (states, true) }
    }
}

extension SyncClient {
    /// After a snapshot, which carries no doors or calendar, asks the core for the branch's setup
    /// and keeps it; the feed then brings every later change of it whole.
    func takeBranchSetup(_ client: CoreClient, _ replica: ReplicaStore) throws {
        let response = try client.send("GET", "api/v1/sync/setup")
        let setup = try JSONDecoder().decode(SyncBranchSetup.self, from: response.body)
        try replica.replaceBranchSetup(setup)
        log(
            .info,
            "sync: \(setup.doors.count) door(s) and \(setup.calendar.count) calendar day(s) taken from the core")
        events.post(.applied(plansChanged: false, modesChanged: false, setupChanged: true))
    }
}
