import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    /// A ticket the caller may see (`privilege` at its branch), else a 404.
    static func visibleSale(_ request: APIRequest, _ privilege: Privilege) throws -> PosSale {
        let id = try request.id(what: "sale")
        guard let found = try request.database.pos.sale(id),
            try request.actor.may(privilege, at: BranchID(found.branch))
        else { throw HTTPResponseError(.error(404, "no such sale")) }
        return found
    }

    static func saleAudit(_ sale: PosSale) -> [String: Any] {
        [
            "sale": sale.id, "shift": sale.shift, "totalMinor": sale.total.minorUnits,
            "lines": sale.lines.map {
                ["product": $0.product, "quantity": $0.quantity, "netMinor": $0.net.minorUnits]
            },
            "payments": sale.payments.map { ["method": $0.method.rawValue, "amountMinor": $0.amount.minorUnits] },
        ]
    }

    /// Tickets (seed 003's Compras/ventas): sold by pos_sales holders on their own open shift;
    /// voided or refunded by cash_cut holders (Recepción sells but neither voids nor refunds).
    package static func declarePosSaleRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/pos/sales", .privilege(.posSales),
            "Tickets of the caller's branches (or of one shift), the newest first",
            query: [.integer("shift", 1...Int64.max), .integer("limit", 1...500)],
            answers: [.json(200, .array(.posSale))]
        ) { request in
            var shift: Int64?
            if let text = request.query("shift") {
                guard let id = Int64(text), id > 0 else {
                    throw HTTPResponseError(.error(400, "query parameter shift must be a shift id"))
                }
                shift = id
            }
            return .json(
                try request.database.pos.sales(
                    branches: try visibleBranches(request, .posSales), shift: shift,
                    limit: try request.queryInt("limit", default: 100, range: 1...500)))
        }
        table.add(
            .get, "/api/v1/pos/sales/:id", .privilege(.posSales), "One ticket with its lines, payments and refunds",
            answers: [.json(200, .posSale)]
        ) { request in .json(try visibleSale(request, .posSales)) }
        table.add(
            .post, "/api/v1/pos/sales", .privilege(.posSales),
            "Ring up a ticket on one's own open shift: lines at the catalogue's prices (tax included), an optional "
                + "discount per line and per ticket, and payments that cover the total exactly (cash may exceed it: "
                + "the change)",
            body: [
                .required("shift", .id),
                .required(
                    "lines",
                    .array(
                        .object(["product": .id, "quantity": .quantity], optional: ["discountMinor": .minorUnits]),
                        minItems: 1, maxItems: 100)),
                .optional("discountMinor", .minorUnits),
                .required(
                    "payments",
                    .array(
                        .object(["method": .paymentMethod, "amountMinor": .positiveMinorUnits]), minItems: 1,
                        maxItems: 5)),
            ], answers: [.json(201, .posSale)]
        ) { request in
            struct Line: Decodable {
                let product: Int64
                let quantity: Int64
                let discountMinor: Int64?
            }
            struct Payment: Decodable {
                let method: PaymentMethod
                let amountMinor: Int64
            }
            struct Body: Decodable {
                let shift: Int64
                let lines: [Line]
                let discountMinor: Int64?
                let payments: [Payment]
            }
            let body = try strictBody(request, Body.self)
            let actor = try request.actor
            guard let shift = try request.database.pos.shift(body.shift),
                actor.may(.posSales, at: BranchID(shift.branch))
            else { throw AccountError.notFound("shift", "no shift \(body.shift) at your branches") }
            guard shift.openedBy == actor.id.rawValue else {
                throw HTTPResponseError(
                    .error(403, "shift \(shift.id) is \(shift.openedByName)'s; sell on a shift of your own"))
            }
            let order = SaleOrder(
                shift: shift.id, seller: actor.id,
                lines: body.lines.map {
                    SaleOrder.Line(product: $0.product, quantity: $0.quantity, discountMinor: $0.discountMinor ?? 0)
                }, discountMinor: body.discountMinor ?? 0, payments: body.payments.map { ($0.method, $0.amountMinor) })
            let sale = try request.database.write {
                let sale = try request.database.pos.sell(
                    order, day: request.today(BranchID(shift.branch)), now: request.now)
                try request.database.webhookEvent(
                    "sale", branches: [BranchID(sale.branch)], data: sale.webhookData, now: request.now)
                try request.audit("pos.sale", target: "branch:\(sale.branch)", changes: saleAudit(sale))
                return sale
            }
            return .json(sale, status: 201)
        }
        table.add(
            .post, "/api/v1/pos/sales/:id/void", .privilege(.cashCut),
            "Void a ticket while its shift is open and before any refund: its stock and money go back",
            body: [.required("reason", .reason)], answers: [.json(200, .posSale)]
        ) { request in
            struct Body: Decodable { let reason: String }
            let body = try strictBody(request, Body.self)
            let reason = try checkReason(body.reason)
            let sale = try visibleSale(request, .cashCut)
            let actor = try request.actor
            let voided = try request.database.write {
                let voided = try request.database.pos.voidSale(sale.id, reason: reason, by: actor.id, now: request.now)
                try request.audit(
                    "pos.sale.void", target: "branch:\(sale.branch)",
                    changes: ["sale": sale.id, "totalMinor": sale.total.minorUnits, "reason": reason])
                return voided
            }
            return .json(voided)
        }
        table.add(
            .post, "/api/v1/pos/sales/:id/refunds", .privilege(.cashCut),
            "Refund lines of a ticket (all that is left when no lines are given), paid out of an open shift at the "
                + "sale's branch; never more than was sold less earlier refunds",
            body: [
                .required("shift", .id), .optional("method", .paymentMethod), .required("reason", .reason),
                .optional(
                    "lines", .array(.object(["line": .integer(minimum: 1, maximum: 100), "quantity": .quantity]))),
            ], answers: [.json(201, .posSale)]
        ) { request in
            struct Line: Decodable {
                let line: Int
                let quantity: Int64
            }
            struct Body: Decodable {
                let shift: Int64
                let method: PaymentMethod?
                let reason: String
                let lines: [Line]?
            }
            let body = try strictBody(request, Body.self)
            let reason = try checkReason(body.reason)
            let sale = try visibleSale(request, .cashCut)
            let actor = try request.actor
            // A line named twice refunds the sum of its quantities (never more than is left of it: a sum
            // past the largest quantity a line can hold is refused as more than was sold).
            var quantities: [Int: Int64] = [:]
            for line in body.lines ?? [] {
                quantities[line.line] = min(100_000, quantities[line.line, default: 0] + line.quantity)
            }
            let refunded = try request.database.write {
                let refunded = try request.database.pos.refund(
                    sale.id, quantities: quantities, shift: body.shift, method: body.method ?? .cash, reason: reason,
                    by: actor.id, day: request.today(BranchID(sale.branch)), now: request.now)
                let refund = refunded.refunds.last
                try request.audit(
                    "pos.sale.refund", target: "branch:\(sale.branch)",
                    changes: [
                        "sale": sale.id, "refund": refund?.id ?? 0, "shift": body.shift,
                        "amountMinor": refund?.amount.minorUnits ?? 0, "reason": reason,
                    ])
                return refunded
            }
            return .json(refunded, status: 201)
        }
    }
}
