import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The chain's settings page: currency, payment grace, tax rate, seller, and the networks each
/// role may sign in from.
extension WebUI {
    /// The networks typed for each role (commas or spaces between them); an empty box lifts the limit.
    static func networksTyped(_ request: WebRequest) -> [String: [String]] {
        var networks: [String: [String]] = [:]
        for role in Role.allCases {
            networks[role.rawValue] = request.field("networks-\(role.rawValue)")
                .split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        }
        return networks
    }

    package static func chainSettings(_ request: WebRequest, failed: APIResult? = nil) -> HTTPResponse {
        let t = request.text
        let current = request.call(.get, "/api/v1/settings")
        guard current.ok else { return request.failure(current) }
        let fields = [
            "currency", "paymentGraceDays", "taxRateBasisPoints", "legalName", "taxID", "fiscalAddress",
            "supportSessionMinutes",
        ]
        let wrong = failed.flatMap {
            $0.erroredField(among: fields + ["signInNetworks"] + configurationFieldNames) ?? "currency"
        }
        // A refused logo came from its own form: the settings show as saved.
        let typed = failed != nil && wrong != "logo"
        func value(_ name: String) -> String {
            typed ? request.field(name) : request.string(current.object[name])
        }
        func error(_ name: String) -> String? { wrong == name ? failed?.error : nil }
        let labels = [
            "currency": "chain.currency", "paymentGraceDays": "chain.grace", "taxRateBasisPoints": "chain.tax",
            "legalName": "chain.legalName", "taxID": "chain.taxID", "fiscalAddress": "chain.address",
            "supportSessionMinutes": "chain.supportMinutes",
        ]
        let inputs: [HTML] = fields.map { name in
            request.input(
                name, t[labels[name] ?? name], value: value(name),
                type: ["paymentGraceDays", "taxRateBasisPoints", "supportSessionMinutes"].contains(name)
                    ? "number" : "text",
                required: name == "currency", error: error(name))
        }
        let stored = (current.object["signInNetworks"] as? [String: [String]]) ?? [:]
        let networkInputs: [HTML] = Role.allCases.map { role in
            let name = "networks-\(role.rawValue)"
            // The API names the role in its message ("recepcion[0]: …"): the error goes beside that box.
            let mine = wrong == "signInNetworks" && failed?.error?.contains("\(role.rawValue)[") == true
            return request.input(
                name, role.displayName,
                value: typed ? request.field(name) : (stored[role.rawValue] ?? []).joined(separator: ", "),
                error: mine ? failed?.error : nil, attributes: " placeholder=\"10.0.0.0/8, 192.168.1.0/24\"")
        }
        let editable = request.may(.configuration)
        let body: HTML = """
            \(failed.map { "<p class=\"error\" role=\"alert\">\(t["error.fix"]) \($0.error ?? "")</p>" as HTML } ?? "")
            <section class="card"><form method="post" action="/chain-settings">\(request.csrfField)
            <fieldset\(HTML.when(!editable, " disabled"))>\(inputs)
            \(configurationInputs(request, current: current.object, failed: typed ? failed : nil, wrong: wrong))
            <fieldset><legend>\(t["chain.networks"])</legend><p class="hint">\(t["chain.networksHint"])</p>\
            \(networkInputs)</fieldset></fieldset>
            <p class="hint">\(t["chain.hint"])</p>
            \(HTML.when(editable, "<p><button type=\"submit\">\(t["action.save"])</button></p>"))</form></section>
            \(logoSection(request, failed: failed, wrong: wrong))
            """
        return request.page(
            title: t["chain.title"], active: "/chain-settings", body: body, status: failed == nil ? 200 : 400,
            notice: request.query("done") != nil ? t["chain.saved"] : nil)
    }
}
