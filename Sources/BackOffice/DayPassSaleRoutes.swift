import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    /// The next free guest username, `invitado-<n>` (`after` more when the first ones were taken
    /// meanwhile). A name someone typed with an absurd number is not counted.
    static func nextGuestUsername(_ database: CoreDatabase, after skipped: Int = 0) throws -> String {
        let taken: [String] = try database.db.query(
            "SELECT username FROM users WHERE username LIKE 'invitado-%'", map: { try $0.get(0) })
        let highest = taken.compactMap { Int($0.dropFirst("invitado-".count)) }.filter { $0 < 1_000_000_000 }.max()
        return "invitado-\((highest ?? 0) + 1 + skipped)"
    }

    /// A guest (role cliente, a name and maybe an email and phone) at `branch`, made as the user
    /// route makes users, in the caller's transaction; audited as `user.create`.
    static func createGuest(
        name: String, email: String?, phone: String?, branch: BranchID, _ request: APIRequest
    ) throws -> Account {
        let database = request.database
        var username = ""
        var made: Account?
        // Another desk may take the same guest number at the same moment: the next one is tried.
        for attempt in 0..<5 where made == nil {
            username = try nextGuestUsername(database, after: attempt)
            do {
                made = try database.db.attempt {
                    try database.accounts.createAccount(
                        username: username, email: email ?? "\(username)@\(guestMailDomain)", password: nil,
                        name: name, paternalSurname: "", roles: RoleSet([.client]), branches: [branch],
                        now: request.now)
                }
            } catch let error as AccountError where error.kind == .conflict && (error.field != "email" || email == nil)
            {
                continue
            } catch let error as AccountError where error.field == "email" || error.field == "name" {
                throw AccountError(
                    field: error.field == "email" ? "guestEmail" : "guestName", problem: error.problem,
                    kind: error.kind)
            }
        }
        guard let account = made else {
            throw AccountError.conflict("guestName", "no free guest number: try again")
        }
        if let phone {
            var fields = ProfileFields()
            fields.phone = phone
            do {
                try database.members.setProfile(account.id, fields)
            } catch let error as AccountError where error.field == "phone" {
                throw AccountError(field: "guestPhone", problem: error.problem, kind: error.kind)
            }
        }
        try database.members.recordChange("user", account.id.rawValue, now: request.now)
        try database.webhookEvent(
            "member", branches: [branch], data: ["user": account.id.rawValue, "change": "created"], now: request.now)
        try request.audit(
            "user.create", target: "user:\(account.id)",
            changes: [
                "username": username, "roles": ["cliente"], "branches": [branch.rawValue], "guest": true,
                "email": email ?? "", "phone": phone ?? "",
            ])
        return account
    }

    /// The desk's sale of a pass: a subscription to a pass plan (one with a visits total) for a
    /// member or for a new guest, sold or given (price 0, with a reason).
    static func declareDayPassSaleRoute(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/day-passes", .privilege(.subscriptions),
            "Sell a pass (a subscription to a plan with a visits total) at a branch to a member (user) or to a new "
                + "guest (guestName, optional guestEmail and guestPhone; users privilege needed): at the plan's "
                + "price less promotions as a sale, pricePaid by hand, or give with a reason for price 0",
            body: [
                .required("plan", .id), .required("branch", .id), .optional("startDate", .date),
                .optional("user", .id), .optional("guestName", .name), .optional("guestEmail", .email),
                .optional("guestPhone", .string(pattern: "^[0-9 +().-]{0,32}$")),
                .optional("pricePaid", .integer(minimum: 1, maximum: 10_000_000_000)),
                .optional("promotion", .promotionCode),
                .optional("give", .reason), .optional("paymentReference", .string(maxLength: 100)),
            ] + salePaymentFields,
            bodyRules: [
                .exactlyOne(["user", "guestName"]), .notBoth("pricePaid", "promotion"), .notBoth("give", "pricePaid"),
                .notBoth("give", "promotion"),
            ],
            answers: [.json(201, .subscription)]
        ) { request in
            struct Body: Decodable {
                let plan: Int64
                let branch: Int64
                let startDate: String?
                let user: Int64?
                let guestName: String?
                let guestEmail: String?
                let guestPhone: String?
                let pricePaid: Int64?
                let promotion: String?
                let give: String?
                let paymentReference: String?
                let payment: String?
                let paymentDue: String?
                let paymentMethod: String?
            }
            let body = try request.body(Body.self)
            for (field, id) in [("plan", body.plan), ("branch", body.branch), ("user", body.user ?? 1)] where id < 1 {
                throw AccountError(field: field, problem: "must be a positive id, not \(id)")
            }
            guard (body.user == nil) != (body.guestName == nil) else {
                throw AccountError(field: "user", problem: "give either user or guestName")
            }
            if body.give != nil, body.pricePaid != nil || body.promotion != nil {
                throw AccountError(
                    field: "give", problem: "a given pass costs nothing: no pricePaid or promotion with it")
            }
            if body.give == nil, body.pricePaid == 0 {
                throw AccountError(field: "pricePaid", problem: "a price of 0 is a gift: use give with a reason")
            }
            if body.give != nil, (body.payment.map { $0 != "paid" } ?? false) || body.paymentDue != nil {
                throw AccountError(field: "payment", problem: "a given pass is owed nothing")
            }
            let branch = BranchID(body.branch)
            let actor = try request.actor
            guard actor.may(.subscriptions, at: branch) else {
                return .error(403, "subscriptions is not among your privileges at branch \(body.branch)")
            }
            if body.guestName != nil, !actor.may(.users, at: branch) {
                return .error(403, "users is not among your privileges at branch \(body.branch), to add a guest")
            }
            guard try request.database.accounts.branch(branch) != nil else {
                throw AccountError.notFound("branch", "no branch \(body.branch)")
            }
            guard let plan = try request.database.sales.plan(body.plan) else {
                throw AccountError.notFound("plan", "no plan \(body.plan)")
            }
            guard plan.visitLimit.perSubscription != nil else {
                throw AccountError(field: "plan", problem: "\(plan.name) is not a pass plan: it has no visits total")
            }
            let given: String?
            do {
                given = try body.give.map(checkReason)
            } catch let error as AccountError {
                throw AccountError(field: "give", problem: error.problem)
            }
            let today = request.today(branch)
            let start = try day(body.startDate, field: "startDate") ?? today
            let sold = try request.database.write {
                let holder: Account
                if let user = body.user {
                    guard let member = try request.database.accounts.account(UserID(user)), mayView(actor, member)
                    else { throw AccountError.notFound("user", "no user \(user)") }
                    holder = member
                } else {
                    holder = try createGuest(
                        name: body.guestName ?? "", email: body.guestEmail, phone: body.guestPhone, branch: branch,
                        request)
                }
                let created = try request.database.sales.enroll(
                    user: holder.id, plan: body.plan, branch: branch, start: start,
                    pricePaid: body.give != nil ? 0 : body.pricePaid, promotion: body.promotion ?? "",
                    paymentReference: body.paymentReference ?? "", soldBy: actor.id, today: today, now: request.now)
                try request.database.webhookEvent(
                    "sale", branches: [branch], data: created.webhookData, now: request.now)
                try request.audit(
                    "subscription.create", target: "subscription:\(created.id)",
                    changes: [
                        "user": holder.id.rawValue, "plan": body.plan, "branch": body.branch,
                        "pricePaid": created.pricePaid.minorUnits, "start": created.startDate.description,
                        "promotion": created.promotion, "discount": created.discount.minorUnits, "pass": true,
                    ])
                if let reason = given {
                    try request.audit(
                        "pass.give", target: "subscription:\(created.id)",
                        changes: ["user": holder.id.rawValue, "plan": body.plan, "reason": reason])
                }
                return try owePayment(
                    created, payment: body.payment, due: body.paymentDue, method: body.paymentMethod, request: request,
                    today: today)
            }
            return .json(sold, status: 201)
        }
    }
}
