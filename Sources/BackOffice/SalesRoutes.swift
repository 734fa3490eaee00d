import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension CoreAPI {
    package static let planFields: [BodyField] = [
        .optional("priceMinor", .minorUnits), .optional("currency", .string(pattern: "^[A-Z]{3}$")),
        .optional("durationDays", .integer(minimum: 1, maximum: 3_660)),
        .optional("durationMonths", .integer(minimum: 1, maximum: 120)), .optional("branches", .array(.id)),
        .optional("windows", .string), .optional("visitsPerDay", .visits), .optional("visitsPerWeek", .visits),
        .optional("visitsPerMonth", .visits), .optional("visitsTotal", .visits),
        .optional("features", .array(.string(minLength: 1, maxLength: 200))),
        .optional("graceDays", .integer(minimum: 0, maximum: 60)), .optional("active", .boolean),
    ]

    package static func planTerms(_ request: APIRequest) throws -> (PlanTerms, applyToExisting: Bool) {
        struct Body: Decodable {
            let name: String?
            let priceMinor: Int64?
            let currency: String?
            let durationDays: Int?
            let durationMonths: Int?
            let branches: [Int64]?
            let windows: String?
            let visitsPerDay: Int?
            let visitsPerWeek: Int?
            let visitsPerMonth: Int?
            let visitsTotal: Int?
            let features: [String]?
            let graceDays: Int?
            let active: Bool?
            let applyToExisting: Bool?
        }
        let body = try request.body(Body.self)
        // For the visit limits, an explicit null clears the limit; absent keeps it.
        let object =
            (try? JSONSerialization.jsonObject(with: Data(request.context.request.body)) as? [String: Any]) ?? [:]
        func limit(_ key: String, _ value: Int?) -> Int?? { object[key] == nil ? nil : .some(value) }
        var terms = PlanTerms()
        terms.name = body.name
        terms.priceMinor = body.priceMinor
        terms.currency = body.currency
        terms.durationDays = body.durationDays
        terms.durationMonths = body.durationMonths
        terms.branches = body.branches
        terms.windows = body.windows
        terms.features = body.features
        terms.graceDays = body.graceDays
        terms.active = body.active
        terms.visitsPerDay = limit("visitsPerDay", body.visitsPerDay)
        terms.visitsPerWeek = limit("visitsPerWeek", body.visitsPerWeek)
        terms.visitsPerMonth = limit("visitsPerMonth", body.visitsPerMonth)
        terms.visitsTotal = limit("visitsTotal", body.visitsTotal)
        return (terms, body.applyToExisting ?? false)
    }

    /// A subscription the caller may act on: its member must be visible and the sale at one of their branches.
    package static func subscriptionTarget(_ request: APIRequest) throws -> SubscriptionView {
        let id = try request.id(what: "subscription")
        let actor = try request.actor
        guard let found = try request.database.sales.subscription(id, today: request.today(nil)),
            actor.may(.subscriptions, at: BranchID(found.branch))
        else { throw HTTPResponseError(.error(404, "no such subscription")) }
        return found
    }

    package static func day(_ text: String?, field: String) throws -> LocalDay? {
        guard let text else { return nil }
        guard let day = LocalDay(iso: text) else { throw AccountError(field: field, problem: "a date as YYYY-MM-DD") }
        return day
    }

    /// Plans (seed 000 plan settings) and subscriptions (inscripciones).
    package static func declareSalesRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/plans", .signedIn, "Plans with their current terms; active=true for those on sale",
            query: [.boolean("active")], answers: [.json(200, .array(.plan))]
        ) { request in
            .json(try request.database.sales.plans(activeOnly: try request.queryFlag("active") ?? false))
        }
        table.add(.get, "/api/v1/plans/:id", .signedIn, "One plan's current terms", answers: [.json(200, .plan)]) {
            request in
            guard let plan = try request.database.sales.plan(try request.id(what: "plan")) else {
                return .error(404, "no such plan")
            }
            return .json(plan)
        }
        table.add(
            .post, "/api/v1/plans", .privilege(.configuration),
            "Create a plan: price in minor units, duration, branches (none: all), windows, visit limits, features; "
                + "configuration is needed at every branch it covers",
            body: [.required("name", .name), .required("priceMinor", .minorUnits)]
                + planFields.filter { $0.name != "priceMinor" },
            bodyRules: [.exactlyOne(["durationDays", "durationMonths"])], answers: [.json(201, .plan)]
        ) { request in
            let (terms, _) = try planTerms(request)
            let plan = try request.database.write {
                let plan = try request.database.sales.savePlan(
                    id: nil, terms, applyToExisting: false, today: request.today(nil), now: request.now)
                // Checked on the plan as stored (the terms are valid by now); a refusal rolls it back.
                try requireEveryBranch(
                    request, .configuration, planReach(plan?.branches ?? []), reaching: "the plan")
                try request.audit(
                    "plan.create", target: "plan:\(plan?.id ?? 0)",
                    changes: ["name": terms.name ?? "", "priceMinor": terms.priceMinor ?? 0])
                return plan
            }
            return .json(plan, status: 201)
        }
        table.add(
            .patch, "/api/v1/plans/:id", .privilege(.configuration),
            "Change a plan: new terms apply to new subscriptions, and to running ones too with applyToExisting; "
                + "configuration is needed at every branch it covers before and after",
            body: [.optional("name", .name)] + planFields + [.optional("applyToExisting", .boolean)],
            bodyRules: [.notBoth("durationDays", "durationMonths")],
            answers: [.json(200, .plan)]
        ) { request in
            let (terms, applyToExisting) = try planTerms(request)
            let id = try request.id(what: "plan")
            let object =
                (try? JSONSerialization.jsonObject(with: Data(request.context.request.body)) as? [String: Any]) ?? [:]
            let plan = try request.database.write { () -> PlanView? in
                guard let current = try request.database.sales.plan(id),
                    let plan = try request.database.sales.savePlan(
                        id: id, terms, applyToExisting: applyToExisting, today: request.today(nil), now: request.now)
                else { return nil }
                // Whoever changes a plan holds every branch it covered and every branch it covers
                // now (checked on the change as stored; a refusal rolls it back).
                let reached = try (planReach(current.branches) ?? everyBranch(request.database))
                    .union(planReach(plan.branches) ?? everyBranch(request.database))
                try requireEveryBranch(request, .configuration, reached, reaching: "the plan")
                try request.audit(
                    "plan.update", target: "plan:\(id)",
                    changes: object.filter { JSONSerialization.isValidJSONObject([$0.key: $0.value]) },
                    concerning: reached)
                return plan
            }
            guard let plan else { return .error(404, "no such plan") }
            return .json(plan)
        }

        table.add(
            .get, "/api/v1/users/:id/subscriptions", .privilege(.subscriptions),
            "A user's subscriptions sold at your branches, with where each stands today",
            answers: [.json(200, .array(.subscription))]
        ) { request in
            let target = try target(request)
            // A sale at a branch the caller does not hold (its price, its payment reference) is
            // that branch's business.
            let branches = try visibleBranches(request, .subscriptions)
            return .json(
                try request.database.sales.subscriptions(of: target.id, today: request.today(nil)).filter {
                    branches?.contains(BranchID($0.branch)) ?? true
                })
        }
        table.add(
            .post, "/api/v1/subscriptions", .privilege(.subscriptions),
            "Enrol a user on a plan at a branch: the plan's price less the promotion with the code given, or without "
                + "one the best automatic promotion; pricePaid sets a price by hand (no promotion)",
            body: [
                .required("user", .id), .required("plan", .id), .required("branch", .id),
                .optional("startDate", .date), .optional("pricePaid", .minorUnits),
                .optional("promotion", .promotionCode), .optional("paymentReference", .string(maxLength: 100)),
            ] + salePaymentFields, bodyRules: [.notBoth("pricePaid", "promotion")], answers: [.json(201, .subscription)]
        ) { request in
            struct Body: Decodable {
                let user: Int64
                let plan: Int64
                let branch: Int64
                let startDate: String?
                let pricePaid: Int64?
                let promotion: String?
                let paymentReference: String?
                let payment: String?
                let paymentDue: String?
                let paymentMethod: String?
            }
            let body = try request.body(Body.self)
            for (field, id) in [("user", body.user), ("plan", body.plan), ("branch", body.branch)] where id < 1 {
                throw AccountError(field: field, problem: "must be a positive id, not \(id)")
            }
            let actor = try request.actor
            guard actor.may(.subscriptions, at: BranchID(body.branch)) else {
                return .error(403, "subscriptions is not among your privileges at branch \(body.branch)")
            }
            guard try request.database.accounts.branch(BranchID(body.branch)) != nil else {
                throw AccountError.notFound("branch", "no branch \(body.branch)")
            }
            guard let member = try request.database.accounts.account(UserID(body.user)), mayView(actor, member) else {
                throw AccountError.notFound("user", "no user \(body.user)")
            }
            let today = request.today(BranchID(body.branch))
            let start = try day(body.startDate, field: "startDate") ?? today
            let created = try request.database.write {
                let created = try request.database.sales.enroll(
                    user: member.id, plan: body.plan, branch: BranchID(body.branch), start: start,
                    pricePaid: body.pricePaid,
                    promotion: body.promotion ?? "", paymentReference: body.paymentReference ?? "", soldBy: actor.id,
                    today: today, now: request.now)
                try request.database.webhookEvent(
                    "sale", branches: [BranchID(body.branch)], data: created.webhookData, now: request.now)
                try request.audit(
                    "subscription.create", target: "subscription:\(created.id)",
                    changes: [
                        "user": body.user, "plan": body.plan, "branch": body.branch,
                        "pricePaid": created.pricePaid.minorUnits, "start": created.startDate.description,
                        "promotion": created.promotion, "discount": created.discount.minorUnits,
                    ])
                return try owePayment(
                    created, payment: body.payment, due: body.paymentDue, method: body.paymentMethod, request: request,
                    today: today)
            }
            return .json(created, status: 201)
        }
        table.add(
            .get, "/api/v1/subscriptions/:id", .privilege(.subscriptions), "A subscription and where it stands today",
            answers: [.json(200, .subscription)]
        ) { request in
            .json(try subscriptionTarget(request))
        }
        table.add(
            .post, "/api/v1/subscriptions/:id/renew", .privilege(.subscriptions),
            "Renew: a new subscription on the same plan from the day after this one ends (promotions as on enrol)",
            body: [
                .optional("pricePaid", .minorUnits), .optional("promotion", .promotionCode),
                .optional("paymentReference", .string(maxLength: 100)),
            ] + salePaymentFields, bodyRules: [.notBoth("pricePaid", "promotion")], answers: [.json(201, .subscription)]
        ) { request in
            struct Body: Decodable {
                let pricePaid: Int64?
                let promotion: String?
                let paymentReference: String?
                let payment: String?
                let paymentDue: String?
                let paymentMethod: String?
            }
            let body = try request.body(Body.self)
            let current = try subscriptionTarget(request)
            let today = request.today(BranchID(current.branch))
            let renewed = try request.database.write { () -> SubscriptionView? in
                let renewed = try request.database.sales.renew(
                    current.id, pricePaid: body.pricePaid, promotion: body.promotion ?? "",
                    paymentReference: body.paymentReference ?? "", soldBy: try request.actor.id, today: today,
                    now: request.now)
                if let renewed {
                    try request.database.webhookEvent(
                        "sale", branches: [BranchID(renewed.branch)], data: renewed.webhookData, now: request.now)
                }
                try request.audit(
                    "subscription.renew", target: "subscription:\(current.id)",
                    changes: [
                        "new": renewed?.id ?? 0, "promotion": renewed?.promotion ?? "",
                        "discount": renewed?.discount.minorUnits ?? 0,
                    ])
                guard let renewed else { return nil }
                return try owePayment(
                    renewed, payment: body.payment, due: body.paymentDue, method: body.paymentMethod, request: request,
                    today: today)
            }
            return .json(renewed, status: 201)
        }
        table.add(
            .post, "/api/v1/subscriptions/:id/freeze", .privilege(.subscriptions),
            "Freeze from startDate (default today) to endDate (open when absent); the end moves by the frozen days",
            body: [
                .optional("startDate", .date), .optional("endDate", .date),
                .optional("reason", .string(maxLength: 200)),
            ],
            answers: [.json(200, .subscription)]
        ) { request in
            struct Body: Decodable {
                let startDate: String?
                let endDate: String?
                let reason: String?
            }
            let body = try request.body(Body.self)
            let current = try subscriptionTarget(request)
            let today = request.today(BranchID(current.branch))
            let start = try day(body.startDate, field: "startDate") ?? today
            let end = try day(body.endDate, field: "endDate")
            let frozen = try request.database.write {
                let frozen = try request.database.sales.freeze(
                    current.id, start: start, end: end, reason: body.reason ?? "", today: today, now: request.now)
                try request.audit(
                    "subscription.freeze", target: "subscription:\(current.id)",
                    changes: ["start": start.description, "end": end?.description ?? "", "reason": body.reason ?? ""])
                return frozen
            }
            return .json(frozen)
        }
        table.add(
            .post, "/api/v1/subscriptions/:id/unfreeze", .privilege(.subscriptions),
            "End the freeze: back from date (default today)",
            body: [.optional("date", .date)], answers: [.json(200, .subscription)]
        ) { request in
            struct Body: Decodable { let date: String? }
            let body = try request.body(Body.self)
            let current = try subscriptionTarget(request)
            let today = request.today(BranchID(current.branch))
            let day = try day(body.date, field: "date") ?? today
            let thawed = try request.database.write {
                let thawed = try request.database.sales.unfreeze(current.id, on: day, today: today, now: request.now)
                try request.audit(
                    "subscription.unfreeze", target: "subscription:\(current.id)", changes: ["date": day.description])
                return thawed
            }
            return .json(thawed)
        }
        table.add(
            .post, "/api/v1/subscriptions/:id/cancel", .privilege(.subscriptions),
            "Cancel a subscription: the member stops getting in at once", answers: [.json(200, .subscription)]
        ) { request in
            let current = try subscriptionTarget(request)
            let cancelled = try request.database.write {
                let cancelled = try request.database.sales.cancel(
                    current.id, today: request.today(BranchID(current.branch)), now: request.now)
                try request.audit("subscription.cancel", target: "subscription:\(current.id)")
                return cancelled
            }
            return .json(cancelled)
        }
    }
}
