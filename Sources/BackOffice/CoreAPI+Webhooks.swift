import CoreStorage
import Crypto
import Foundation
import Mail
import PorteroModel

extension CoreAPI {
    /// The headers that sign a webhook body: `Portero-Timestamp` (unix seconds) and
    /// `Portero-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
    package static func webhookSignature(secret: String, timestamp: Int64, body: String) -> [(String, String)] {
        let mac = Digest.hmacSHA256(key: Array(secret.utf8), message: Array("\(timestamp).\(body)".utf8))
        return [
            ("Portero-Timestamp", "\(timestamp)"),
            ("Portero-Signature", "v1=" + mac.map { String(format: "%02x", $0) }.joined()),
        ]
    }

    /// Sends what the webhook outbox holds due now, one delivery at a time, until none is due:
    /// each is claimed first (two core instances never send one twice), then marked delivered
    /// (any 2xx), or failed and retried with backoff. The endpoint's 10th failure in a row
    /// deactivates it and tells the chain's administrators. Returns the deliveries made and failed.
    @discardableResult
    public func deliverWebhooks(
        through post: (_ url: String, _ body: [UInt8], _ headers: [(String, String)]) throws(WebhookError) -> Int
    ) -> (delivered: Int, failed: Int) {
        var delivered = 0
        var failed = 0
        while true {
            let claimed: DueWebhookDelivery?
            do {
                claimed = try withDatabase { database in
                    try database.write { try database.webhooks.claimDue(now: clock()) }
                }
            } catch {
                log(.error, "webhooks: reading the outbox: \(error)")
                return (delivered, failed)
            }
            guard let due = claimed else { return (delivered, failed) }
            let headers = Self.webhookSignature(
                secret: due.secret, timestamp: clock().milliseconds / 1_000, body: due.payload)
            let outcome: Result<Int, WebhookError> = Result { () throws(WebhookError) -> Int in
                try post(due.url, Array(due.payload.utf8), headers)
            }
            do {
                try withDatabase { database in
                    try database.write {
                        switch outcome {
                        case let .success(status):
                            try database.webhooks.markDelivered(due.delivery, status: status, now: clock())
                            delivered += 1
                        case let .failure(error):
                            failed += 1
                            log(.warning, "webhook \(due.webhook) delivery \(due.delivery) to \(due.url): \(error)")
                            if let off = try database.webhooks.markFailed(
                                due.delivery, status: error.status, error: error.description, now: clock())
                            {
                                try database.operations.notify(
                                    .role(.administrator, branch: nil), level: "urgent",
                                    title: "Webhook \(off.id) deactivated after \(off.failures) failed deliveries",
                                    body: "\(off.url) last answered: \(error.description.prefix(200))",
                                    source: "webhook", by: nil, now: clock())
                                log(
                                    .error, "webhook \(off.id) to \(off.url) deactivated after \(off.failures) failures"
                                )
                            }
                        }
                    }
                }
            } catch {
                log(.error, "webhooks: recording delivery \(due.delivery): \(error)")
                return (delivered, failed)
            }
        }
    }
}

extension CoreAPI {
    /// Delivered webhook deliveries are kept this long in the delivery log.
    public static let webhookLogDays: Int64 = 30

    /// Removes deliveries delivered more than `webhookLogDays` ago; returns how many.
    @discardableResult
    public func pruneWebhookDeliveries() -> Int {
        let cutoff = Timestamp(milliseconds: clock().milliseconds - Self.webhookLogDays * 86_400_000)
        do {
            return try withDatabase { database in
                try database.write { try database.webhooks.prune(deliveredBefore: cutoff) }
            }
        } catch {
            log(.error, "webhooks: pruning the delivery log: \(error)")
            return 0
        }
    }
}

extension CoreDatabase {
    /// Queues a webhook event in the caller's transaction (the change it tells of and the event
    /// land together), for the endpoints that want `kind` at one of `branches`.
    package func webhookEvent(
        _ kind: String, branches: Set<BranchID>, data: [String: Any], now: Timestamp
    ) throws {
        try webhooks.record(kind: kind, branches: Set(branches.map(\.rawValue)), data: data, only: nil, now: now)
    }
}

extension AttendanceEvent {
    /// What an `attendance` webhook event carries.
    package var webhookData: [String: Any] {
        var data: [String: Any] = [
            "event": id.description, "at": at.milliseconds, "branch": branchID.rawValue,
            "door": Int64(doorID.rawValue), "direction": direction.rawValue, "credential": credentialKind.rawValue,
            "granted": granted, "reason": reason.rawValue,
        ]
        if let userID { data["user"] = userID.rawValue }
        return data
    }
}

extension SubscriptionView {
    /// What a `sale` webhook event carries for a subscription sold.
    package var webhookData: [String: Any] {
        [
            "type": "subscription", "subscription": id, "user": userID, "plan": planID, "planName": planName,
            "branch": branch, "start": startDate.description, "end": endDate.description,
            "pricePaidMinor": pricePaid.minorUnits,
        ]
    }
}

extension PosSale {
    /// What a `sale` webhook event carries for a point-of-sale ticket.
    package var webhookData: [String: Any] {
        [
            "type": "pos_ticket", "sale": id, "branch": branch, "shift": shift, "soldBy": soldBy,
            "totalMinor": total.minorUnits, "taxMinor": tax.minorUnits,
            "lines": lines.map { ["product": $0.product, "quantity": $0.quantity, "netMinor": $0.net.minorUnits] },
        ]
    }
}

extension CoreAPI {
    /// Stores a branch's uploaded attendance; when an active endpoint wants attendance, each event
    /// stored for the first time is queued for it in the same transaction (a replayed upload queues
    /// nothing again). Without such an endpoint the upload takes the store's bulk path.
    static func storeAttendance(
        _ events: [AttendanceEvent], device: Int64, zone: ZoneRules, _ request: APIRequest
    ) throws -> Int {
        let database = request.database
        return try database.write {
            let wanted = try database.webhooks.webhooks().contains { $0.active && $0.kinds.contains("attendance") }
            guard wanted else {
                return try database.sync.store(
                    events, device: device, zone: zone, operations: database.operations, now: request.now)
            }
            let stored = Set(
                try database.operations.recordUploaded(events, device: device, zone: zone, now: request.now))
            for event in events where stored.contains(event.id) {
                try database.webhookEvent(
                    "attendance", branches: [event.branchID], data: event.webhookData, now: request.now)
            }
            return stored.count
        }
    }
}
