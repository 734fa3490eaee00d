import PorteroModel
import SQLite
import SyncWire

/// What every branch receives about the whole chain: the card index (each person's active card
/// numbers, whether they are active and until when they hold a subscription anywhere; nothing
/// else about them), and, for the members a branch holds whose plan limits visits per period,
/// their entries at other branches in the branch's current day, week and month.
extension SQLSyncStore {
    /// The far end of an open-ended standing (a freeze still open keeps a customer a customer).
    static let farDay = LocalDay(year: 9999, month: 12, day: 31)!  // safe: a valid date

    /// Chain index items for exactly these people, even those with no active card left (their
    /// entries leave the index) or gone from the core.
    package func chainItems(users ids: [Int64]) throws -> [SyncItem] {
        guard !ids.isEmpty else { return [] }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        let standings = try standings(where: "u.id IN (\(db.dialect.integers(in: "?")))", list)
        var cards: [Int64: [UInt64]] = [:]
        for (user, number) in try db.query(
            """
            SELECT user_id, number FROM cards WHERE status = 'active' AND user_id IN (\(db.dialect.integers(in: "?")))
            ORDER BY user_id, id
            """, list, map: { (try $0.get(0) as Int64, UInt64(bitPattern: try $0.get(1) as Int64)) })
        {
            cards[user, default: []].append(number)
        }
        return ids.map { id in
            let standing = standings[id]
            return .chainMember(
                SyncChainMember(
                    id: id, active: standing?.active ?? false, subscribedThrough: standing?.through,
                    cards: cards[id] ?? []))
        }
    }

    /// Chain index items for the people with ids in `low...high` who hold an active card, but
    /// for those in `held` (a snapshot page: the index starts empty, so people without cards need
    /// no item, and the branch's own people, whose cards the page carries whole, need none either:
    /// the door looks a card up in the index only when the branch does not hold it).
    package func chainItems(from low: Int64, through high: Int64, excluding held: Set<Int64>) throws -> [SyncItem] {
        var cards: [(Int64, [UInt64])] = []
        for (user, number) in try db.query(
            "SELECT user_id, number FROM cards WHERE status = 'active' AND user_id BETWEEN ? AND ? "
                + "ORDER BY user_id, id",
            low, high, map: { (try $0.get(0) as Int64, UInt64(bitPattern: try $0.get(1) as Int64)) })
        where !held.contains(user) {
            if cards.last?.0 == user { cards[cards.count - 1].1.append(number) } else { cards.append((user, [number])) }
        }
        guard !cards.isEmpty else { return [] }
        let standings =
            held.isEmpty
            ? try standings(where: "u.id BETWEEN ? AND ?", low, high)
            : try standings(
                where: "u.id IN (\(db.dialect.integers(in: "?")))",
                "[" + cards.map { String($0.0) }.joined(separator: ",") + "]")
        return cards.compactMap { user, numbers in
            standings[user].map {
                .chainMember(
                    SyncChainMember(id: user, active: $0.active, subscribedThrough: $0.through, cards: numbers))
            }
        }
    }

    /// Whether each person is active and the last day their latest subscription admits (grace and
    /// closed freezes included, kept by the sales store as `paid_through_day`).
    private func standings(where condition: String, _ values: any SQLiteBindable...) throws -> [Int64: (
        active: Bool, through: LocalDay?
    )] {
        var result: [Int64: (active: Bool, through: LocalDay?)] = [:]
        for (id, active, through) in try db.query(
            """
            SELECT u.id, u.active, (SELECT max(s.paid_through_day) FROM subscriptions s
                WHERE s.user_id = u.id AND s.status = 'active')
            FROM users u WHERE \(condition)
            """, arguments: values,
            map: { (try $0.get(0) as Int64, try $0.get(1) as Bool, $0.int64(2)) })
        {
            result[id] = (
                active, through.map { min(LocalDay(daysSinceEpoch: Int32(clamping: $0)), Self.farDay) }
            )
        }
        return result
    }

    /// The entries each of `users` made anywhere but at `branch`'s doors (other branches, and
    /// check-ins at any desk) in the branch's current day, ISO week and month, its own time zone
    /// drawing the lines; keyed as `VisitCounters` so that a period gone by reads as zero.
    package func visitsElsewhere(users: Set<Int64>, branch: BranchID, zone: ZoneRules, now: Timestamp) throws
        -> [Int64: VisitCounters]
    {
        guard !users.isEmpty else { return [:] }
        let today = zone.localDay(at: now)
        let components = today.components
        let firstOfMonth = LocalDay(year: components.year, month: components.month, day: 1) ?? today
        let dayStart = zone.start(of: today)
        let weekStart = zone.start(of: today.weekStart)
        let monthStart = zone.start(of: firstOfMonth)
        var result: [Int64: VisitCounters] = [:]
        for user in users {
            result[user] = VisitCounters(
                day: today, dayCount: 0, weekStart: today.weekStart, weekCount: 0, month: today.monthKey,
                monthCount: 0)
        }
        for (user, day, week, month) in try db.query(
            """
            SELECT user_id, count(*) FILTER (WHERE at >= ?1), count(*) FILTER (WHERE at >= ?2),
                count(*) FILTER (WHERE at >= ?3) FROM attendance
            WHERE user_id IN (\(db.dialect.integers(in: "?4"))) AND user_id IS NOT NULL
                AND at >= \(db.dialect.lesser("?2", "?3"))
                AND granted = 1 AND direction = 'in' AND NOT (branch_id = ?5 AND device_id IS NOT NULL)
            GROUP BY user_id
            """, dayStart.milliseconds, weekStart.milliseconds, monthStart.milliseconds,
            "[" + users.sorted().map(String.init).joined(separator: ",") + "]", branch.rawValue,
            map: { (try $0.get(0) as Int64, try $0.get(1) as Int, try $0.get(2) as Int, try $0.get(3) as Int) })
        {
            result[user] = VisitCounters(
                day: today, dayCount: day, weekStart: today.weekStart, weekCount: week, month: today.monthKey,
                monthCount: month)
        }
        return result
    }
}
