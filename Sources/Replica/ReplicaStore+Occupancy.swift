import PorteroModel
import SQLite
import SyncWire

extension ReplicaSchema {
    /// Step 13: what the door needs to count the people inside cheaply, and each member's usual
    /// visit, learnt from their own visits.
    static let occupancy = Migration(
        version: 13, name: "occupancy",
        sql: """
            -- A member's usual visit in seconds, learnt from their completed visits here (entry to
            -- exit): a moving average that weighs the newest visit a quarter. Nil until one is seen.
            ALTER TABLE users ADD COLUMN usual_visit_s INTEGER;
            -- The people inside, by when they came in: the count reads the index alone.
            CREATE INDEX users_inside ON users(inside, presence_since, usual_visit_s) WHERE inside = 1;
            -- An exit after an entry teaches the usual visit, when the visit lasted from a minute to
            -- twelve hours (a shorter one is a mistake at the door, a longer one a missed exit).
            CREATE TRIGGER users_learn_visit AFTER UPDATE OF inside ON users
            WHEN OLD.inside = 1 AND NEW.inside = 0
                AND NEW.presence_since - OLD.presence_since BETWEEN 60000 AND 43200000
            BEGIN
                UPDATE users SET usual_visit_s = CASE
                    WHEN usual_visit_s IS NULL THEN (NEW.presence_since - OLD.presence_since) / 1000
                    ELSE (usual_visit_s * 3 + (NEW.presence_since - OLD.presence_since) / 1000) / 4 END
                WHERE id = NEW.id;
            END;
            -- The setup kept by an older program lacks the limits: take the whole setup again.
            INSERT OR REPLACE INTO replica_meta (key, value) VALUES ('branch_setup_pending', '1');
            """)
}

/// The people inside the branch, as the door counts them against its occupancy limits: those
/// whose presence is inside and has not run out. Where the branch has exit readers a person
/// counts until their exit (for at most twelve hours, for whoever left without their card);
/// elsewhere until their entry plus their usual visit (their own, else the chain's).
extension ReplicaStore {
    /// How many people count as inside at `now`, leaving out `user` (the one at the door).
    public func peopleInside(excluding user: UserID? = nil, now: Timestamp) throws -> Int {
        let rule = occupancyRule
        let bound = OccupancyRule.exitBoundSeconds
        // A presence from the future (the clock moved back) does not count: after a jump the door
        // errs towards letting members in, never towards refusing them until the clock catches up.
        let latest = now.milliseconds + OccupancyRule.futureSlackMilliseconds
        if rule.countsExits {
            // Until the exit, for at most twice the member's usual visit (someone who left by
            // another door without their card stops counting), and never past twelve hours.
            return try db.scalar(
                """
                SELECT count(*) FROM users INDEXED BY users_inside
                WHERE inside = 1 AND presence_since > ?1 AND presence_since <= ?6
                    AND presence_since > ?2 - min(2 * coalesce(usual_visit_s, ?3), ?4) * 1000 AND id IS NOT ?5
                """, now.milliseconds - bound * 1_000, now.milliseconds, rule.usualVisitSeconds, bound,
                user?.rawValue, latest, as: Int.self)
        }
        return try db.scalar(
            """
            SELECT count(*) FROM users INDEXED BY users_inside
            WHERE inside = 1 AND presence_since > ?1 AND presence_since <= ?6
                AND presence_since > ?2 - min(coalesce(usual_visit_s, ?3), ?4) * 1000 AND id IS NOT ?5
            """, now.milliseconds - bound * 1_000, now.milliseconds, rule.usualVisitSeconds, bound, user?.rawValue,
            latest, as: Int.self)
    }

    /// The people inside other than `user`, as the decision needs it: exact near the limits; well
    /// under them, the last exact count plus every entry since, an upper bound (time and exits only
    /// lower the count) that still reads "room left", so the door counts at most once a minute then.
    public func othersInside(excluding user: UserID, now: Timestamp) throws -> Int {
        let limits = context.occupancy
        let threshold = [limits.warn, limits.limit].compactMap { $0 }.min() ?? Int.max
        let estimate = occupancyEstimate
        if let counted = estimate.counted, estimate.rule == occupancyRule,
            (0..<OccupancyEstimate.maximumAgeMilliseconds).contains(now.milliseconds(since: counted.at)),
            counted.inside + estimate.entries + 1 < threshold
        {
            return counted.inside + estimate.entries
        }
        let others = try peopleInside(excluding: user, now: now)
        // With the one at the door: at most one more (an upper bound for the entries that follow).
        occupancyEstimate = OccupancyEstimate(counted: (others + 1, now), entries: 0, rule: occupancyRule)
        occupancyEstimate.recounts = estimate.recounts + 1
        return others
    }

    /// How many times the people inside were counted exactly (for tests and the status).
    public var occupancyRecounts: Int { occupancyEstimate.recounts }

    /// A member's usual visit here in seconds, once one was learnt.
    public func usualVisitSeconds(of user: UserID) throws -> Int64? {
        try db.queryFirst("SELECT usual_visit_s FROM users WHERE id = ?", user.rawValue, map: { $0.int64(0) }) ?? nil
    }

    /// Takes the branch's capacity and the chain's usual visit from the setup headquarters sent.
    public func takeOccupancy(from setup: SyncBranchSetup?) {
        context.occupancy = setup?.occupancy ?? OccupancyLimits()
        occupancyRule.usualVisitSeconds = setup?.usualVisitSeconds ?? OccupancyRule.defaultUsualVisitMinutes * 60
        dayPassKey = setup?.dayPassPublicKey
    }
}

/// The last exact count of the people inside, and the entries recorded here since.
struct OccupancyEstimate {
    var counted: (inside: Int, at: Timestamp)?
    var entries = 0
    var rule = OccupancyRule(countsExits: false)
    var recounts = 0

    /// An estimate older than this is counted again.
    static let maximumAgeMilliseconds: Int64 = 60_000
}
