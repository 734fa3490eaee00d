import CoreClient
import Foundation
import PorteroCLI

/// `portero settings` (the chain's currency, payment grace, tax rate and seller) and
/// `portero payments` (who owes, what was paid, recording a payment).
extension AdminCommands {
    static let paymentFlags: Set<String> = ["--failed"]
    static let paymentValued: Set<String> = [
        "--payment", "--due", "--method", "--amount", "--payment-grace", "--tax-rate", "--legal-name", "--tax-id",
        "--fiscal-address", "--sign-in-networks", "--in-app", "--email-too",
    ]

    /// An amount typed as 599.00 (or 599), in minor units.
    func minorUnits(_ text: String, _ flag: String) throws -> Int64 {
        guard let amount = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), amount >= 0,
            amount <= 100_000_000
        else {
            throw CommandLineArguments.UsageError(message: "\(flag) must be an amount such as 599.00")
        }
        var cents = amount * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// `--payment pending|credit [--due DATE]` of a sale, into its body.
    func salePayment(_ body: inout [String: Any]) throws {
        if let payment = arguments.value("--payment") {
            guard ["paid", "pending", "credit"].contains(payment) else {
                throw CommandLineArguments.UsageError(message: "--payment is paid, pending or credit")
            }
            body["payment"] = payment
        }
        if let due = arguments.value("--due") { body["paymentDue"] = due }
        if let method = arguments.value("--method") { body["paymentMethod"] = method }
    }

    func settings() throws -> ExitCode {
        let client = try client()
        let action = words.count > 1 ? words[1] : "show"
        switch action {
        case "show":
            show(try client.send("GET", "api/v1/settings").json())
        case "set":
            guard var body = try client.send("GET", "api/v1/settings").json() as? [String: Any] else {
                throw AdminError("the core did not answer its settings")
            }
            let texts = [
                ("--currency", "currency"), ("--legal-name", "legalName"), ("--tax-id", "taxID"),
                ("--fiscal-address", "fiscalAddress"),
            ]
            for (flag, key) in texts { if let value = arguments.value(flag) { body[key] = value } }
            if let grace = arguments.value("--payment-grace") {
                guard let days = Int(grace) else {
                    throw CommandLineArguments.UsageError(message: "--payment-grace is a number of days")
                }
                body["paymentGraceDays"] = days
            }
            if let minutes = arguments.value("--support-minutes") {
                guard let value = Int(minutes) else {
                    throw CommandLineArguments.UsageError(message: "--support-minutes is a number from 1 to 5")
                }
                body["supportSessionMinutes"] = value
            }
            if let rate = arguments.value("--tax-rate") {
                // Typed as a percentage (16, 8.5): kept in basis points.
                guard let percent = Decimal(string: rate, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw CommandLineArguments.UsageError(message: "--tax-rate is a percentage such as 16")
                }
                body["taxRateBasisPoints"] = NSDecimalNumber(decimal: percent * 100).intValue
            }
            if let text = arguments.value("--sign-in-networks") {
                // ROLE=NET,NET;ROLE=… ; a role with nothing after = signs in from anywhere again.
                var networks = (body["signInNetworks"] as? [String: [String]]) ?? [:]
                for part in text.split(separator: ";") {
                    let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard pair.count == 2 else {
                        throw CommandLineArguments.UsageError(
                            message: "--sign-in-networks takes ROLE=NETWORK[,NETWORK…][;ROLE=…]")
                    }
                    networks[String(pair[0]).trimmingCharacters(in: .whitespaces)] =
                        pair[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                }
                body["signInNetworks"] = networks
            }
            try configurationOptions(into: &body)
            show(try client.send("PUT", "api/v1/settings", json: body).json())
        case "logo": try chainLogo(client)
        default:
            throw CommandLineArguments.UsageError(
                message:
                    "settings takes show, logo FILE|--clear, or set [--currency MXN] [--payment-grace DAYS] "
                    + "[--tax-rate 16] [--legal-name TEXT] [--tax-id TEXT] [--fiscal-address TEXT] [--support-minutes 1-5] "
                    + "[--sign-in-networks 'superadministrador=10.0.0.0/8,192.168.1.0/24;recepcion='] "
                    + Self.configurationUsage)
        }
        return .success
    }

    func payments() throws -> ExitCode {
        let client = try client()
        let action = words.count > 1 ? words[1] : "owed"
        switch action {
        case "owed":
            list(
                try client.send("GET", "api/v1/payments/owed", query: query([])).json(),
                [
                    ("id", "SUBSCRIPTION"), ("userID", "USER"), ("planName", "PLAN"), ("branch", "BRANCH"),
                    ("pricePaid", "PRICE"), ("paymentStatus", "PAYMENT"), ("paymentDue", "DUE"),
                    ("doorRefusesFrom", "DOOR REFUSES FROM"),
                ])
        case "list":
            let id = try number(try positional(2, "a subscription id"), "the subscription id")
            list(
                try client.send("GET", "api/v1/subscriptions/\(id)/payments").json(),
                [
                    ("id", "ID"), ("outcome", "OUTCOME"), ("method", "METHOD"), ("amount", "AMOUNT"),
                    ("reference", "REFERENCE"), ("recordedAt", "AT"),
                ])
        case "record":
            let id = try number(try positional(2, "a subscription id"), "the subscription id")
            var body: [String: Any] = [
                "outcome": arguments.has("--failed") ? "failed" : "paid", "method": try value("--method"),
            ]
            if let amount = arguments.value("--amount") { body["amountMinor"] = try minorUnits(amount, "--amount") }
            if let reference = arguments.value("--reference") { body["reference"] = reference }
            if let note = arguments.value("--reason") { body["note"] = note }
            show(try client.send("POST", "api/v1/subscriptions/\(id)/payments", json: body).json())
        default:
            throw CommandLineArguments.UsageError(
                message:
                    "payments takes owed [--branch ID], list SUBSCRIPTION or record SUBSCRIPTION "
                    + "--method cash|card|transfer [--amount 599.00] [--reference TEXT] [--failed] [--reason TEXT]")
        }
        return .success
    }

    /// `portero notifications preferences [KIND [--in-app on|off] [--email-too on|off]]`.
    func notificationPreferences(_ client: CoreClient) throws {
        let path = "api/v1/me/notification-preferences"
        guard words.count > 2 else {
            list(try client.send("GET", path).json(), [("kind", "KIND"), ("inApp", "IN PORTERO"), ("email", "EMAIL")])
            return
        }
        var preference: [String: Any] = ["kind": words[2]]
        guard
            let current = (try client.send("GET", path).json() as? [[String: Any]])?.first(where: {
                $0["kind"] as? String == words[2]
            })
        else {
            throw CommandLineArguments.UsageError(message: "no kind of notification '\(words[2])'")
        }
        for (flag, key) in [("--in-app", "inApp"), ("--email-too", "email")] {
            guard let value = arguments.value(flag) else {
                preference[key] = current[key]
                continue
            }
            guard value == "on" || value == "off" else {
                throw CommandLineArguments.UsageError(message: "\(flag) is on or off")
            }
            preference[key] = value == "on"
        }
        list(
            try client.send("PUT", path, json: ["preferences": [preference]]).json(),
            [
                ("kind", "KIND"), ("inApp", "IN PORTERO"), ("email", "EMAIL"),
            ])
    }
}
