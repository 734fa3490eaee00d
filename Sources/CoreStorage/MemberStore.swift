import Foundation
import PorteroModel

/// A card as the BackOffice shows it.
public struct MemberCard: Hashable, Sendable, Codable {
    public var id: Int64
    public var userID: Int64
    /// The normalised number (decimal) and the 10-digit form printed on EM4100 cards.
    public var number: String
    public var printed: String
    public var status: Credential.Status
    public var createdAt: Timestamp
    public var changedAt: Timestamp
}

/// The profile fields a create or an update may set; nil leaves a field as it is (on create:
/// its default). `agreementID` 0 clears the agreement.
public struct ProfileFields: Sendable {
    public var clave: Int64?
    public var name: String?
    public var paternalSurname: String?
    public var maternalSurname: String?
    public var gender: Gender?
    public var agreementID: Int64?
    public var birthDate: LocalDay??
    public var joinDate: LocalDay?
    public var phone: String?
    public var alternateEmail: String?
    public var followUp: Bool?
    public var notes: String?
    public var language: String?
    public init() {}
}

/// Which people a customers-and-leads list holds (seed 000): customers have bought at least one
/// subscription, leads none yet.
public enum PersonList: String, Sendable, CaseIterable {
    case customers, leads
}

/// Filters of the customers and leads lists.
public struct PersonFilter: Sendable {
    /// Users granted one of these branches (nil: every user), with only the subscriptions sold
    /// at these branches counted: who is a customer, how many subscriptions, paid until when.
    public var branches: Set<BranchID>?
    public var active: Bool?
    public var city: String?
    public var agreementID: Int64?
    public var search: String?
    public init() {}
}

/// One row of the customers or leads list.
public struct PersonRow: Sendable, Codable, Hashable {
    public var id: Int64
    public var clave: Int64
    public var name: String
    public var email: String
    public var phone: String
    public var active: Bool
    public var agreement: String?
    public var cities: String
    public var branches: String
    public var joinDate: LocalDay
    public var subscriptions: Int
    public var lastEnd: LocalDay?
}

/// Members and staff beyond the login fields: seed 003's profile, cards, PINs, agreements, the
/// follow-up list, search and the customers/leads lists. Every change that matters at a door is
/// appended to the change log in the same transaction.
public protocol MemberStore {
    /// Appends to the feed the branches follow; call inside the write's transaction.
    func recordChange(_ entity: String, _ id: Int64, now: Timestamp) throws
    /// The deployment's PIN key (32 random bytes made on first use): the core and every replica
    /// hash PINs with it, so a PIN set here matches at the door.
    func pinKey() throws -> [UInt8]
    /// The clave the BackOffice suggests: the highest plus one.
    func nextClave() throws -> Int64
    func user(_ id: UserID) throws -> User?
    func hasPIN(_ id: UserID) throws -> Bool
    func hasDuressPIN(_ id: UserID) throws -> Bool
    /// The language the user chose in their settings, nil while they have not chosen one.
    func chosenLanguage(_ id: UserID) throws -> String?
    /// Checks and writes profile fields of an existing user (created by the account store).
    func setProfile(_ id: UserID, _ fields: ProfileFields) throws
    /// Users of `branches` (nil: all) matching `search` in name, clave, username, email or card
    /// number; the follow-up users first, then by id.
    func search(_ search: String?, in branches: Set<BranchID>?, followUpOnly: Bool, limit: Int, offset: Int) throws
        -> [User]
    func cards(of user: UserID) throws -> [MemberCard]
    func card(_ id: Int64) throws -> MemberCard?
    /// The cards with this number (any status), newest first.
    func cards(number: CardNumber) throws -> [MemberCard]
    /// Assigns a card to a user; refused (409 naming the holder's clave) when the number is active for someone.
    func addCard(_ user: UserID, number: CardNumber, now: Timestamp) throws -> MemberCard
    /// Marks a card lost or revoked (or active again, when no one else holds the number).
    func setCardStatus(_ id: Int64, _ status: Credential.Status, now: Timestamp) throws -> MemberCard?
    /// Sets (or, with nil, clears) the user's PIN digest (`duress`: the duress PIN's). Refused
    /// (409) when anyone's PIN or duress PIN has that digest, this user's other one included:
    /// a PIN-only keypad tells people apart by it.
    func setPIN(_ user: UserID, digest: PINDigest?, duress: Bool, now: Timestamp) throws
    func agreements() throws -> [Agreement]
    func agreement(_ id: Int64) throws -> Agreement?
    func saveAgreement(id: Int64?, name: String?, notes: String?) throws -> Agreement?
    /// One page of the customers or leads list, by id.
    func people(_ list: PersonList, filter: PersonFilter, limit: Int, offset: Int) throws -> [PersonRow]
}

extension MemberStore {
    /// Every user matching `search`, not only those on the follow-up list.
    public func search(_ search: String?, in branches: Set<BranchID>?, limit: Int, offset: Int) throws -> [User] {
        try self.search(search, in: branches, followUpOnly: false, limit: limit, offset: offset)
    }
}
