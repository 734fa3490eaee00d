import Foundation
import PorteroModel
import SQLite

/// Settings that hold for the whole chain: its one currency, the grace before an unpaid
/// subscription closes the door, the tax rate prices include, and who sells (on invoices).
public struct ChainSettings: Hashable, Sendable, Codable {
    /// ISO 4217: every price, sale and invoice of the chain is in it.
    public var currency: String
    /// Days after a payment falls due during which an unpaid subscription still opens the door.
    public var paymentGraceDays: Int
    /// The tax prices include, in basis points (1 600 = 16 %), unless a product says otherwise.
    public var taxRateBasisPoints: Int
    /// The seller on receipts and invoices.
    public var legalName: String
    public var taxID: String
    public var fiscalAddress: String
    /// Networks each role may sign in from (role name → addresses or CIDR networks); a role not
    /// listed signs in from anywhere. A user holding several listed roles must meet each list.
    public var signInNetworks: [String: [String]]
    /// How long an assisted session lasts, in minutes (1 to 5).
    public var supportSessionMinutes = 5
    /// The chain's configuration (checked in ChainSettings+Configuration.swift); nil keeps the
    /// deployment's default (the core's configuration file, else the built-in value).
    public var chainName = ""
    public var defaultLanguage = "es"
    public var timeZone: String?
    public var passwordMinimumLength: Int?
    public var passwordClasses: [String]?
    public var sessionIdleMinutes: Int?
    public var sessionAbsoluteHours: Int?
    public var lockoutFailuresPerAccount: Int?
    public var lockoutFailuresPerAddress: Int?
    public var lockoutMinutes: Int?
    public var deviceOfflineMinutes: Int?
    public var pinMinimumLength: Int?
    /// Occupancy and the journal at the branches (ChainSettings+Occupancy.swift): whether a
    /// branch's hard limit refuses entries, the usual visit, the branches' journal retention.
    public var occupancyRefuses = false
    public var usualVisitMinutes: Int?
    public var journalRetentionDays: Int?

    public init(
        currency: String = "MXN", paymentGraceDays: Int = 3, taxRateBasisPoints: Int = 1_600, legalName: String = "",
        taxID: String = "", fiscalAddress: String = "", signInNetworks: [String: [String]] = [:]
    ) {
        self.currency = currency
        self.paymentGraceDays = paymentGraceDays
        self.taxRateBasisPoints = taxRateBasisPoints
        self.legalName = legalName
        self.taxID = taxID
        self.fiscalAddress = fiscalAddress
        self.signInNetworks = signInNetworks
    }

    public var taxRate: TaxRate { TaxRate(basisPoints: taxRateBasisPoints) }

    /// Refuses (naming the field) what the API's schema refuses.
    public func check() throws {
        guard currency.utf8.count == 3, currency.utf8.allSatisfy({ (65...90).contains($0) }) else {
            throw AccountError(field: "currency", problem: "an ISO 4217 code in capitals, such as MXN")
        }
        guard (0...60).contains(paymentGraceDays) else {
            throw AccountError(field: "paymentGraceDays", problem: "must be from 0 to 60")
        }
        guard (0...10_000).contains(taxRateBasisPoints) else {
            throw AccountError(field: "taxRateBasisPoints", problem: "must be from 0 to 10000 (100 %)")
        }
        try FieldRules.checkName(legalName, field: "legalName", required: false)
        guard taxID.unicodeScalars.count <= 20, taxID.unicodeScalars.allSatisfy(Self.taxIDCharacters.contains) else {
            throw AccountError(field: "taxID", problem: "at most 20 letters, digits, & or -")
        }
        guard fiscalAddress.unicodeScalars.count <= 300 else {
            throw AccountError(field: "fiscalAddress", problem: "at most 300 characters")
        }
        for (role, networks) in signInNetworks {
            guard Role(rawValue: role) != nil else {
                throw AccountError(field: "signInNetworks", problem: "\(role) is not a role")
            }
            guard networks.count <= 50 else {
                throw AccountError(field: "signInNetworks", problem: "at most 50 networks for \(role)")
            }
        }
        guard (1...5).contains(supportSessionMinutes) else {
            throw AccountError(field: "supportSessionMinutes", problem: "must be from 1 to 5")
        }
        try checkConfiguration()
    }

    /// What a tax identifier holds (an RFC, a VAT number): the schema's `^[A-Za-z0-9&Ñ-]{0,20}$`.
    static let taxIDCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789&Ñ-".unicodeScalars)

    /// An amount in the chain's currency.
    public func money(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: currency) }

    /// Tolerant of a stored value from an older program: a missing key keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ChainSettings()
        currency = try container.decodeIfPresent(String.self, forKey: .currency) ?? defaults.currency
        paymentGraceDays =
            try container.decodeIfPresent(Int.self, forKey: .paymentGraceDays) ?? defaults.paymentGraceDays
        taxRateBasisPoints =
            try container.decodeIfPresent(Int.self, forKey: .taxRateBasisPoints) ?? defaults.taxRateBasisPoints
        legalName = try container.decodeIfPresent(String.self, forKey: .legalName) ?? ""
        taxID = try container.decodeIfPresent(String.self, forKey: .taxID) ?? ""
        fiscalAddress = try container.decodeIfPresent(String.self, forKey: .fiscalAddress) ?? ""
        signInNetworks = try container.decodeIfPresent([String: [String]].self, forKey: .signInNetworks) ?? [:]
        supportSessionMinutes = try container.decodeIfPresent(Int.self, forKey: .supportSessionMinutes) ?? 5
        chainName = try container.decodeIfPresent(String.self, forKey: .chainName) ?? ""
        defaultLanguage = try container.decodeIfPresent(String.self, forKey: .defaultLanguage) ?? "es"
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
        passwordMinimumLength = try container.decodeIfPresent(Int.self, forKey: .passwordMinimumLength)
        passwordClasses = try container.decodeIfPresent([String].self, forKey: .passwordClasses)
        sessionIdleMinutes = try container.decodeIfPresent(Int.self, forKey: .sessionIdleMinutes)
        sessionAbsoluteHours = try container.decodeIfPresent(Int.self, forKey: .sessionAbsoluteHours)
        lockoutFailuresPerAccount = try container.decodeIfPresent(Int.self, forKey: .lockoutFailuresPerAccount)
        lockoutFailuresPerAddress = try container.decodeIfPresent(Int.self, forKey: .lockoutFailuresPerAddress)
        lockoutMinutes = try container.decodeIfPresent(Int.self, forKey: .lockoutMinutes)
        deviceOfflineMinutes = try container.decodeIfPresent(Int.self, forKey: .deviceOfflineMinutes)
        pinMinimumLength = try container.decodeIfPresent(Int.self, forKey: .pinMinimumLength)
        occupancyRefuses = try container.decodeIfPresent(Bool.self, forKey: .occupancyRefuses) ?? false
        usualVisitMinutes = try container.decodeIfPresent(Int.self, forKey: .usualVisitMinutes)
        journalRetentionDays = try container.decodeIfPresent(Int.self, forKey: .journalRetentionDays)
    }
}

/// The chain's settings, kept in the core's database.
public protocol SettingsStore {
    /// The saved settings, or the defaults when none were saved.
    func chain() throws -> ChainSettings
    /// Replaces the settings (the caller validates them and writes the audit row in the same transaction).
    func save(_ settings: ChainSettings) throws
    /// The chain's logo (ChainLogo.swift), nil when none; `saveLogo(nil)` removes it.
    func logo() throws -> ChainLogo?
    func hasLogo() throws -> Bool
    func saveLogo(_ logo: ChainLogo?) throws
}

/// Keeps the settings as one JSON value in `core_meta`.
public final class SQLSettingsStore: SettingsStore {
    package let db: any SQLDatabase
    static let key = "chain_settings"

    public init(connection: any SQLDatabase) throws { db = connection }

    public func chain() throws -> ChainSettings {
        guard
            let text: String = try db.queryFirst(
                "SELECT value FROM core_meta WHERE key = ?", Self.key, map: { try $0.get(0) })
        else { return ChainSettings() }
        return try JSONDecoder().decode(ChainSettings.self, from: Data(text.utf8))
    }

    public func save(_ settings: ChainSettings) throws {
        try settings.check()
        if try chain().branchSetupDiffers(from: settings) {
            try SQLOccupancyStore.setupChanged(db, branch: BranchID(0), now: .now())
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(settings), as: UTF8.self)
        try db.run(
            "INSERT INTO core_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            Self.key, text)
    }
}
