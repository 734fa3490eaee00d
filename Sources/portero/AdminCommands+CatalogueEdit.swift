import CoreClient
import Foundation
import PorteroCLI

/// `portero pos categories edit`, `pos products edit|movements` and `cash registers edit`: only
/// what is given changes.
extension AdminCommands {
    static let catalogueEditFlags: Set<String> = ["--stock", "--no-negative-stock"]

    /// `--active` / `--inactive` into `body["active"]`.
    func activeFlag(_ body: inout [String: Any]) {
        if arguments.has("--active") { body["active"] = true }
        if arguments.has("--inactive") { body["active"] = false }
    }

    /// Handles the edit verbs of `portero pos`; false when the words are not one of them.
    func posEdit(_ client: CoreClient, _ noun: String, _ verb: String) throws -> Bool {
        switch (noun, verb) {
        case ("categories", "edit"):
            let id = try number(try positional(3, "the category"), "the category")
            var body: [String: Any] = [:]
            if let name = arguments.value("--name") { body["name"] = name }
            activeFlag(&body)
            show(try client.send("PATCH", "api/v1/pos/categories/\(id)", json: body).json())
        case ("products", "edit"):
            let id = try number(try positional(3, "the product"), "the product")
            var body: [String: Any] = [:]
            if let name = arguments.value("--name") { body["name"] = name }
            if let sku = arguments.value("--sku") { body["sku"] = sku }
            if let price = arguments.value("--price") { body["priceMinor"] = try number(price, "--price") }
            if let tax = arguments.value("--tax") { body["taxRateBasisPoints"] = try amount(tax, "--tax") }
            if let category = arguments.value("--category") {
                // 0 takes the product out of every category.
                let id = try amount(category, "--category")
                body["category"] = id == 0 ? NSNull() : id as Any
            }
            activeFlag(&body)
            if arguments.has("--stock") { body["tracksStock"] = true }
            if arguments.has("--no-stock") { body["tracksStock"] = false }
            if arguments.has("--negative-stock") { body["allowsNegativeStock"] = true }
            if arguments.has("--no-negative-stock") { body["allowsNegativeStock"] = false }
            show(try client.send("PATCH", "api/v1/pos/products/\(id)", json: body).json())
        case ("products", "movements"):
            let id = try number(try positional(3, "the product"), "the product")
            list(
                try client.send("GET", "api/v1/pos/products/\(id)/movements", query: query([])).json(),
                [
                    ("at", "AT"), ("branch", "BRANCH"), ("kind", "KIND"), ("quantity", "QUANTITY"),
                    ("reference", "REFERENCE"), ("reason", "REASON"),
                ])
        default:
            return false
        }
        return true
    }

    /// `portero cash registers edit ID [--name NAME] [--active|--inactive]`.
    func registerEdit(_ client: CoreClient) throws {
        let id = try number(try positional(3, "the register"), "the register")
        var body: [String: Any] = [:]
        if let name = arguments.value("--name") { body["name"] = name }
        activeFlag(&body)
        show(try client.send("PATCH", "api/v1/cash/registers/\(id)", json: body).json())
    }
}
