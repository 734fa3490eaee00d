import CoreStorage
import HTTP
import PorteroModel

extension Schema {
    static let chainSettings = named(
        "ChainSettings",
        .object(
            [
                "currency": .string(pattern: "^[A-Z]{3}$"), "paymentGraceDays": .integer(minimum: 0, maximum: 60),
                "taxRateBasisPoints": .integer(minimum: 0, maximum: 10_000), "legalName": .text, "taxID": .text,
                "fiscalAddress": .text, "signInNetworks": signInNetworks,
                "supportSessionMinutes": .integer(minimum: 1, maximum: 5), "chainName": .optionalName,
                "defaultLanguage": .languageCode, "occupancyRefuses": .boolean,
            ],
            optional: [
                "timeZone": .timeZone, "passwordMinimumLength": .passwordLength, "passwordClasses": .passwordClasses,
                "sessionIdleMinutes": .idleMinutes, "sessionAbsoluteHours": .absoluteHours,
                "lockoutFailuresPerAccount": .accountFailures, "lockoutFailuresPerAddress": .addressFailures,
                "lockoutMinutes": .lockoutMinutes, "deviceOfflineMinutes": .offlineMinutes,
                "pinMinimumLength": .pinLength, "usualVisitMinutes": .visitMinutes,
                "journalRetentionDays": .retentionDays,
            ]))

    /// Networks each role may sign in from: role name → addresses or CIDR networks.
    static let signInNetworks = Schema.object(
        [:],
        optional: [
            "superadministrador": networkList, "administrador": networkList, "gerente_sucursal": networkList,
            "recepcion": networkList, "cliente": networkList,
        ])
    static let networkList = Schema.array(
        .string(pattern: "^[0-9A-Fa-f:.]{2,39}(/[0-9]{1,3})?$", maxLength: 43), maxItems: 50)
}

extension CoreAPI {
    /// The chain's settings: every signed-in user reads them (prices show in the currency), and
    /// they are chain-wide, so changing them needs `configuration` at every branch.
    package static func declareSettingsRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/settings", .signedIn,
            "The chain's settings: currency, payment grace, tax rate prices include, seller on invoices, and its "
                + "configuration (sign-in networks and lockout thresholds only to those with configuration)",
            answers: [.json(200, .chainSettings)]
        ) { request in
            var settings = try request.database.settings.chain()
            // Who may sign in from where is for those who configure the chain, not for every member.
            if !(try request.actor).may(.configuration, at: nil) {
                settings.signInNetworks = [:]
                settings.hideLockout()
            }
            return .json(settings)
        }
        table.add(
            .put, "/api/v1/settings", .privilege(.configuration),
            "Replace the chain's settings; they are chain-wide, so configuration is needed at every branch",
            body: [
                .required("currency", .string(pattern: "^[A-Z]{3}$")),
                .required("paymentGraceDays", .integer(minimum: 0, maximum: 60)),
                .required("taxRateBasisPoints", .integer(minimum: 0, maximum: 10_000)),
                .required("legalName", .optionalName), .required("taxID", .string(pattern: "^[A-Za-z0-9&Ñ-]{0,20}$")),
                .required("fiscalAddress", .string(maxLength: 300)), .optional("signInNetworks", .signInNetworks),
                .optional("supportSessionMinutes", .integer(minimum: 1, maximum: 5)),
            ] + configurationFields,
            answers: [.json(200, .chainSettings)]
        ) { request in
            struct Body: Decodable {
                let currency: String
                let paymentGraceDays: Int
                let taxRateBasisPoints: Int
                let legalName: String
                let taxID: String
                let fiscalAddress: String
                let signInNetworks: [String: [String]]?
                let supportSessionMinutes: Int?
            }
            let body = try request.body(Body.self)
            for (role, networks) in body.signInNetworks ?? [:] {
                for (index, network) in networks.enumerated() where AddressRange(network) == nil {
                    throw AccountError(
                        field: "signInNetworks",
                        problem: "\(role)[\(index)]: \"\(network)\" is not an address or a network such as 10.0.0.0/8")
                }
            }
            var settings = ChainSettings(
                currency: body.currency, paymentGraceDays: body.paymentGraceDays,
                taxRateBasisPoints: body.taxRateBasisPoints, legalName: body.legalName, taxID: body.taxID,
                fiscalAddress: body.fiscalAddress)
            settings.signInNetworks = try body.signInNetworks ?? request.database.settings.chain().signInNetworks
            settings.supportSessionMinutes =
                try body.supportSessionMinutes ?? request.database.settings.chain().supportSessionMinutes
            try applyConfiguration(request, to: &settings)
            // Nobody locks themselves out: the caller's own address must stay inside their roles' networks.
            let address = request.api.clientAddress(of: request.context.request)
            let locked = rolesRefused(try request.actor, from: address, settings)
            if !locked.isEmpty {
                throw AccountError(
                    field: "signInNetworks",
                    problem: "\(locked.map(\.rawValue).joined(separator: ", "))[0]: your own address \(address) "
                        + "is outside these networks; you could not sign in again")
            }
            try requireEveryBranch(request, .configuration, nil, reaching: "the chain's settings")
            return .json(try saveSettings(settings, request))
        }
    }

    /// The roles of `account` whose sign-in networks (`settings.signInNetworks`) do not hold `address`.
    static func rolesRefused(_ account: Account, from address: String, _ settings: ChainSettings) -> [Role] {
        account.roles.roles.filter { role in
            guard let networks = settings.signInNetworks[role.rawValue], !networks.isEmpty else { return false }
            return !networks.contains { AddressRange($0)?.contains(address) == true }
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
            if settings.signInNetworks != before.signInNetworks { changes["signInNetworks"] = settings.signInNetworks }
            if settings.supportSessionMinutes != before.supportSessionMinutes {
                changes["supportSessionMinutes"] = settings.supportSessionMinutes
            }
            changes.merge(try configurationSaved(settings, before: before, database)) { $1 }
            try request.audit("settings.update", target: "chain", changes: changes, concerning: everyBranch(database))
            return settings
        }
    }
}
