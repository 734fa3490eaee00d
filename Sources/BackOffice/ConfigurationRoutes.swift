import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension Schema {
    static let languageCode = Schema.string(values: ConfigurationLimits.languages)
    static let passwordClasses = Schema.array(
        .string(values: ConfigurationLimits.passwordClasses), maxItems: ConfigurationLimits.passwordClasses.count)

    static func bounded(_ range: ClosedRange<Int>) -> Schema {
        .integer(minimum: Int64(range.lowerBound), maximum: Int64(range.upperBound))
    }

    static let passwordLength = bounded(ConfigurationLimits.passwordMinimumLength)
    static let idleMinutes = bounded(ConfigurationLimits.sessionIdleMinutes)
    static let absoluteHours = bounded(ConfigurationLimits.sessionAbsoluteHours)
    static let accountFailures = bounded(ConfigurationLimits.lockoutFailuresPerAccount)
    static let addressFailures = bounded(ConfigurationLimits.lockoutFailuresPerAddress)
    static let lockoutMinutes = bounded(ConfigurationLimits.lockoutMinutes)
    static let offlineMinutes = bounded(ConfigurationLimits.deviceOfflineMinutes)
    static let pinLength = bounded(ConfigurationLimits.pinMinimumLength)
}

extension CoreAPI {
    /// The chain's configuration in `PUT /api/v1/settings`: each optional; left out keeps the
    /// value, null (where allowed) goes back to the deployment's default.
    static let configurationFields: [BodyField] = [
        .optional("chainName", .optionalName), .optional("defaultLanguage", .languageCode),
        .optional("timeZone", .nullable(.timeZone)), .optional("passwordMinimumLength", .nullable(.passwordLength)),
        .optional("passwordClasses", .nullable(.passwordClasses)),
        .optional("sessionIdleMinutes", .nullable(.idleMinutes)),
        .optional("sessionAbsoluteHours", .nullable(.absoluteHours)),
        .optional("lockoutFailuresPerAccount", .nullable(.accountFailures)),
        .optional("lockoutFailuresPerAddress", .nullable(.addressFailures)),
        .optional("lockoutMinutes", .nullable(.lockoutMinutes)),
        .optional("deviceOfflineMinutes", .nullable(.offlineMinutes)),
        .optional("pinMinimumLength", .nullable(.pinLength)),
        .optional("occupancyRefuses", .boolean),
        .optional("usualVisitMinutes", .nullable(.visitMinutes)),
        .optional("journalRetentionDays", .nullable(.retentionDays)),
    ]

    /// A field of the body: left out, null, or a value.
    enum Change<Value: Decodable> {
        case keep
        case reset
        case set(Value)

        func apply(to value: inout Value?) {
            switch self {
            case .keep: break
            case .reset: value = nil
            case let .set(new): value = new
            }
        }

        func apply(to value: inout Value) {
            if case let .set(new) = self { value = new }
        }
    }

    /// The configuration's fields of a settings body.
    struct ConfigurationBody: Decodable {
        var chainName: Change<String> = .keep
        var defaultLanguage: Change<String> = .keep
        var timeZone: Change<String> = .keep
        var passwordMinimumLength: Change<Int> = .keep
        var passwordClasses: Change<[String]> = .keep
        var sessionIdleMinutes: Change<Int> = .keep
        var sessionAbsoluteHours: Change<Int> = .keep
        var lockoutFailuresPerAccount: Change<Int> = .keep
        var lockoutFailuresPerAddress: Change<Int> = .keep
        var lockoutMinutes: Change<Int> = .keep
        var deviceOfflineMinutes: Change<Int> = .keep
        var pinMinimumLength: Change<Int> = .keep
        var occupancyRefuses: Change<Bool> = .keep
        var usualVisitMinutes: Change<Int> = .keep
        var journalRetentionDays: Change<Int> = .keep

        enum CodingKeys: String, CodingKey {
            case chainName, defaultLanguage, timeZone, passwordMinimumLength, passwordClasses, sessionIdleMinutes
            case sessionAbsoluteHours, lockoutFailuresPerAccount, lockoutFailuresPerAddress, lockoutMinutes
            case deviceOfflineMinutes, pinMinimumLength, occupancyRefuses, usualVisitMinutes, journalRetentionDays
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func change<Value: Decodable>(_ key: CodingKeys) throws -> Change<Value> {
                guard container.contains(key) else { return .keep }
                if try container.decodeNil(forKey: key) { return .reset }
                return .set(try container.decode(Value.self, forKey: key))
            }
            chainName = try change(.chainName)
            defaultLanguage = try change(.defaultLanguage)
            timeZone = try change(.timeZone)
            passwordMinimumLength = try change(.passwordMinimumLength)
            passwordClasses = try change(.passwordClasses)
            sessionIdleMinutes = try change(.sessionIdleMinutes)
            sessionAbsoluteHours = try change(.sessionAbsoluteHours)
            lockoutFailuresPerAccount = try change(.lockoutFailuresPerAccount)
            lockoutFailuresPerAddress = try change(.lockoutFailuresPerAddress)
            lockoutMinutes = try change(.lockoutMinutes)
            deviceOfflineMinutes = try change(.deviceOfflineMinutes)
            pinMinimumLength = try change(.pinMinimumLength)
            occupancyRefuses = try change(.occupancyRefuses)
            usualVisitMinutes = try change(.usualVisitMinutes)
            journalRetentionDays = try change(.journalRetentionDays)
        }

        func apply(to settings: inout ChainSettings) {
            chainName.apply(to: &settings.chainName)
            defaultLanguage.apply(to: &settings.defaultLanguage)
            timeZone.apply(to: &settings.timeZone)
            passwordMinimumLength.apply(to: &settings.passwordMinimumLength)
            passwordClasses.apply(to: &settings.passwordClasses)
            // A class named twice counts once, kept in a stable order; an unknown one is left for the check.
            settings.passwordClasses = settings.passwordClasses.map { classes in
                let known = ConfigurationLimits.passwordClasses.filter(classes.contains)
                return classes.allSatisfy(known.contains) ? known : classes
            }
            sessionIdleMinutes.apply(to: &settings.sessionIdleMinutes)
            sessionAbsoluteHours.apply(to: &settings.sessionAbsoluteHours)
            lockoutFailuresPerAccount.apply(to: &settings.lockoutFailuresPerAccount)
            lockoutFailuresPerAddress.apply(to: &settings.lockoutFailuresPerAddress)
            lockoutMinutes.apply(to: &settings.lockoutMinutes)
            deviceOfflineMinutes.apply(to: &settings.deviceOfflineMinutes)
            pinMinimumLength.apply(to: &settings.pinMinimumLength)
            occupancyRefuses.apply(to: &settings.occupancyRefuses)
            usualVisitMinutes.apply(to: &settings.usualVisitMinutes)
            journalRetentionDays.apply(to: &settings.journalRetentionDays)
        }
    }

    /// The configuration given in a settings body, over what is saved.
    static func applyConfiguration(_ request: APIRequest, to settings: inout ChainSettings) throws {
        settings.copyConfiguration(from: try request.database.settings.chain())
        try request.body(ConfigurationBody.self).apply(to: &settings)
    }

    /// The audit's old → new values of the configuration; a change moves the sign-in
    /// generation, so every instance of the core works out sessions and lockouts anew.
    static func configurationSaved(
        _ settings: ChainSettings, before: ChainSettings, _ database: CoreDatabase
    ) throws -> [String: Any] {
        let changes = settings.configurationChanges(from: before)
        if !changes.isEmpty { try database.auth.policyChanged() }
        return changes
    }

    /// The chain's time zone: its configuration's, else the core's own (`time_zone` in its file).
    public func chainTimeZone() -> String {
        (try? withDatabase { try $0.settings.chain().timeZone }) ?? timeZone
    }
}

extension CoreAPI {
    /// A PIN shorter than the chain's configured minimum is refused (the door takes any PIN it
    /// holds; the minimum is for PINs set from now on).
    static func checkPINLength(_ pin: String, _ request: APIRequest) throws {
        if let minimum = try request.database.settings.chain().pinMinimumLength, pin.count < minimum {
            throw AccountError(field: "pin", problem: "at least \(minimum) digits (the chain's rule)")
        }
    }
}
