import CoreClient
import Foundation
import PorteroCLI

/// `portero subscriptions pass ID [--send]`: a pass's signed code for the doors (each issue is
/// audited and signs anew), with its holder, dates, entries and branches; `--send` emails it to
/// the holder instead. `portero subscriptions day-pass`: the desk's sale of a pass to a member or
/// a new guest, sold or given with a reason.
extension AdminCommands {
    static let dayPassFlags: Set<String> = ["--send"]
    static let dayPassValued: Set<String> = ["--guest", "--guest-email", "--guest-phone", "--give"]

    func sellDayPass(_ client: CoreClient) throws -> ExitCode {
        var body: [String: Any] = [
            "plan": try number(try value("--plan"), "--plan"), "branch": try number(try value("--branch"), "--branch"),
        ]
        switch (arguments.value("--user"), arguments.value("--guest")) {
        case let (user?, nil): body["user"] = try number(user, "--user")
        case let (nil, guest?):
            body["guestName"] = guest
            if let email = arguments.value("--guest-email") { body["guestEmail"] = email }
            if let phone = arguments.value("--guest-phone") { body["guestPhone"] = phone }
        default:
            throw CommandLineArguments.UsageError(message: "subscriptions day-pass needs --user ID or --guest NAME")
        }
        if let start = arguments.value("--start") { body["startDate"] = start }
        if let reason = arguments.value("--give") { body["give"] = reason }
        if let price = arguments.value("--price") {
            let minor = try minorUnits(price, "--price")
            guard minor > 0 else {
                throw CommandLineArguments.UsageError(message: "--price 0 is a gift: --give REASON instead")
            }
            body["pricePaid"] = minor
        }
        if let promotion = arguments.value("--promotion") { body["promotion"] = promotion }
        if let reference = arguments.value("--reference") { body["paymentReference"] = reference }
        try salePayment(&body)
        let sold = try client.send("POST", "api/v1/day-passes", json: body).json()
        show(sold)
        return .success
    }

    func subscriptionPass(_ client: CoreClient) throws -> ExitCode {
        let id = try number(try positional(2, "a subscription id"), "the subscription id")
        if arguments.has("--send") {
            let sent = try client.send("POST", "api/v1/subscriptions/\(id)/pass/send").json()
            if json { printJSON(sent) } else { print("sent to \(Self.text((sent as? [String: Any])?["to"]))") }
            return .success
        }
        let pass = try client.send("POST", "api/v1/subscriptions/\(id)/pass").json()
        guard !json, var details = pass as? [String: Any] else {
            printJSON(pass)
            return .success
        }
        print(Self.text(details.removeValue(forKey: "code")))
        let branches = (details["branches"] as? [Any]) ?? []
        details["branches"] = branches.isEmpty ? "every branch" : branches.map { Self.text($0) }.joined(separator: ",")
        if details["entries"] is NSNull { details["entries"] = "no set number" }
        show(details)
        return .success
    }
}
