import Dispatch
import PorteroModel
import Replica
import Service

extension SyncClient {
    /// At start and then once an hour, the journal's acknowledged events older than the
    /// retention go (on the upload thread's connection, in small transactions), so a branch's
    /// disk never fills with history. The retention is the chain's when headquarters sets one
    /// (read from the replica's setup each pass, so a change applies without a restart), else the file's.
    func pruneJournalIfDue(_ replica: ReplicaStore) {
        let now = DispatchTime.now().uptimeNanoseconds  // monotonic: a clock step moves nothing
        let due = nextPrune.withLock { next in
            guard now >= next else { return false }
            next = now + 3_600 * 1_000_000_000
            return true
        }
        guard due else { return }
        // The chain's retention, when headquarters sets one, overrides the controller's file.
        let days = replica.journalRetentionDays(otherwise: configuration.journalRetentionDays)
        let cutoff = Timestamp.now().adding(milliseconds: -Int64(days) * 86_400_000)
        do {
            // Thirty days of history a pass: a first pass over a long journal comes back in a minute
            // rather than holding the upload thread.
            let (pruned, more) = try replica.pruneJournalFully(before: cutoff, days: 30)
            if more { nextPrune.withLock { $0 = now + 60 * 1_000_000_000 } }
            if pruned > 0 { log(.info, "journal: \(pruned) acknowledged event(s) older than \(days) days pruned") }
        } catch {
            log(.error, "journal: pruning failed: \(error); tried again in an hour")
        }
    }
}
