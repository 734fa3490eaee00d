import Crypto
import Foundation
import PorteroModel
import SQLite

/// A registered webhook endpoint (its secret is never read back: it is shown once, when made).
public struct Webhook: Hashable, Sendable, Codable {
    public var id: Int64
    public var url: String
    /// The event kinds it wants: attendance, door_alarm, sale, member.
    public var kinds: [String]
    /// The branches whose events it wants; empty for every branch.
    public var branches: [Int64]
    public var active: Bool
    /// The attempts of its most tried delivery since its last success; at
    /// `WebhookPolicy.maximumFailures` the endpoint is deactivated.
    public var failures: Int
    public var createdAt: Timestamp
}

/// One event on its way to one endpoint.
public struct WebhookDelivery: Hashable, Sendable, Codable {
    public var id: Int64
    public var webhook: Int64
    public var event: String
    public var kind: String
    /// queued or delivered.
    public var status: String
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    /// The HTTP status of the last attempt (nil when none answered).
    public var lastStatus: Int?
    public var lastError: String
    public var createdAt: Timestamp
    public var deliveredAt: Timestamp?
}

/// A delivery claimed for sending: where, with which secret, and the exact body to sign.
public struct DueWebhookDelivery: Sendable {
    public var delivery: Int64
    public var webhook: Int64
    public var url: String
    public var secret: String
    public var payload: String
}

/// How webhooks are retried and when an endpoint is given up.
public enum WebhookPolicy {
    public static let kinds = ["attendance", "door_alarm", "sale", "member"]
    /// When a delivery fails this many attempts with no success at its endpoint in between, the
    /// endpoint is deactivated.
    public static let maximumFailures = 10
    /// The wait after the nth failed attempt: a minute, doubling, at most four hours.
    public static func backoffSeconds(afterAttempt attempt: Int) -> Int64 {
        min(60 << Int64(max(0, min(attempt - 1, 12))), 4 * 3_600)
    }
    /// A claimed delivery is not taken again by another sender for this long.
    public static let claimSeconds: Int64 = 120
}

/// Webhook endpoints and their deliveries outbox. `record` shares the caller's transaction, so
/// an event is queued exactly when the change it tells of is written.
public protocol WebhookStore {
    /// Registers an endpoint; returns it with its new secret.
    func create(url: String, kinds: [String], branches: [Int64], active: Bool, now: Timestamp) throws
        -> (Webhook, secret: String)
    func webhooks() throws -> [Webhook]
    func webhook(_ id: Int64) throws -> Webhook?
    /// Changes what is given; activating an endpoint clears its failures. Nil when unknown.
    func update(_ id: Int64, url: String?, kinds: [String]?, branches: [Int64]?, active: Bool?) throws -> Webhook?
    /// A new secret for the endpoint (the old one stops signing at once); nil when unknown.
    func rotateSecret(_ id: Int64) throws -> String?
    /// Removes the endpoint and its deliveries; false when unknown.
    func delete(_ id: Int64) throws -> Bool
    /// Queues an event for every active endpoint that wants `kind` at one of `branches` (or only
    /// for `only`); returns how many deliveries were queued.
    @discardableResult
    func record(kind: String, branches: Set<Int64>, data: [String: Any], only: Int64?, now: Timestamp) throws -> Int
    /// The endpoint's deliveries, newest first.
    func deliveries(of webhook: Int64, limit: Int) throws -> [WebhookDelivery]
    /// Claims the next queued delivery due at `now` to an active endpoint (one sender wins).
    func claimDue(now: Timestamp) throws -> DueWebhookDelivery?
    func markDelivered(_ id: Int64, status: Int, now: Timestamp) throws
    /// Records a failed attempt, to be retried with backoff. Returns the endpoint when this failure
    /// deactivated it.
    func markFailed(_ id: Int64, status: Int?, error: String, now: Timestamp) throws -> Webhook?
    /// Removes deliveries delivered before `cutoff` (those still queued stay); returns how many.
    func prune(deliveredBefore cutoff: Timestamp) throws -> Int
}

public final class SQLWebhookStore: WebhookStore {
    package let db: any SQLDatabase

    public init(connection: any SQLDatabase) { db = connection }

    static let columns = "id, url, kinds, branches, active, failures, created_at"
    static let deliveryColumns = """
        id, webhook_id, event_id, kind, status, attempts, next_attempt_at, last_status, last_error, created_at,
        delivered_at
        """

    static func webhook(_ row: any SQLRow) throws -> Webhook {
        let kinds: String = try row.get(2)
        let branches: String = try row.get(3)
        return Webhook(
            id: try row.get(0), url: try row.get(1), kinds: kinds.split(separator: ",").map(String.init),
            branches: branches.split(separator: ",").compactMap { Int64($0) }, active: try row.get(4) as Int64 == 1,
            failures: try row.get(5), createdAt: Timestamp(milliseconds: try row.get(6)))
    }

    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.get(0), webhook: try row.get(1), event: try row.get(2), kind: try row.get(3),
            status: try row.get(4), attempts: try row.get(5), nextAttemptAt: Timestamp(milliseconds: try row.get(6)),
            lastStatus: row.int64(7).map { Int($0) }, lastError: try row.get(8),
            createdAt: Timestamp(milliseconds: try row.get(9)),
            deliveredAt: row.int64(10).map { Timestamp(milliseconds: $0) })
    }

    static func newSecret() throws -> String {
        "whsec_" + (try SecureRandom.bytes(32)).map { String(format: "%02x", $0) }.joined()
    }

    public func create(url: String, kinds: [String], branches: [Int64], active: Bool, now: Timestamp) throws
        -> (Webhook, secret: String)
    {
        let secret = try Self.newSecret()
        let id = try db.scalar(
            """
            INSERT INTO webhooks (url, kinds, branches, active, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)
            RETURNING id
            """, url, kinds.joined(separator: ","), branches.map(String.init).joined(separator: ","), active ? 1 : 0,
            secret, now.milliseconds, as: Int64.self)
        let made = Webhook(
            id: id, url: url, kinds: kinds, branches: branches, active: active, failures: 0, createdAt: now)
        return (made, secret)
    }

    public func webhooks() throws -> [Webhook] {
        try db.query("SELECT \(Self.columns) FROM webhooks ORDER BY id", map: Self.webhook)
    }

    public func webhook(_ id: Int64) throws -> Webhook? {
        try db.queryFirst("SELECT \(Self.columns) FROM webhooks WHERE id = ?", id, map: Self.webhook)
    }

    public func update(_ id: Int64, url: String?, kinds: [String]?, branches: [Int64]?, active: Bool?) throws
        -> Webhook?
    {
        guard let current = try webhook(id) else { return nil }
        let activating = active == true && !current.active
        return try db.queryFirst(
            """
            UPDATE webhooks SET url = ?, kinds = ?, branches = ?, active = ?,
                failures = CASE WHEN ? = 1 THEN 0 ELSE failures END
            WHERE id = ? RETURNING \(Self.columns)
            """, url ?? current.url, (kinds ?? current.kinds).joined(separator: ","),
            (branches ?? current.branches).map(String.init).joined(separator: ","),
            (active ?? current.active) ? 1 : 0, activating ? 1 : 0, id, map: Self.webhook)
    }

    public func rotateSecret(_ id: Int64) throws -> String? {
        let secret = try Self.newSecret()
        let changed = try db.queryFirst(
            "UPDATE webhooks SET secret = ? WHERE id = ? RETURNING id", secret, id, map: { try $0.get(0) as Int64 })
        return changed == nil ? nil : secret
    }

    public func delete(_ id: Int64) throws -> Bool {
        try db.run("DELETE FROM webhook_deliveries WHERE webhook_id = ?", id)
        return try db.queryFirst("DELETE FROM webhooks WHERE id = ? RETURNING id", id, map: { try $0.get(0) as Int64 })
            != nil
    }

    public func record(kind: String, branches: Set<Int64>, data: [String: Any], only: Int64?, now: Timestamp)
        throws -> Int
    {
        let targets = try webhooks().filter { hook in
            if let only { return hook.id == only }
            return hook.active && hook.kinds.contains(kind)
                && (hook.branches.isEmpty || !branches.isDisjoint(with: hook.branches))
        }
        guard !targets.isEmpty else { return 0 }
        let event = UUID().uuidString.lowercased()
        let at = ISO8601DateFormatter().string(
            from: Date(timeIntervalSince1970: Double(now.milliseconds) / 1_000))
        let body: [String: Any] = ["id": event, "kind": kind, "at": at, "data": data]
        let payload = String(
            decoding: try JSONSerialization.data(
                withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]),
            as: UTF8.self)
        for hook in targets {
            try db.run(
                """
                INSERT INTO webhook_deliveries
                    (webhook_id, event_id, kind, payload, status, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, 'queued', ?, ?)
                """, hook.id, event, kind, payload, now.milliseconds, now.milliseconds)
        }
        return targets.count
    }

    public func deliveries(of webhook: Int64, limit: Int) throws -> [WebhookDelivery] {
        try db.query(
            "SELECT \(Self.deliveryColumns) FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?",
            webhook, limit, map: Self.delivery)
    }

    public func claimDue(now: Timestamp) throws -> DueWebhookDelivery? {
        // A conditional update claims it: of two senders (two core instances), one wins.
        while let candidate = try db.queryFirst(
            """
            SELECT d.id, d.next_attempt_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'queued' AND d.next_attempt_at <= ? AND w.active = 1
            ORDER BY d.next_attempt_at, d.id LIMIT 1
            """, now.milliseconds, map: { (try $0.get(0) as Int64, try $0.get(1) as Int64) })
        {
            let claimed = try db.queryFirst(
                """
                UPDATE webhook_deliveries SET next_attempt_at = ?
                WHERE id = ? AND next_attempt_at = ? AND status = 'queued'
                RETURNING webhook_id, payload
                """, now.milliseconds + WebhookPolicy.claimSeconds * 1_000, candidate.0, candidate.1,
                map: { (try $0.get(0) as Int64, try $0.get(1) as String) })
            if let (hook, payload) = claimed,
                let target = try db.queryFirst(
                    "SELECT url, secret FROM webhooks WHERE id = ?", hook,
                    map: { (try $0.get(0) as String, try $0.get(1) as String) })
            {
                return DueWebhookDelivery(
                    delivery: candidate.0, webhook: hook, url: target.0, secret: target.1, payload: payload)
            }
        }
        return nil
    }

    public func markDelivered(_ id: Int64, status: Int, now: Timestamp) throws {
        try db.run(
            """
            UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?,
                last_status = ?, last_error = ''
            WHERE id = ?
            """, now.milliseconds, status, id)
        try db.run(
            "UPDATE webhooks SET failures = 0 WHERE id = (SELECT webhook_id FROM webhook_deliveries WHERE id = ?)", id)
    }

    public func markFailed(_ id: Int64, status: Int?, error: String, now: Timestamp) throws -> Webhook? {
        guard
            let (attempts, hook) = try db.queryFirst(
                "SELECT attempts, webhook_id FROM webhook_deliveries WHERE id = ?", id,
                map: { (try $0.get(0) as Int, try $0.get(1) as Int64) })
        else { return nil }
        let attempt = attempts + 1
        try db.run(
            """
            UPDATE webhook_deliveries SET attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?
            WHERE id = ?
            """, attempt, status.map { Int64($0) }, String(error.prefix(500)),
            now.milliseconds + WebhookPolicy.backoffSeconds(afterAttempt: attempt) * 1_000, id)
        // The endpoint's failures in a row are the attempts of its most tried delivery since its last
        // success: a burst of queued deliveries failing in one round (a short outage) counts once.
        let disabled = try db.queryFirst(
            """
            UPDATE webhooks SET failures = CASE WHEN failures > CAST(?1 AS BIGINT) THEN failures
                    ELSE CAST(?1 AS BIGINT) END,
                active = CASE WHEN CAST(?1 AS BIGINT) >= CAST(?2 AS BIGINT) THEN 0 ELSE active END
            WHERE id = ?3 RETURNING active, failures
            """, Int64(attempt), Int64(WebhookPolicy.maximumFailures), hook,
            map: { row -> Bool in
                let active: Int64 = try row.get(0)
                let failures: Int64 = try row.get(1)
                return active == 0 && failures == WebhookPolicy.maximumFailures
            })
        return disabled == true ? try webhook(hook) : nil
    }

    public func prune(deliveredBefore cutoff: Timestamp) throws -> Int {
        try db.run(
            "DELETE FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ?", cutoff.milliseconds)
    }
}
