import CoreClient
import Foundation
import LinuxSystem
import PorteroModel
import Replica
import Service
import SyncWire
import Synchronization

/// Down: the feed thread follows the core's change feed and takes snapshots when needed.
extension SyncClient {
    func followFeed() {
        var failures = 0
        var store: ReplicaStore?
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
                if try replica.snapshotProgress() != nil || !replica.isBootstrapped() {
                    try bootstrap(client, replica)
                }
                if try replica.doorModesPending() { try takeDoorModes(client, replica) }
                if try replica.branchSetupPending() { try takeBranchSetup(client, replica) }
                let cursor = try replica.syncCursor()
                status.withLock { $0.cursor = cursor }
                log(.debug, "sync: asking for changes after \(cursor)")
                let response = try client.send(
                    "GET", "api/v1/sync/changes",
                    query: [("after", String(cursor)), ("wait", String(timing.longPollSeconds)), ("version", "2")])
                log(.debug, "sync: answer \(response.status), \(response.body.count) bytes")
                let batch = try JSONDecoder().decode(SyncBatch.self, from: response.body)
                noteContact(serverTime: batch.serverTime)
                if batch.snapshotRequired {
                    log(.notice, "sync: the core no longer holds changes after \(cursor); taking a snapshot")
                    try bootstrap(client, replica, restart: true)
                    continue
                }
                if batch.cursor != cursor || !batch.items.isEmpty {
                    let applied = try replica.apply(batch)
                    status.withLock { $0.cursor = batch.cursor }
                    log(.info, "sync: \(batch.items.count) change(s) applied, cursor \(batch.cursor)")
                    let modesChanged = batch.commands.contains { $0.command != .unlockOnce }
                    events.post(
                        .applied(
                            plansChanged: applied.plansChanged, modesChanged: modesChanged,
                            setupChanged: applied.setupChanged))
                }
                if !batch.commands.isEmpty { events.post(.commands(batch.commands, serverTime: batch.serverTime)) }
                failures = 0
            } catch let error as CoreClientError where error.status == 401 {
                noteError(
                    "the core refused this device's token (revoked, or enrolled again elsewhere): \(error.message)")
                pause(timing.maximumBackoffSeconds)
            } catch {
                // A batch that fails to apply rolled back: the cursor stays, the same batch comes again.
                failures += 1
                noteError("\(error)")
                pause(backoff(failures))
            }
        }
    }

    /// Pages of the branch's whole replica into the staging table, resuming where an interrupted
    /// one stopped, then swapped in at once.
    func bootstrap(_ client: CoreClient, _ replica: ReplicaStore, restart: Bool = false) throws {
        status.withLock { $0.snapshotInProgress = true }
        defer { status.withLock { $0.snapshotInProgress = false } }
        var after = restart ? 0 : (try replica.snapshotProgress()?.after ?? 0)
        if after == Int64.max { after = 0 }
        let started = clock.monotonic()
        var pages = 0
        let pageSize = timing.snapshotPage
        func fetch(_ after: Int64) -> Background<SyncSnapshotPage> {
            Background(self) {
                let response = try client.send(
                    "GET", "api/v1/sync/snapshot", query: [("after", String(after)), ("limit", String(pageSize))],
                    headers: ["Accept": SyncBinary.snapshotAccept])
                return try SyncBinary.decodeSnapshotPage(Array(response.body))
            }
        }
        // One page ahead: the next page is fetched and decoded while this one is staged.
        var pending = fetch(after)
        while !isStopping {
            let page = try pending.value()
            if let next = page.nextAfter { pending = fetch(next) }
            noteContact(serverTime: page.serverTime)
            try replica.stage(page, after: after)
            pages += 1
            guard let next = page.nextAfter else {
                try replica.finishSnapshot()
                let cursor = try replica.syncCursor()
                status.withLock { $0.cursor = cursor }
                events.post(.applied(plansChanged: true, modesChanged: false, setupChanged: false))
                log(
                    .notice,
                    String(
                        format: "sync: snapshot of %d page(s) applied in %.1f s; following changes after %lld", pages,
                        Double(clock.monotonic().nanoseconds(since: started)) / 1e9, cursor))
                return
            }
            after = next
        }
    }
}
