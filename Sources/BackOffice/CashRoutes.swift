import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    /// A shift the caller may see (`privilege` at its branch), else a 404.
    static func visibleShift(_ request: APIRequest, _ privilege: Privilege) throws -> CashShift {
        let id = try request.id(what: "shift")
        guard let found = try request.database.pos.shift(id),
            try request.actor.may(privilege, at: BranchID(found.branch))
        else { throw HTTPResponseError(.error(404, "no such shift")) }
        return found
    }

    static func registerTarget(_ request: APIRequest, _ privilege: Privilege) throws -> CashRegister {
        let id = try request.id(what: "register")
        guard let found = try request.database.pos.register(id),
            try request.actor.may(privilege, at: BranchID(found.branch))
        else { throw HTTPResponseError(.error(404, "no such register")) }
        return found
    }

    /// A subscription payment taken at the desk goes into the ledger of the taker's open shift at
    /// the subscription's branch, if they have one, so the cut counts it.
    static func postToOwnShift(_ request: APIRequest, _ sale: SubscriptionView, _ entry: PaymentEntry) throws {
        guard
            let movement = try request.database.pos.postSubscriptionPayment(
                subscription: sale.id, branch: BranchID(sale.branch), method: entry.method,
                amountMinor: entry.amountMinor, by: try request.actor.id, now: request.now)
        else { return }
        try request.audit(
            "cash.subscription", target: "branch:\(sale.branch)",
            changes: [
                "shift": movement.shift, "subscription": sale.id, "method": entry.method.rawValue,
                "amountMinor": entry.amountMinor,
            ])
    }

    /// Cash registers, their shifts and cuts (seed 003's Corte de caja). Managing registers and
    /// closing a cut take cash_cut at the branch; opening one's own shift and moving cash in or
    /// out of it take pos_sales.
    package static func declareCashRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/cash/registers", .privilege(.posSales), "The registers of the caller's branches",
            answers: [.json(200, .array(.cashRegister))]
        ) { request in
            .json(try request.database.pos.registers(branches: try visibleBranches(request, .posSales)))
        }
        table.add(
            .post, "/api/v1/cash/registers", .privilege(.cashCut), "Add a cash register to a branch",
            body: [.required("branch", .id), .required("name", .name)], answers: [.json(201, .cashRegister)]
        ) { request in
            struct Body: Decodable {
                let branch: Int64
                let name: String
            }
            let body = try strictBody(request, Body.self)
            let branch = try bodyBranch(request, body.branch, .cashCut)
            let added = try request.database.write { () -> CashRegister? in
                let added = try request.database.pos.saveRegister(
                    id: nil, branch: branch, name: body.name, active: true)
                try request.audit(
                    "cash.register.add", target: "branch:\(branch)",
                    changes: ["register": added?.id ?? 0, "name": body.name])
                return added
            }
            return .json(added, status: 201)
        }
        table.add(
            .patch, "/api/v1/cash/registers/:id", .privilege(.cashCut), "Rename a register, or take it out of use",
            body: [.optional("name", .name), .optional("active", .boolean)], answers: [.json(200, .cashRegister)]
        ) { request in
            struct Body: Decodable {
                let name: String?
                let active: Bool?
            }
            let body = try strictBody(request, Body.self)
            let register = try registerTarget(request, .cashCut)
            let changed = try request.database.write { () -> CashRegister? in
                let changed = try request.database.pos.saveRegister(
                    id: register.id, branch: nil, name: body.name, active: body.active)
                var changes: [String: Any] = ["register": register.id]
                if let name = body.name { changes["name"] = name }
                if let active = body.active { changes["active"] = active }
                try request.audit("cash.register.update", target: "branch:\(register.branch)", changes: changes)
                return changed
            }
            return .json(changed)
        }
        table.add(
            .get, "/api/v1/cash/shifts", .privilege(.posSales),
            "Shifts of the caller's branches, the newest first; open=true for those still open",
            query: [.boolean("open"), .integer("limit", 1...500)], answers: [.json(200, .array(.cashShift))]
        ) { request in
            .json(
                try request.database.pos.shifts(
                    branches: try visibleBranches(request, .posSales), openOnly: try request.queryFlag("open") ?? false,
                    limit: try request.queryInt("limit", default: 100, range: 1...500)))
        }
        table.add(
            .post, "/api/v1/cash/shifts", .privilege(.posSales),
            "Open one's own shift on a register with a float in cash; a register has one open shift at a time",
            body: [.required("register", .id), .required("floatMinor", .minorUnits)],
            answers: [.json(201, .cashShift)]
        ) { request in
            struct Body: Decodable {
                let register: Int64
                let floatMinor: Int64
            }
            let body = try strictBody(request, Body.self)
            guard let register = try request.database.pos.register(body.register),
                try request.actor.may(.posSales, at: BranchID(register.branch))
            else { throw AccountError.notFound("register", "no register \(body.register) at your branches") }
            let actor = try request.actor
            let opened = try request.database.write {
                let opened = try request.database.pos.openShift(
                    register: register.id, user: actor.id, floatMinor: body.floatMinor, now: request.now)
                try request.audit(
                    "cash.shift.open", target: "branch:\(register.branch)",
                    changes: ["shift": opened.id, "register": register.id, "floatMinor": body.floatMinor])
                return opened
            }
            return .json(opened, status: 201)
        }
        table.add(
            .get, "/api/v1/cash/shifts/:id", .privilege(.posSales),
            "A shift's cut: its movements, what each payment method should hold, and once closed what was counted "
                + "and the corrections made since",
            answers: [.json(200, .cashCut)]
        ) { request in
            let shift = try visibleShift(request, .posSales)
            return .json(try request.database.pos.cut(shift.id))
        }
        declareCashWriteRoutes(&table)
    }

    static func declareCashWriteRoutes(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/cash/shifts/:id/movements", .privilege(.posSales),
            "Take cash out of (withdrawal) or put it into (deposit) an open shift, with a reason; a correction "
                + "(signed, cash_cut) goes on a closed cut and shows apart in its report",
            body: [
                .required("kind", .string(values: ["withdrawal", "deposit", "correction"])),
                .optional("method", .paymentMethod),
                .required(
                    "amountMinor",
                    .oneOf([
                        .integer(minimum: -10_000_000_000, maximum: -1), .integer(minimum: 1, maximum: 10_000_000_000),
                    ])),
                .required("reason", .reason),
            ], answers: [.json(201, .cashMovement)]
        ) { request in
            struct Body: Decodable {
                let kind: String
                let method: PaymentMethod?
                let amountMinor: Int64
                let reason: String
            }
            let body = try strictBody(request, Body.self)
            let reason = try checkReason(body.reason)
            let shift = try visibleShift(request, .posSales)
            let actor = try request.actor
            let manages = actor.may(.cashCut, at: BranchID(shift.branch))
            guard manages || (body.kind != "correction" && shift.openedBy == actor.id.rawValue) else {
                throw HTTPResponseError(
                    .error(
                        403,
                        body.kind == "correction"
                            ? "corrections take cash_cut at branch \(shift.branch)"
                            : "shift \(shift.id) is \(shift.openedByName)'s; cash_cut is needed to move its cash"))
            }
            let movement = try request.database.write {
                let movement = try request.database.pos.addMovement(
                    shift: shift.id, kind: body.kind, method: body.method ?? .cash, amountMinor: body.amountMinor,
                    reason: reason, by: actor.id, now: request.now)
                try request.audit(
                    "cash.\(body.kind)", target: "branch:\(shift.branch)",
                    changes: [
                        "shift": shift.id, "method": movement.method.rawValue,
                        "amountMinor": movement.amount.minorUnits, "reason": reason,
                    ])
                return movement
            }
            return .json(movement, status: 201)
        }
        table.add(
            .post, "/api/v1/cash/shifts/:id/close", .privilege(.cashCut),
            "Close a shift with the amount counted per payment method: the cut keeps expected, counted and "
                + "difference for each, and never changes after",
            body: [
                .required("countedCash", .minorUnits), .required("countedCard", .minorUnits),
                .required("countedTransfer", .minorUnits),
            ], answers: [.json(200, .cashCut)]
        ) { request in
            struct Body: Decodable {
                let countedCash: Int64
                let countedCard: Int64
                let countedTransfer: Int64
            }
            let body = try strictBody(request, Body.self)
            let shift = try visibleShift(request, .cashCut)
            let actor = try request.actor
            let cut = try request.database.write {
                let cut = try request.database.pos.closeShift(
                    shift.id,
                    counted: [.cash: body.countedCash, .card: body.countedCard, .transfer: body.countedTransfer],
                    by: actor.id, now: request.now)
                var changes: [String: Any] = ["shift": shift.id]
                for total in cut.methods {
                    changes["expected.\(total.method.rawValue)"] = total.expected.minorUnits
                    changes["counted.\(total.method.rawValue)"] = total.counted?.minorUnits ?? 0
                }
                try request.audit("cash.shift.close", target: "branch:\(shift.branch)", changes: changes)
                return cut
            }
            return .json(cut)
        }
    }
}
