import CoreStorage
import HTTP
import PorteroModel

extension Schema {
    static let paymentRecord = named(
        "PaymentRecord",
        .object(
            [
                "id": .id, "subscription": .id, "outcome": .string(values: ["paid", "failed"]),
                "method": .string(values: PaymentMethod.allCases.map(\.rawValue)), "amount": money,
                "reference": .text, "note": .text, "recordedAt": .timestamp,
            ],
            optional: ["recordedBy": .id]))
}

extension CoreAPI {
    /// What a sale says about its payment: paid at the desk (the default), pending, or on credit.
    package static let salePaymentFields: [BodyField] = [
        .optional("payment", .string(values: ["paid", "pending", "credit"])), .optional("paymentDue", .date),
        .optional("paymentMethod", .string(values: PaymentMethod.allCases.map(\.rawValue))),
    ]

    /// After a sale in the same transaction: a sale paid at once (by `paymentMethod`, cash unless
    /// said) goes into the seller's open shift at the branch, so the cut counts it; one not paid
    /// at once owes its payment by `paymentDue` (the sale day when not given). Returns the
    /// subscription as it now stands.
    package static func owePayment(
        _ sale: SubscriptionView, payment: String?, due dueText: String?, method: String?, request: APIRequest,
        today: LocalDay
    ) throws -> SubscriptionView {
        guard let status = PaymentStatus(rawValue: payment ?? "paid"), status != .failed else {
            throw AccountError(field: "payment", problem: "paid, pending or credit")
        }
        if let method, PaymentMethod(rawValue: method) == nil {
            throw AccountError(field: "paymentMethod", problem: "cash, card or transfer")
        }
        guard status != .paid else {
            if dueText != nil {
                throw AccountError(field: "paymentDue", problem: "only a sale not paid at once has one")
            }
            let method = PaymentMethod(rawValue: method ?? "cash") ?? .cash
            try request.database.sales.paidAtOnce(sale.id, method: method)
            try postToOwnShift(
                request, sale, PaymentEntry(outcome: .paid, method: method, amountMinor: sale.pricePaid.minorUnits))
            return sale
        }
        if method != nil {
            throw AccountError(field: "paymentMethod", problem: "only a sale paid at once has one; record it when paid")
        }
        let due = try day(dueText, field: "paymentDue") ?? today
        guard due >= today.adding(days: -31), due <= today.adding(days: 366) else {
            throw AccountError(field: "paymentDue", problem: "must be within a month before and a year after today")
        }
        try request.database.sales.owe(sale.id, status: status, due: due, now: request.now)
        try request.audit(
            "subscription.payment_owed", target: "subscription:\(sale.id)",
            changes: ["status": status.rawValue, "due": due.description])
        return try request.database.sales.subscription(sale.id, today: today) ?? sale
    }

    /// Payments owed on subscriptions, and the payments the desk records.
    package static func declarePaymentRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/payments/owed", .privilege(.subscriptions),
            "Active subscriptions with a payment owed (pending, failed or on credit), the earliest due first",
            query: [.integer("limit", 1...1_000)], answers: [.json(200, .array(.subscription))]
        ) { request in
            let limit = try request.queryInt("limit", default: 200, range: 1...1_000)
            return .json(
                try request.database.sales.owed(
                    branches: visibleBranches(request, .subscriptions), today: request.today(request.branch),
                    limit: limit))
        }
        table.add(
            .get, "/api/v1/subscriptions/:id/payments", .privilege(.subscriptions),
            "The payments recorded against a subscription, oldest first", answers: [.json(200, .array(.paymentRecord))]
        ) { request in
            let current = try subscriptionTarget(request)
            return .json(try request.database.sales.payments(of: current.id))
        }
        table.add(
            .post, "/api/v1/subscriptions/:id/payments", .privilege(.subscriptions),
            "Record a payment: paid settles what the subscription owes (the door admits again within a second at "
                + "a connected branch); failed leaves it owing",
            body: [
                .required("outcome", .string(values: ["paid", "failed"])),
                .required("method", .string(values: PaymentMethod.allCases.map(\.rawValue))),
                .optional("amountMinor", .minorUnits), .optional("reference", .string(maxLength: 100)),
                .optional("note", .string(maxLength: 200)),
            ],
            answers: [.json(200, .subscription)]
        ) { request in
            struct Body: Decodable {
                let outcome: PaymentRecord.Outcome
                let method: PaymentMethod
                let amountMinor: Int64?
                let reference: String?
                let note: String?
            }
            let body = try request.body(Body.self)
            let current = try subscriptionTarget(request)
            let today = request.today(BranchID(current.branch))
            let entry = PaymentEntry(
                outcome: body.outcome, method: body.method,
                amountMinor: body.amountMinor ?? current.pricePaid.minorUnits,
                reference: body.reference ?? "", note: body.note ?? "")
            let updated = try request.database.write { () -> SubscriptionView? in
                let updated = try request.database.sales.recordPayment(
                    current.id, entry, by: try request.actor.id, today: today, now: request.now)
                if entry.outcome == .paid { try postToOwnShift(request, current, entry) }
                try request.audit(
                    "subscription.payment", target: "subscription:\(current.id)",
                    changes: [
                        "outcome": entry.outcome.rawValue, "method": entry.method.rawValue,
                        "amountMinor": entry.amountMinor, "reference": entry.reference,
                    ])
                return updated
            }
            guard let updated else { return .error(404, "no such subscription") }
            return .json(updated)
        }
    }
}
