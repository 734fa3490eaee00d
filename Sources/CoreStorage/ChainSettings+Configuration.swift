import Foundation
import PorteroModel

/// The bounds of the chain's configuration, shared by the check here and the API's schema.
public enum ConfigurationLimits {
    public static let languages = ["es", "en"]
    public static let passwordClasses = ["upper", "lower", "digit", "symbol"]
    public static let passwordMinimumLength = 6...128
    public static let sessionIdleMinutes = 5...1_440
    public static let sessionAbsoluteHours = 1...168
    public static let lockoutFailuresPerAccount = 3...100
    public static let lockoutFailuresPerAddress = 5...1_000
    public static let lockoutMinutes = 1...1_440
    public static let deviceOfflineMinutes = 2...1_440
    /// The fewest digits a PIN set from now on may have (PINs are 4 to 12 digits).
    public static let pinMinimumLength = 4...12
    /// The usual visit, in minutes, for members whose own is not known yet.
    public static let usualVisitMinutes = 15...720
    /// How long the branches keep acknowledged events in their journal.
    public static let journalRetentionDays = 35...3_650
}

extension ChainSettings {
    /// Refuses (naming the field) what the API's schema refuses in the chain's configuration.
    func checkConfiguration() throws {
        try FieldRules.checkName(chainName, field: "chainName", required: false)
        guard ConfigurationLimits.languages.contains(defaultLanguage) else {
            throw AccountError(field: "defaultLanguage", problem: "es or en")
        }
        if let timeZone {
            do { _ = try ZoneRules(identifier: timeZone) } catch {
                throw AccountError(field: "timeZone", problem: "an IANA time zone such as America/Mexico_City")
            }
        }
        if let classes = passwordClasses {
            guard classes.allSatisfy(ConfigurationLimits.passwordClasses.contains), Set(classes).count == classes.count
            else {
                throw AccountError(
                    field: "passwordClasses", problem: "each of upper, lower, digit, symbol at most once")
            }
        }
        let bounded: [(String, Int?, ClosedRange<Int>)] = [
            ("passwordMinimumLength", passwordMinimumLength, ConfigurationLimits.passwordMinimumLength),
            ("sessionIdleMinutes", sessionIdleMinutes, ConfigurationLimits.sessionIdleMinutes),
            ("sessionAbsoluteHours", sessionAbsoluteHours, ConfigurationLimits.sessionAbsoluteHours),
            ("lockoutFailuresPerAccount", lockoutFailuresPerAccount, ConfigurationLimits.lockoutFailuresPerAccount),
            ("lockoutFailuresPerAddress", lockoutFailuresPerAddress, ConfigurationLimits.lockoutFailuresPerAddress),
            ("lockoutMinutes", lockoutMinutes, ConfigurationLimits.lockoutMinutes),
            ("deviceOfflineMinutes", deviceOfflineMinutes, ConfigurationLimits.deviceOfflineMinutes),
            ("pinMinimumLength", pinMinimumLength, ConfigurationLimits.pinMinimumLength),
            ("usualVisitMinutes", usualVisitMinutes, ConfigurationLimits.usualVisitMinutes),
            ("journalRetentionDays", journalRetentionDays, ConfigurationLimits.journalRetentionDays),
        ]
        for (field, value, range) in bounded {
            if let value, !range.contains(value) {
                throw AccountError(field: field, problem: "must be from \(range.lowerBound) to \(range.upperBound)")
            }
        }
    }

    /// Takes the configuration's fields from `other` (the saved settings), leaving the rest.
    public mutating func copyConfiguration(from other: ChainSettings) {
        chainName = other.chainName
        defaultLanguage = other.defaultLanguage
        timeZone = other.timeZone
        passwordMinimumLength = other.passwordMinimumLength
        passwordClasses = other.passwordClasses
        sessionIdleMinutes = other.sessionIdleMinutes
        sessionAbsoluteHours = other.sessionAbsoluteHours
        lockoutFailuresPerAccount = other.lockoutFailuresPerAccount
        lockoutFailuresPerAddress = other.lockoutFailuresPerAddress
        lockoutMinutes = other.lockoutMinutes
        deviceOfflineMinutes = other.deviceOfflineMinutes
        pinMinimumLength = other.pinMinimumLength
        occupancyRefuses = other.occupancyRefuses
        usualVisitMinutes = other.usualVisitMinutes
        journalRetentionDays = other.journalRetentionDays
    }

    /// Drops the lockout thresholds (for readers who do not configure the chain: how many guesses
    /// an attacker gets is not theirs to know).
    public mutating func hideLockout() {
        lockoutFailuresPerAccount = nil
        lockoutFailuresPerAddress = nil
        lockoutMinutes = nil
    }

    /// The password rule: the chain's length and classes over `base` (the built-in rule).
    public func passwordPolicy(over base: PasswordPolicy) -> PasswordPolicy {
        var policy = base
        if let length = passwordMinimumLength { policy = PasswordPolicy(minimumLength: length) }
        policy.classes = passwordClasses.map { Set($0) } ?? base.classes
        return policy
    }

    /// Sessions and lockouts: the chain's values over `base` (the deployment's).
    public func authPolicy(over base: AuthPolicy) -> AuthPolicy {
        var policy = base
        if let minutes = sessionIdleMinutes { policy.sessionIdleSeconds = Int64(minutes) * 60 }
        if let hours = sessionAbsoluteHours { policy.sessionAbsoluteSeconds = Int64(hours) * 3_600 }
        if let count = lockoutFailuresPerAccount { policy.maxFailuresPerAccount = count }
        if let count = lockoutFailuresPerAddress { policy.maxFailuresPerAddress = count }
        if let minutes = lockoutMinutes {
            policy.lockoutSeconds = Int64(minutes) * 60
            policy.failureWindowSeconds = Int64(minutes) * 60
        }
        return policy
    }

    /// The configuration's fields that differ from `before`, each as {"from", "to"} (null: the default).
    public func configurationChanges(from before: ChainSettings) -> [String: Any] {
        func pair(_ old: Any?, _ new: Any?) -> [String: Any] { ["from": old ?? NSNull(), "to": new ?? NSNull()] }
        var changes: [String: Any] = [:]
        if chainName != before.chainName { changes["chainName"] = pair(before.chainName, chainName) }
        if defaultLanguage != before.defaultLanguage {
            changes["defaultLanguage"] = pair(before.defaultLanguage, defaultLanguage)
        }
        if timeZone != before.timeZone { changes["timeZone"] = pair(before.timeZone, timeZone) }
        if passwordClasses != before.passwordClasses {
            changes["passwordClasses"] = pair(before.passwordClasses, passwordClasses)
        }
        let numbers: [(String, Int?, Int?)] = [
            ("passwordMinimumLength", before.passwordMinimumLength, passwordMinimumLength),
            ("sessionIdleMinutes", before.sessionIdleMinutes, sessionIdleMinutes),
            ("sessionAbsoluteHours", before.sessionAbsoluteHours, sessionAbsoluteHours),
            ("lockoutFailuresPerAccount", before.lockoutFailuresPerAccount, lockoutFailuresPerAccount),
            ("lockoutFailuresPerAddress", before.lockoutFailuresPerAddress, lockoutFailuresPerAddress),
            ("lockoutMinutes", before.lockoutMinutes, lockoutMinutes),
            ("deviceOfflineMinutes", before.deviceOfflineMinutes, deviceOfflineMinutes),
            ("pinMinimumLength", before.pinMinimumLength, pinMinimumLength),
            ("usualVisitMinutes", before.usualVisitMinutes, usualVisitMinutes),
            ("journalRetentionDays", before.journalRetentionDays, journalRetentionDays),
        ]
        for (field, old, new) in numbers where old != new { changes[field] = pair(old, new) }
        if occupancyRefuses != before.occupancyRefuses {
            changes["occupancyRefuses"] = pair(before.occupancyRefuses, occupancyRefuses)
        }
        return changes
    }
}
