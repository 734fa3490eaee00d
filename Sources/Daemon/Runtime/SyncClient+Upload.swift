import CoreClient
import Foundation
import LinuxSystem
import PorteroModel
import Replica
import Service
import SyncWire
import Synchronization

/// Up: the upload thread sends the outbox, the changes made here, door alarms and reports.
extension SyncClient {
    func uploadOutbox() {
        var failures = 0
        var store: ReplicaStore?
        var nextReport: MonotonicInstant?
        var current: CoreClient?
        while !isStopping {
            do {
                guard let client = client(reusing: current) else {
                    pause(30)
                    continue
                }
                current = client
                let replica = try store ?? openStore()
                store = replica
                let (read, acknowledged) = try drainOutbox(client, replica, maximumBatches: 20)
                try sendLocalCommands(client, replica)
                if read > 0 {
                    status.withLock { $0.uploaded += acknowledged }
                    noteContact(serverTime: nil)
                }
                let waiting = alarms.withLock { $0 }
                if !waiting.isEmpty {
                    try client.send(
                        "POST", "api/v1/sync/alarms",
                        body: try JSONEncoder().encode(SyncAlarmUpload(alarms: Array(waiting.prefix(100)))),
                        contentType: "application/json")
                    alarms.withLock { $0.removeFirst(min($0.count, min(waiting.count, 100))) }
                }
                // A door's new mode goes up at once; the rest every report interval, due by the
                // monotonic clock. The replica's age is a difference of wall-clock times.
                let now = clock.monotonic()
                let doorsChanged = doorStates.withLock { $0.unreported }
                if doorsChanged || nextReport.map({ now >= $0 }) ?? true {
                    let wall = clock.wall()
                    let age = try replica.lastSyncedAt().map { wall.milliseconds(since: $0) / 1000 }
                    var report: [String: Any] = ["softwareVersion": "0.1.0", "outboxDepth": try replica.outboxDepth()]
                    if let age { report["replicaAgeSeconds"] = max(0, age) }
                    let doors = doorStates.withLock { state in
                        defer { state.unreported = false }
                        return state.states
                    }
                    report["doorModes"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(doors))
                    do { try client.send("POST", "api/v1/device/report", json: report) } catch {
                        if !doors.isEmpty { doorStates.withLock { $0.unreported = true } }  // tried again next time
                        throw error
                    }
                    nextReport = now.adding(nanoseconds: Int64(timing.reportIntervalSeconds * 1e9))
                    status.withLock { $0.lastReport = wall }
                }
                failures = 0
                // After the alarms and the report: history never holds up what is urgent.
                pruneJournalIfDue(replica)
                if read < 20 * timing.uploadBatch { pause(timing.uploadIntervalSeconds) }
            } catch let error as CoreClientError where error.status == 401 {
                noteError("the core refused this device's token: \(error.message); the outbox keeps every event")
                pause(timing.maximumBackoffSeconds)
            } catch {
                failures += 1
                noteError("upload: \(error)")
                pause(backoff(failures))
            }
        }
    }

    /// Sends the outbox in id order, one batch ahead: while the core stores batch N+1 we delete
    /// what it acknowledged of batch N, so both sides work at once. Only acknowledged ids leave
    /// the outbox; after a failure the unacknowledged ones are sent again (the core stores each
    /// id once). Returns how many events were read and how many the core acknowledged.
    func drainOutbox(_ client: CoreClient, _ replica: ReplicaStore, maximumBatches: Int) throws -> (
        read: Int, acknowledged: Int
    ) {
        typealias Flight = (sent: Set<EventID>, answer: Background<SyncUploadAnswer>)
        var read = 0, acknowledged = 0, batches = 0
        var last: EventID?
        var inFlight: Flight?
        /// Waits for a batch's answer and lets what the core holds of it leave the outbox.
        func settle(_ flight: Flight) throws {
            let answer = try flight.answer.value()
            try replica.acknowledge(answer.acknowledged.filter { flight.sent.contains($0) })
            acknowledged += answer.acknowledged.count
        }
        while !isStopping {
            let batch = batches < maximumBatches ? try replica.outboxBatch(after: last, limit: timing.uploadBatch) : []
            var next: Flight?
            if let final = batch.last {
                last = final.id
                batches += 1
                read += batch.count
                let body = Data(SyncBinary.encode(SyncUpload(events: batch)))
                next = (
                    Set(batch.map(\.id)),
                    Background(self) {
                        let response = try client.send(
                            "POST", "api/v1/sync/attendance", body: body, contentType: SyncBinary.mediaType)
                        return try JSONDecoder().decode(SyncUploadAnswer.self, from: response.body)
                    }
                )
            }
            if let previous = inFlight {
                do { try settle(previous) } catch {
                    _ = try? next?.answer.value()  // let the request under way finish before giving up
                    throw error
                }
            }
            inFlight = next
            if next == nil { break }
        }
        if let remaining = inFlight { try settle(remaining) }  // stopping with a batch still out
        return (read, acknowledged)
    }

    /// Sends the changes made here (cards given at reception) for the core to apply; each
    /// answered command leaves the queue, and a refused one is reported (the feed takes the
    /// provisional card away again).
    func sendLocalCommands(_ client: CoreClient, _ replica: ReplicaStore) throws {
        let commands = try replica.pendingLocalCommands()
        guard !commands.isEmpty else { return }
        let response = try client.send(
            "POST", "api/v1/sync/commands", body: try JSONEncoder().encode(SyncCommandUpload(commands: commands)),
            contentType: "application/json")
        let answer = try JSONDecoder().decode(SyncCommandAnswer.self, from: response.body)
        let asked = Set(commands.map(\.id))
        for result in answer.results where asked.contains(result.id) && !result.applied {
            log(.warning, "sync: the core refused command \(result.id) made here: \(result.message)")
        }
        try replica.acknowledgeLocalCommands(answer.results.map(\.id).filter { asked.contains($0) })
    }
}
