import PorteroModel
import SQLite

/// The journal's retention: acknowledged events older than the retention are deleted a day of
/// events per transaction, so a door's decision never waits long behind one. Kept whatever their
/// age: events the core has not acknowledged (still in the outbox), and granted entries of a
/// visit pack still in the replica (the pack counts them). Visit counts by day, week and month,
/// and anti-passback presence, live on the user's row, not in the journal.
extension ReplicaStore {
    /// The days the journal keeps acknowledged events: the chain's retention when the branch's
    /// setup from headquarters carries one (within 35 to 3650), else `fileDays` (the controller's
    /// `journal.retention_days`). Read at each pruning pass, so a change applies without a restart.
    public func journalRetentionDays(otherwise fileDays: Int) -> Int {
        guard let chain = (try? branchSetup())?.journalRetentionDays else { return fileDays }
        return min(max(chain, 35), 3_650)
    }

    /// Deletes the prunable events of `[from, to)`; returns how many.
    public func pruneJournal(from: Timestamp, to: Timestamp) throws -> Int {
        try db.transaction {
            try db.run(
                """
                DELETE FROM attendance WHERE id IN (
                    SELECT a.id FROM attendance a
                    WHERE a.at >= ?1 AND a.at < ?2
                        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = a.id)
                        AND NOT (a.granted = 1 AND a.subscription_id IS NOT NULL AND EXISTS (
                            SELECT 1 FROM subscriptions s JOIN plans p ON p.id = s.plan_id
                            WHERE s.id = a.subscription_id
                                AND json_extract(p.body, '$.visitLimit.perSubscription') IS NOT NULL)))
                """, from.milliseconds, to.milliseconds)
            return db.changes
        }
    }

    /// Prunes before `cutoff`, a day per transaction from the oldest event, for at most `days`
    /// days of events; returns how many went and whether older ones remain.
    @discardableResult
    public func pruneJournalFully(before cutoff: Timestamp, days: Int = 400) throws -> (pruned: Int, more: Bool) {
        let oldest: Int64? = try db.queryFirst("SELECT min(at) FROM attendance", map: { $0.int64(0) }) ?? nil
        guard var from = oldest.map(Timestamp.init(milliseconds:)), from < cutoff else { return (0, false) }
        var total = 0
        for _ in 0..<days {
            let to = min(cutoff, from.adding(milliseconds: 86_400_000))
            total += try pruneJournal(from: from, to: to)
            from = to
            if from >= cutoff { break }
        }
        if total > 0 { try db.checkpoint() }
        return (total, from < cutoff)
    }
}
