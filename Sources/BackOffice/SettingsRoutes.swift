import CoreStorage
import HTTP
import PorteroModel

extension Schema {
    static let chainSettings = named(
        "ChainSettings",
        .object([
            "currency": .string(pattern: "^[A-Z]{3}$"), "paymentGraceDays": .integer(minimum: 0, maximum: 60),
            "taxRateBasisPoints": .integer(minimum: 0, maximum: 10_000), "legalName": .text, "taxID": .text,
            "fiscalAddress": .text,
        ]))
}

extension CoreAPI {
    /// The chain's settings: every signed-in user reads them (prices show in the currency), and
    /// they are chain-wide, so changing them needs `configuration` at every branch.
    package static func declareSettingsRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/settings", .signedIn,
            "The chain's settings: currency, payment grace, tax rate prices include, seller on invoices",
            answers: [.json(200, .chainSettings)]
        ) { request in
            .json(try request.database.settings.chain())
        }
        table.add(
            .put, "/api/v1/settings", .privilege(.configuration),
            "Replace the chain's settings; they are chain-wide, so configuration is needed at every branch",
            body: [
                .required("currency", .string(pattern: "^[A-Z]{3}$")),
                .required("paymentGraceDays", .integer(minimum: 0, maximum: 60)),
                .required("taxRateBasisPoints", .integer(minimum: 0, maximum: 10_000)),
                .required("legalName", .optionalName), .required("taxID", .string(pattern: "^[A-Za-z0-9&Ñ-]{0,20}$")),
                .required("fiscalAddress", .string(maxLength: 300)),
            ],
            answers: [.json(200, .chainSettings)]
        ) { request in
            struct Body: Decodable {
                let currency: String
                let paymentGraceDays: Int
                let taxRateBasisPoints: Int
                let legalName: String
                let taxID: String
                let fiscalAddress: String
            }
            let body = try request.body(Body.self)
            let settings = ChainSettings(
                currency: body.currency, paymentGraceDays: body.paymentGraceDays,
                taxRateBasisPoints: body.taxRateBasisPoints, legalName: body.legalName, taxID: body.taxID,
                fiscalAddress: body.fiscalAddress)
            try requireEveryBranch(request, .configuration, nil, reaching: "the chain's settings")
            return .json(try saveSettings(settings, request))
        }
    }

    /// Saves the settings and audits the fields that changed; a new payment grace reaches the
    /// branches' doors through the feed.
    static func saveSettings(_ settings: ChainSettings, _ request: APIRequest) throws -> ChainSettings {
        let database = request.database
        return try database.write {
            let before = try database.settings.chain()
            if settings.currency != before.currency, try database.sales.hasPrices() {
                throw AccountError.conflict(
                    "currency", "stays \(before.currency) once a plan or a product is priced or anything sold")
            }
            try database.settings.save(settings)
            if settings.paymentGraceDays != before.paymentGraceDays {
                try database.sales.paymentGraceChanged(now: request.now)
            }
            var changes: [String: Any] = [:]
            if settings.currency != before.currency { changes["currency"] = settings.currency }
            if settings.paymentGraceDays != before.paymentGraceDays {
                changes["paymentGraceDays"] = settings.paymentGraceDays
            }
            if settings.taxRateBasisPoints != before.taxRateBasisPoints {
                changes["taxRateBasisPoints"] = settings.taxRateBasisPoints
            }
            if settings.legalName != before.legalName { changes["legalName"] = settings.legalName }
            if settings.taxID != before.taxID { changes["taxID"] = settings.taxID }
            if settings.fiscalAddress != before.fiscalAddress { changes["fiscalAddress"] = settings.fiscalAddress }
            try request.audit("settings.update", target: "chain", changes: changes, concerning: everyBranch(database))
            return settings
        }
    }
}
