import Foundation
import PorteroModel
import SQLite

/// A branch's capacity as headquarters keeps it.
public struct BranchOccupancyLimits: Hashable, Sendable, Codable {
    public var branch: BranchID
    /// The soft limit: from this many people inside an entry is granted with a warning.
    public var warn: Int?
    /// The hard limit: the most people inside (entries beyond it refused when the chain says so).
    public var limit: Int?
    public var updatedAt: Timestamp?

    public init(branch: BranchID, warn: Int?, limit: Int?, updatedAt: Timestamp? = nil) {
        self.branch = branch
        self.warn = warn
        self.limit = limit
        self.updatedAt = updatedAt
    }

    /// Refuses (naming the field) limits out of bounds, and a soft limit above the hard one.
    public func check() throws {
        let people = 1...OccupancyLimits.maximumPeople
        if let warn, !people.contains(warn) {
            throw AccountError(field: "warn", problem: "from 1 to \(people.upperBound) people")
        }
        if let limit, !people.contains(limit) {
            throw AccountError(field: "limit", problem: "from 1 to \(people.upperBound) people")
        }
        if let warn, let limit, warn > limit {
            throw AccountError(field: "warn", problem: "at most the hard limit (\(limit))")
        }
    }
}

/// The people inside a branch now, as the core counts them from the attendance it holds.
public struct OccupancyCount: Hashable, Sendable {
    public var inside: Int
    /// True when the branch's last twelve hours hold exits: people count until their exit.
    public var countsExits: Bool
}

/// Each branch's capacity, and the live count of the people inside.
public protocol OccupancyStore {
    func limits(branch: BranchID) throws -> BranchOccupancyLimits
    /// Replaces a branch's limits (nil: none) and tells its controllers through the feed; returns
    /// the limits before. The caller writes the audit row in the same transaction.
    @discardableResult
    func setLimits(_ limits: BranchOccupancyLimits, now: Timestamp) throws -> BranchOccupancyLimits
    /// The people inside `branch` at `now`: those whose last granted passage of the last twelve
    /// hours is an entry, until their exit where the branch records exits, else for
    /// `usualVisitSeconds` after their entry.
    func count(branch: BranchID, now: Timestamp, usualVisitSeconds: Int64) throws -> OccupancyCount
}

public final class SQLOccupancyStore: OccupancyStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) { db = connection }

    public func limits(branch: BranchID) throws -> BranchOccupancyLimits {
        try db.queryFirst(
            "SELECT warn, hard, updated_at FROM branch_occupancy WHERE branch_id = ?", branch.rawValue,
            map: { row in
                BranchOccupancyLimits(
                    branch: branch, warn: row.int64(0).map { Int($0) }, limit: row.int64(1).map { Int($0) },
                    updatedAt: row.int64(2).map { Timestamp(milliseconds: $0) })
            }) ?? BranchOccupancyLimits(branch: branch, warn: nil, limit: nil)
    }

    @discardableResult
    public func setLimits(_ limits: BranchOccupancyLimits, now: Timestamp) throws -> BranchOccupancyLimits {
        try limits.check()
        let before = try self.limits(branch: limits.branch)
        try db.run(
            """
            INSERT INTO branch_occupancy (branch_id, warn, hard, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (branch_id) DO UPDATE SET warn = excluded.warn, hard = excluded.hard,
                updated_at = excluded.updated_at
            """, limits.branch.rawValue, limits.warn.map { Int64($0) }, limits.limit.map { Int64($0) },
            now.milliseconds)
        try Self.setupChanged(db, branch: limits.branch, now: now)
        return before
    }

    /// Tells the feed the branch's setup changed (`branch` 0: every branch's, a chain setting).
    package static func setupChanged(_ db: any SQLDatabase, branch: BranchID, now: Timestamp) throws {
        try db.run(
            "INSERT INTO change_log (at, entity, entity_id) VALUES (?, 'branch_setup', ?)", now.milliseconds,
            branch.rawValue)
    }

    public func count(branch: BranchID, now: Timestamp, usualVisitSeconds: Int64) throws -> OccupancyCount {
        let since = now.milliseconds - OccupancyRule.exitBoundSeconds * 1_000
        let rows: [(Int64, Int64, Int64)] = try db.query(
            """
            SELECT user_id, CASE WHEN direction = 'in' THEN 1 ELSE 0 END, at FROM attendance
            WHERE branch_id = ? AND at > ? AND granted = 1 AND user_id IS NOT NULL
            """, branch.rawValue, since
        ) { (try $0.get(0), try $0.get(1), try $0.get(2)) }
        var last: [Int64: (entry: Bool, at: Int64)] = [:]
        var countsExits = false
        for (user, direction, at) in rows {
            let entry = direction == 1
            if !entry { countsExits = true }
            if let seen = last[user], seen.at > at { continue }
            last[user] = (entry, at)
        }
        let rule = OccupancyRule(countsExits: countsExits, usualVisitSeconds: usualVisitSeconds)
        let inside = last.values.filter {
            $0.entry && rule.counts(since: Timestamp(milliseconds: $0.at), usualSeconds: nil, now: now)
        }.count
        return OccupancyCount(inside: inside, countsExits: countsExits)
    }
}

@available(*, unavailable, message: "Owned by one database connection")
extension SQLOccupancyStore: Sendable {}
