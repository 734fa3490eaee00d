import PorteroModel
import SQLite

/// The journal's retention: acknowledged events older than the retention are deleted, in small
/// transactions so a door's decision never waits long behind one. Kept whatever their age: events
/// the core has not acknowledged (still in the outbox), and granted entries of a subscription
/// still in the replica (a pack counts them).
extension ReplicaStore {
    /// Deletes up to `limit` prunable events older than `cutoff`; returns how many. Call again
    /// while it returns `limit`.
    public func pruneJournal(before cutoff: Timestamp, limit: Int = 2_000) throws -> Int {
        try db.transaction {
            try db.run(
                """
                DELETE FROM attendance WHERE id IN (
                    SELECT a.id FROM attendance a
                    WHERE a.at < ?1
                        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = a.id)
                        AND (a.subscription_id IS NULL OR a.granted = 0
                            OR NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.id = a.subscription_id))
                    ORDER BY a.at LIMIT ?2)
                """, cutoff.milliseconds, limit)
            return db.changes
        }
    }

    /// Prunes everything prunable before `cutoff`, batch by batch, then hands the freed pages of
    /// the write-ahead log back; returns how many events went.
    @discardableResult
    public func pruneJournalFully(before cutoff: Timestamp) throws -> Int {
        var total = 0
        while true {
            let pruned = try pruneJournal(before: cutoff)
            total += pruned
            if pruned < 2_000 { break }
        }
        if total > 0 { try db.checkpoint() }
        return total
    }
}
