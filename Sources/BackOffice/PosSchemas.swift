import CoreStorage
import Foundation
import HTTP
import PorteroModel
import Service

/// The point of sale's and the cash cuts' answers, as the OpenAPI document publishes them.
extension Schema {
    static let paymentMethod = Schema.string(values: PaymentMethod.allCases.map(\.rawValue))
    static let quantity = Schema.integer(minimum: 1, maximum: 100_000)
    static let positiveMinorUnits = Schema.integer(minimum: 1, maximum: 10_000_000_000)
    static let taxBasisPoints = Schema.integer(minimum: 0, maximum: 10_000)
    static let sku = Schema.string(pattern: "^[A-Za-z0-9._-]{1,64}$", minLength: 1, maxLength: 64)

    static let posCategory = named("PosCategory", .object(["id": .id, "name": .text, "active": .boolean]))
    static let posProduct = named(
        "PosProduct",
        .object(
            [
                "id": .id, "name": .text, "sku": .text, "price": money, "taxRateBasisPoints": .integer(),
                "active": .boolean, "tracksStock": .boolean, "allowsNegativeStock": .boolean,
                "stock": .array(.object(["branch": .id, "quantity": .integer()])),
            ], optional: ["category": .id]))
    static let stockMovement = named(
        "StockMovement",
        .object([
            "id": .id, "product": .id, "branch": .id,
            "kind": .string(values: ["purchase", "sale", "refund", "void", "adjustment"]), "quantity": .integer(),
            "reference": .text, "reason": .text, "by": .id, "at": .timestamp,
        ]))
    static let cashRegister = named(
        "CashRegister",
        .object(["id": .id, "branch": .id, "name": .text, "active": .boolean], optional: ["openShift": .id]))
    static let cashShift = named(
        "CashShift",
        .object(
            [
                "id": .id, "register": .id, "registerName": .text, "branch": .id, "openedBy": .id,
                "openedByName": .text, "openedAt": .timestamp, "float": money,
            ], optional: ["closedBy": .id, "closedAt": .timestamp]))
    static let cashMovement = named(
        "CashMovement",
        .object([
            "id": .id, "shift": .id,
            "kind": .string(values: ["sale", "void", "refund", "withdrawal", "deposit", "correction", "subscription"]),
            "method": paymentMethod, "amount": money, "reference": .text, "reason": .text, "by": .id,
            "at": .timestamp,
        ]))
    static let cashCut = named(
        "CashCut",
        .object([
            "shift": cashShift, "status": .string(values: ["open", "closed"]), "salesCount": .count,
            "movements": .array(cashMovement),
            "methods": .array(
                .object(
                    ["method": paymentMethod, "expected": money], optional: ["counted": money, "difference": money])),
            "corrections": .array(cashMovement), "correctionsTotal": money,
        ]))
    static let posSale = named(
        "PosSale",
        .object(
            [
                "id": .id, "branch": .id, "shift": .id, "soldBy": .id, "soldAt": .timestamp, "subtotal": money,
                "discount": money, "total": money, "tax": money, "change": money,
                "status": .string(values: ["completed", "void"]),
                "lines": .array(
                    .object([
                        "line": .id, "product": .id, "name": .text, "sku": .text, "quantity": .integer(),
                        "unitPrice": money, "discount": money, "net": money, "taxRateBasisPoints": .integer(),
                        "tax": money, "refundedQuantity": .integer(), "refunded": money,
                    ])),
                "payments": .array(.object(["method": paymentMethod, "amount": money])),
                "refunds": .array(
                    .object([
                        "id": .id, "shift": .id, "method": paymentMethod, "amount": money, "reason": .text, "by": .id,
                        "at": .timestamp,
                    ])),
            ], optional: ["voidReason": .text]))
    static let posPurchase = named(
        "PosPurchase",
        .object([
            "id": .id, "branch": .id, "supplier": .text, "totalCost": money, "by": .id, "at": .timestamp,
            "lines": .array(.object(["product": .id, "quantity": .integer(), "unitCost": money])),
        ]))
    static let posDailySales = named(
        "PosDailySales",
        .object(["branch": .id, "day": .date, "count": .integer(), "amount": money, "refunded": money]))
}

extension CoreAPI {
    /// The body, decoded, after checking it whole against the route's declared fields, so nested
    /// lists and objects are held to the document as strictly as the top level.
    static func strictBody<T: Decodable>(_ request: APIRequest, _ type: T.Type) throws -> T {
        let decoded = try request.body(type)
        let declared = Schema.object(
            request.route.body.map { Schema.Property(name: $0.name, schema: $0.schema, required: $0.required) })
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(request.context.request.body)),
            let problem = declared.problems(in: value).first
        {
            throw HTTPResponseError(.error(400, problem.replacingOccurrences(of: "$.", with: "")))
        }
        return decoded
    }

    /// A branch named in a write's body, where the caller must hold `privilege`.
    static func bodyBranch(_ request: APIRequest, _ id: Int64, _ privilege: Privilege) throws -> BranchID {
        let branch = BranchID(id)
        guard try request.database.accounts.branch(branch) != nil else {
            throw AccountError.notFound("branch", "no branch \(id)")
        }
        guard try request.actor.may(privilege, at: branch) else {
            throw HTTPResponseError(.error(403, "\(privilege.rawValue) is not among your privileges at branch \(id)"))
        }
        return branch
    }
}
