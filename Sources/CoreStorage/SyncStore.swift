import PorteroModel
import SyncWire

/// Builds what each branch receives from the change log and stores what branches upload.
public protocol SyncStore {
    /// The newest sequence in the change log (0 when empty).
    func head() throws -> Int64
    /// Drops log entries older than `cutoff` (compaction); branches behind it bootstrap again.
    func prune(before cutoff: Timestamp) throws
    /// The changes after `cursor` that concern `branch` (whose time zone is `zone`), at most
    /// `limit` log entries; with `chainIndex`, every changed person's entries in the chain's card
    /// index too (a daemon that keeps the index asks for them).
    func batch(branch: BranchID, after cursor: Int64, limit: Int, zone: ZoneRules, now: Timestamp, chainIndex: Bool)
        throws -> SyncBatch
    /// The lockdowns and free-access modes in force at a branch, as the commands that set them
    /// (with the releases that still matter), oldest first: applied in order, they give each
    /// door's mode. A new replica takes them after its snapshot.
    func doorModes(branch: BranchID, now: Timestamp) throws -> [SyncDoorCommand]
    /// One snapshot page: the users after `after` (by id) that concern `branch`, among the next
    /// `limit` ids, and the chain's card index entries of all of those ids; the first page (after
    /// 0) also carries every plan version.
    func snapshotPage(branch: BranchID, after: Int64, limit: Int, zone: ZoneRules, now: Timestamp) throws
        -> SyncSnapshotPage
    /// Stores uploaded events once each, through `operations`; returns how many were new.
    func store(
        _ events: [AttendanceEvent], device: Int64, zone: ZoneRules, operations: any OperationsStore, now: Timestamp
    ) throws -> Int
    /// What the core made of the branch command `localID` from `device`, when it came before (nil:
    /// never received): a command is applied once per device and id.
    func commandResult(device: Int64, localID: Int64) throws -> SyncCommandAnswer.Result?
    /// Records what the core made of a branch command from `device`, so that the same command sent
    /// again gets the same answer.
    func recordCommand(_ command: SyncLocalCommand, device: Int64, applied: Bool, message: String, now: Timestamp)
        throws
}
