import CoreClient
import Foundation
import PorteroCLI

/// `portero pos …` (catalogue, stock, tickets) and `portero cash …` (registers, shifts, cuts):
/// each a thin call of the core's API, amounts in minor units.
extension AdminCommands {
    static let posFlags: Set<String> = ["--no-stock", "--negative-stock", "--open"]
    static let posValued: Set<String> = [
        "--sku", "--tax", "--category", "--supplier", "--product", "--quantity", "--cost", "--shift", "--item",
        "--pay", "--discount", "--lines", "--method", "--register", "--float", "--cash", "--card", "--transfer",
        "--amount",
    ]

    static let productColumns = [
        ("id", "ID"), ("sku", "SKU"), ("name", "NAME"), ("price", "PRICE"), ("taxRateBasisPoints", "TAX BP"),
        ("stock", "STOCK"), ("active", "ACTIVE"),
    ]
    static let saleColumns = [
        ("id", "ID"), ("branch", "BRANCH"), ("shift", "SHIFT"), ("soldAt", "SOLD"), ("total", "TOTAL"),
        ("status", "STATUS"),
    ]
    static let shiftColumns = [
        ("id", "ID"), ("branch", "BRANCH"), ("registerName", "REGISTER"), ("openedByName", "OPENED BY"),
        ("openedAt", "OPENED"), ("float", "FLOAT"), ("closedAt", "CLOSED"),
    ]

    /// A whole number that may be zero or negative (an amount in minor units, a signed quantity).
    func amount(_ text: String, _ what: String) throws -> Int64 {
        guard let value = Int64(text) else {
            throw CommandLineArguments.UsageError(message: "\(what) must be a whole number, not '\(text)'")
        }
        return value
    }

    /// `A:B,C:D` as pairs of numbers (products and quantities, lines and quantities).
    func pairs(_ flag: String) throws -> [(Int64, Int64)] {
        try value(flag).split(separator: ",").map { item in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let first = Int64(parts[0]), let second = Int64(parts[1]) else {
                throw CommandLineArguments.UsageError(message: "\(flag) takes ID:QUANTITY[,ID:QUANTITY…]")
            }
            return (first, second)
        }
    }

    func pos() throws -> ExitCode {
        let client = try client()
        switch (words.count > 1 ? words[1] : "", words.count > 2 ? words[2] : "list") {
        case ("categories", "list"):
            list(
                try client.send("GET", "api/v1/pos/categories").json(),
                [("id", "ID"), ("name", "NAME"), ("active", "ACTIVE")])
        case ("categories", "add"):
            show(try client.send("POST", "api/v1/pos/categories", json: ["name": try value("--name")]).json())
        case let (noun, verb) where try posEdit(client, noun, verb):
            break
        case ("products", "list"):
            list(try client.send("GET", "api/v1/pos/products", query: query([])).json(), Self.productColumns)
        case ("products", "add"):
            var body: [String: Any] = [
                "name": try value("--name"), "sku": try value("--sku"),
                "priceMinor": try number(try value("--price"), "--price"),
                "tracksStock": !arguments.has("--no-stock"), "allowsNegativeStock": arguments.has("--negative-stock"),
            ]
            if let tax = arguments.value("--tax") { body["taxRateBasisPoints"] = try number(tax, "--tax") }
            if let category = arguments.value("--category") { body["category"] = try number(category, "--category") }
            show(try client.send("POST", "api/v1/pos/products", json: body).json())
        case ("buy", _):
            let line: [String: Any] = [
                "product": try number(try value("--product"), "--product"),
                "quantity": try number(try value("--quantity"), "--quantity"),
                "unitCostMinor": try amount(try value("--cost"), "--cost"),
            ]
            let body: [String: Any] = [
                "branch": try number(try value("--branch"), "--branch"), "supplier": try value("--supplier"),
                "lines": [line],
            ]
            show(try client.send("POST", "api/v1/pos/purchases", json: body).json())
        case ("adjust", _):
            let product = try number(try value("--product"), "--product")
            let body: [String: Any] = [
                "branch": try number(try value("--branch"), "--branch"),
                "quantity": try amount(try value("--quantity"), "--quantity"), "reason": try value("--reason"),
            ]
            show(try client.send("POST", "api/v1/pos/products/\(product)/adjustments", json: body).json())
        case ("sell", _):
            let payments: [[String: Any]] = try value("--pay").split(separator: ",").map { item in
                let parts = item.split(separator: ":")
                guard parts.count == 2, let amount = Int64(parts[1]) else {
                    throw CommandLineArguments.UsageError(message: "--pay takes METHOD:MINOR[,METHOD:MINOR…]")
                }
                return ["method": String(parts[0]), "amountMinor": amount]
            }
            var body: [String: Any] = [
                "shift": try number(try value("--shift"), "--shift"),
                "lines": try pairs("--item").map { ["product": $0.0, "quantity": $0.1] }, "payments": payments,
            ]
            if let discount = arguments.value("--discount") {
                body["discountMinor"] = try amount(discount, "--discount")
            }
            show(try client.send("POST", "api/v1/pos/sales", json: body).json())
        case ("sales", _):
            var pairs = query([])
            if let shift = arguments.value("--shift") { pairs.append(("shift", shift)) }
            list(try client.send("GET", "api/v1/pos/sales", query: pairs).json(), Self.saleColumns)
        case ("refund", _):
            let sale = try number(try positional(2, "the sale"), "the sale")
            var body: [String: Any] = [
                "shift": try number(try value("--shift"), "--shift"), "reason": try value("--reason"),
            ]
            if let method = arguments.value("--method") { body["method"] = method }
            if arguments.value("--lines") != nil {
                body["lines"] = try pairs("--lines").map { ["line": $0.0, "quantity": $0.1] }
            }
            show(try client.send("POST", "api/v1/pos/sales/\(sale)/refunds", json: body).json())
        case ("void", _):
            let sale = try number(try positional(2, "the sale"), "the sale")
            show(
                try client.send("POST", "api/v1/pos/sales/\(sale)/void", json: ["reason": try value("--reason")]).json()
            )
        default:
            throw CommandLineArguments.UsageError(message: "unknown command '\(words.joined(separator: " "))'")
        }
        return .success
    }

    func cash() throws -> ExitCode {
        let client = try client()
        switch (words.count > 1 ? words[1] : "", words.count > 2 ? words[2] : "list") {
        case ("registers", "list"):
            list(
                try client.send("GET", "api/v1/cash/registers", query: query([])).json(),
                [("id", "ID"), ("branch", "BRANCH"), ("name", "NAME"), ("active", "ACTIVE"), ("openShift", "SHIFT")])
        case ("registers", "add"):
            let body: [String: Any] = [
                "branch": try number(try value("--branch"), "--branch"), "name": try value("--name"),
            ]
            show(try client.send("POST", "api/v1/cash/registers", json: body).json())
        case ("registers", "edit"):
            try registerEdit(client)
        case ("open", _):
            let body: [String: Any] = [
                "register": try number(try value("--register"), "--register"),
                "floatMinor": try amount(try value("--float"), "--float"),
            ]
            show(try client.send("POST", "api/v1/cash/shifts", json: body).json())
        case ("move", _):
            let shift = try number(try positional(2, "the shift"), "the shift")
            var body: [String: Any] = [
                "kind": try value("--kind"), "amountMinor": try amount(try value("--amount"), "--amount"),
                "reason": try value("--reason"),
            ]
            if let method = arguments.value("--method") { body["method"] = method }
            show(try client.send("POST", "api/v1/cash/shifts/\(shift)/movements", json: body).json())
        case ("close", _):
            let shift = try number(try positional(2, "the shift"), "the shift")
            let body: [String: Any] = [
                "countedCash": try amount(try value("--cash"), "--cash"),
                "countedCard": try amount(arguments.value("--card") ?? "0", "--card"),
                "countedTransfer": try amount(arguments.value("--transfer") ?? "0", "--transfer"),
            ]
            show(try client.send("POST", "api/v1/cash/shifts/\(shift)/close", json: body).json())
        case ("cuts", _):
            var pairs = query([])
            if arguments.has("--open") { pairs.append(("open", "true")) }
            list(try client.send("GET", "api/v1/cash/shifts", query: pairs).json(), Self.shiftColumns)
        case ("cut", _):
            let shift = try number(try positional(2, "the shift"), "the shift")
            let cut = try client.send("GET", "api/v1/cash/shifts/\(shift)").json()
            if json {
                printJSON(cut)
                return .success
            }
            show((cut as? [String: Any])?["shift"] ?? [:])
            list(
                (cut as? [String: Any])?["methods"] ?? [],
                [
                    ("method", "METHOD"), ("expected", "EXPECTED"), ("counted", "COUNTED"),
                    ("difference", "DIFFERENCE"),
                ])
        default:
            throw CommandLineArguments.UsageError(message: "unknown command '\(words.joined(separator: " "))'")
        }
        return .success
    }
}
