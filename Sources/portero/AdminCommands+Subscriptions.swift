import CoreClient
import Foundation
import PorteroCLI

/// `portero subscriptions list|enroll|day-pass|freeze|unfreeze|renew|cancel|pass`: sales, with a promotion code
/// or a payment to come.
extension AdminCommands {
    func subscriptions() throws -> ExitCode {
        let client = try client()
        let columns = [
            ("id", "ID"), ("userID", "USER"), ("planName", "PLAN"), ("branch", "BRANCH"), ("startDate", "START"),
            ("effectiveEndDate", "END"),
            ("standing", "STANDING"), ("pricePaid", "PAID"), ("discount", "DISCOUNT"), ("promotion", "PROMOTION"),
        ]
        let verb = words.count > 1 ? words[1] : ""
        switch verb {
        case "list":
            list(
                try client.send(
                    "GET", "api/v1/users/\(try number(try positional(2, "a user id"), "the user id"))/subscriptions"
                ).json(), columns)
        case "enroll":
            var body: [String: Any] = [
                "user": try number(try value("--user"), "--user"), "plan": try number(try value("--plan"), "--plan"),
                "branch": try number(try value("--branch"), "--branch"),
            ]
            if let start = arguments.value("--start") { body["startDate"] = start }
            if let price = arguments.value("--price") { body["pricePaid"] = try minorUnits(price, "--price") }
            if let promotion = arguments.value("--promotion") { body["promotion"] = promotion }
            if let reference = arguments.value("--reference") { body["paymentReference"] = reference }
            try salePayment(&body)
            show(try client.send("POST", "api/v1/subscriptions", json: body).json())
        case "pass": return try subscriptionPass(client)
        case "day-pass": return try sellDayPass(client)
        case "freeze", "unfreeze", "renew", "cancel":
            let id = try number(try positional(2, "a subscription id"), "the subscription id")
            var body: [String: Any] = [:]
            if verb == "freeze" {
                if let from = arguments.value("--from") { body["startDate"] = from }
                if let to = arguments.value("--to") { body["endDate"] = to }
                if let reason = arguments.value("--reason") { body["reason"] = reason }
            }
            if verb == "unfreeze", let from = arguments.value("--from") { body["date"] = from }
            if verb == "renew" {
                try salePayment(&body)
                if let promotion = arguments.value("--promotion") { body["promotion"] = promotion }
            }
            show(try client.send("POST", "api/v1/subscriptions/\(id)/\(verb)", json: body).json())
        default:
            throw CommandLineArguments.UsageError(
                message:
                    "subscriptions takes list USER, enroll, day-pass, freeze ID, unfreeze ID, renew ID, cancel ID or "
                    + "pass ID")
        }
        return .success
    }
}
