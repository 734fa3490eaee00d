import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension Schema {
    static let promotion = named(
        "Promotion",
        .object(
            [
                "id": .id, "name": .text, "kind": .string(values: ["percent", "amount"]), "value": .id,
                "plans": .array(.id), "branches": .array(.id), "uses": .count, "active": .boolean,
            ],
            optional: [
                "code": .text, "amount": .money, "validFrom": .date, "validTo": .date, "maxUses": .id,
                "maxUsesPerMember": .id,
            ]))

    /// A promotion code: letters, digits, `-` and `_` (kept upper case); "" on a change makes it automatic.
    static let promotionCode = Schema.string(pattern: "^[A-Za-z0-9_-]{0,40}$", maxLength: 40)
}

extension CoreAPI {
    static let promotionFields: [BodyField] = [
        .optional("code", .promotionCode), .optional("plans", .array(.id, maxItems: 500)),
        .optional("branches", .array(.id, maxItems: 500)),
        .optional("validFrom", .nullable(.date)), .optional("validTo", .nullable(.date)),
        .optional("maxUses", .nullable(.integer(minimum: 1, maximum: 1_000_000))),
        .optional("maxUsesPerMember", .nullable(.integer(minimum: 1, maximum: 1_000))),
        .optional("active", .boolean),
    ]

    static func promotionTerms(_ request: APIRequest) throws -> PromotionTerms {
        struct Body: Decodable {
            let code: String?
            let name: String?
            let kind: String?
            let value: Int64?
            let plans: [Int64]?
            let branches: [Int64]?
            let validFrom: String?
            let validTo: String?
            let maxUses: Int64?
            let maxUsesPerMember: Int64?
            let active: Bool?
        }
        let body = try request.body(Body.self)
        // For the dates and caps, an explicit null clears; absent keeps.
        let object =
            (try? JSONSerialization.jsonObject(with: Data(request.context.request.body)) as? [String: Any]) ?? [:]
        func given<T>(_ key: String, _ value: T?) -> T?? { object[key] == nil ? nil : .some(value) }
        var terms = PromotionTerms()
        terms.code = body.code
        terms.name = body.name
        terms.kind = body.kind
        terms.value = body.value
        terms.plans = body.plans
        terms.branches = body.branches
        terms.validFrom = given("validFrom", try day(body.validFrom, field: "validFrom"))
        terms.validTo = given("validTo", try day(body.validTo, field: "validTo"))
        terms.maxUses = given("maxUses", body.maxUses)
        terms.maxUsesPerMember = given("maxUsesPerMember", body.maxUsesPerMember)
        terms.active = body.active
        return terms
    }

    /// A promotion the caller sees: one that covers a branch they hold `promotions` at (one that
    /// names no branch covers them all); else a 404.
    static func promotionTarget(_ request: APIRequest) throws -> PromotionView {
        guard let found = try request.database.promotions.promotion(try request.id(what: "promotion")),
            try reaches(found, visibleBranches(request, .promotions))
        else { throw HTTPResponseError(.error(404, "no such promotion")) }
        return found
    }

    static func reaches(_ promotion: PromotionView, _ branches: Set<BranchID>?) -> Bool {
        guard let branches else { return true }
        return promotion.branches.isEmpty || promotion.branches.contains { branches.contains(BranchID($0)) }
    }

    static func promotionChanges(_ request: APIRequest) -> [String: Any] {
        let object =
            (try? JSONSerialization.jsonObject(with: Data(request.context.request.body)) as? [String: Any]) ?? [:]
        return object.filter { JSONSerialization.isValidJSONObject([$0.key: $0.value]) }
    }

    /// Promotions: managed by those holding `promotions` at every branch one covers; applied
    /// when a subscription is sold (`promotion` on enrol and renew).
    package static func declarePromotionRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/promotions", .privilege(.promotions),
            "Promotions covering your branches: codes first, then automatic ones",
            answers: [.json(200, .array(.promotion))]
        ) { request in
            let branches = try visibleBranches(request, .promotions)
            return .json(try request.database.promotions.promotions().filter { reaches($0, branches) })
        }
        table.add(
            .get, "/api/v1/promotions/:id", .privilege(.promotions), "One promotion and its uses so far",
            answers: [.json(200, .promotion)]
        ) { request in
            .json(try promotionTarget(request))
        }
        table.add(
            .post, "/api/v1/promotions", .privilege(.promotions),
            "Create a promotion: a code (none: automatic), a percentage (basis points) or an amount (minor units), "
                + "the plans and branches it covers (none: all), validity days, caps; promotions is needed at every "
                + "branch it covers",
            body: [
                .required("name", .name), .required("kind", .string(values: ["percent", "amount"])),
                .required("value", .integer(minimum: 1, maximum: 10_000_000_000)),
            ] + promotionFields, answers: [.json(201, .promotion)]
        ) { request in
            let terms = try promotionTerms(request)
            let created = try request.database.write {
                guard let created = try request.database.promotions.savePromotion(id: nil, terms, now: request.now)
                else { throw AccountError(field: "name", problem: "could not be read back") }
                let reach = planReach(created.branches)
                try requireEveryBranch(request, .promotions, reach, reaching: "the promotion")
                try request.audit(
                    "promotion.create", target: "promotion:\(created.id)", changes: promotionChanges(request),
                    concerning: try reach ?? everyBranch(request.database))
                return created
            }
            return .json(created, status: 201)
        }
        table.add(
            .patch, "/api/v1/promotions/:id", .privilege(.promotions),
            "Change a promotion (code \"\" makes it automatic; null clears a date or a cap); promotions is needed "
                + "at every branch it covers before and after",
            body: [
                .optional("name", .name), .optional("kind", .string(values: ["percent", "amount"])),
                .optional("value", .integer(minimum: 1, maximum: 10_000_000_000)),
            ] + promotionFields, answers: [.json(200, .promotion)]
        ) { request in
            let current = try promotionTarget(request)
            let terms = try promotionTerms(request)
            let changed = try request.database.write { () -> PromotionView? in
                guard
                    let changed = try request.database.promotions.savePromotion(
                        id: current.id, terms, now: request.now)
                else { return nil }
                let reached = try (planReach(current.branches) ?? everyBranch(request.database))
                    .union(planReach(changed.branches) ?? everyBranch(request.database))
                try requireEveryBranch(request, .promotions, reached, reaching: "the promotion")
                try request.audit(
                    "promotion.update", target: "promotion:\(current.id)", changes: promotionChanges(request),
                    concerning: reached)
                return changed
            }
            guard let changed else { return .error(404, "no such promotion") }
            return .json(changed)
        }
    }
}
