import PorteroModel

/// What the core sends a branch and what a branch sends back (DESIGN §6), as JSON. The core
/// always sends an entity's whole current state, so applying an item twice, or an older batch
/// after a newer snapshot page, converges to the same replica.

/// A card as a branch holds it.
public struct SyncCard: Hashable, Sendable, Codable {
    public var id: Int64
    public var number: UInt64
    public var status: Credential.Status

    public init(id: Int64, number: UInt64, status: Credential.Status) {
        self.id = id
        self.number = number
        self.status = status
    }
}

/// Everything a door needs about one person.
public struct SyncUser: Hashable, Sendable, Codable {
    public var id: Int64
    public var clave: Int64
    public var displayName: String
    public var active: Bool
    public var roles: [Role]
    /// A staff role of this user applies at the receiving branch.
    public var grantedHere: Bool
    /// The PIN's keyed digest, hex; never the digits.
    public var pin: String?
    /// The duress PIN's keyed digest, hex: it admits like the PIN and raises the silent alarm.
    public var duressPin: String?
    public var cards: [SyncCard]
    public var subscriptions: [Subscription]
    /// For a member whose plan limits visits per day, week or month: the entries the core holds
    /// that were not made at the receiving branch's doors, in its current day, week and month
    /// (nil: no such plan). The branch adds its own.
    public var visitsElsewhere: VisitCounters?
    /// The phones that carry their pass (nil from a core that has none to tell).
    public var phones: [SyncPhone]?

    public init(
        id: Int64, clave: Int64, displayName: String, active: Bool, roles: [Role], grantedHere: Bool, pin: String?,
        duressPin: String? = nil, cards: [SyncCard], subscriptions: [Subscription],
        visitsElsewhere: VisitCounters? = nil, phones: [SyncPhone]? = nil
    ) {
        self.phones = phones
        self.visitsElsewhere = visitsElsewhere
        self.duressPin = duressPin
        self.id = id
        self.clave = clave
        self.displayName = displayName
        self.active = active
        self.roles = roles
        self.grantedHere = grantedHere
        self.pin = pin
        self.cards = cards
        self.subscriptions = subscriptions
    }
}

/// One person's entries in the chain's card index, which every branch holds whole: their active
/// cards, whether they are active, and until when they hold a subscription anywhere. A branch
/// that does not hold the person tells a member of another branch from a stranger with it, and
/// learns nothing else about them.
public struct SyncChainMember: Hashable, Sendable, Codable {
    public var id: Int64
    public var active: Bool
    /// The last day of their latest subscription anywhere, grace and freezes included (an open
    /// freeze: far ahead; cancelled ones do not count); nil: they never held one.
    public var subscribedThrough: LocalDay?
    /// Active card numbers (none: the person leaves the index).
    public var cards: [UInt64]

    public init(id: Int64, active: Bool, subscribedThrough: LocalDay?, cards: [UInt64]) {
        self.id = id
        self.active = active
        self.subscribedThrough = subscribedThrough
        self.cards = cards
    }
}

/// One item of a batch or a snapshot page.
public enum SyncItem: Hashable, Sendable, Codable {
    case user(SyncUser)
    /// The person no longer concerns this branch (or no longer exists): drop them.
    case removeUser(Int64)
    /// A plan version (its id is the version id subscriptions name).
    case plan(Plan)
    /// A person's entries in the chain's card index: replace what the index holds for them.
    case chainMember(SyncChainMember)
    /// The branch's doors and calendar, whole: replace what the replica holds.
    case branchSetup(SyncBranchSetup)

    /// The kinds this build reads; a batch or page leaves out items of any other (a newer core's).
    static let kinds: Set<String> = ["user", "remove_user", "plan", "chain_member", "branch_setup"]

    enum CodingKeys: String, CodingKey { case kind, user, id, plan, member, setup }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "user": self = .user(try container.decode(SyncUser.self, forKey: .user))
        case "remove_user": self = .removeUser(try container.decode(Int64.self, forKey: .id))
        case "plan": self = .plan(try container.decode(Plan.self, forKey: .plan))
        case "chain_member": self = .chainMember(try container.decode(SyncChainMember.self, forKey: .member))
        case "branch_setup": self = .branchSetup(try container.decode(SyncBranchSetup.self, forKey: .setup))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container, debugDescription: "unknown sync item kind '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .user(user):
            try container.encode("user", forKey: .kind)
            try container.encode(user, forKey: .user)
        case let .removeUser(id):
            try container.encode("remove_user", forKey: .kind)
            try container.encode(id, forKey: .id)
        case let .plan(plan):
            try container.encode("plan", forKey: .kind)
            try container.encode(plan, forKey: .plan)
        case let .chainMember(member):
            try container.encode("chain_member", forKey: .kind)
            try container.encode(member, forKey: .member)
        case let .branchSetup(setup):
            try container.encode("branch_setup", forKey: .kind)
            try container.encode(setup, forKey: .setup)
        }
    }

    /// Items of a list a newer core may extend: one of a kind this build does not know is left
    /// out; a known kind that does not decode is still an error.
    static func decodeList<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, forKey key: Key) throws
        -> [SyncItem]
    {
        try container.decode([KnownItem].self, forKey: key).compactMap(\.item)
    }
}

/// A list element that is a `SyncItem` of a known kind, or nil for one of another kind.
private struct KnownItem: Decodable {
    struct Kind: Decodable { let kind: String }
    let item: SyncItem?
    init(from decoder: any Decoder) throws {
        item = SyncItem.kinds.contains(try Kind(from: decoder).kind) ? try SyncItem(from: decoder) : nil
    }
}

/// A remote door command for the receiving branch. A lockdown or free access lasts until a
/// release, a later mode for the same doors, or `until`; an unlock opens once, now.
public struct SyncDoorCommand: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case unlockOnce = "unlock_once", lockdown, freeAccess = "free_access", release
    }
    public var id: Int64
    /// Nil: every door of the branch.
    public var door: Int64?
    public var command: Kind
    public var reason: String
    public var createdAt: Timestamp
    /// When a lockdown or free access ends by itself; nil: only by command.
    public var until: Timestamp?
    /// Who gave it (the user's name), for the journal and the status page.
    public var by: String?

    public init(
        id: Int64, door: Int64?, command: Kind, reason: String, createdAt: Timestamp, until: Timestamp? = nil,
        by: String? = nil
    ) {
        self.id = id
        self.door = door
        self.command = command
        self.reason = reason
        self.createdAt = createdAt
        self.until = until
        self.by = by
    }

    /// The mode it sets; nil for an unlock (which sets none) and a release (which clears).
    public var mode: DoorMode? {
        switch command {
        case .lockdown: .lockdown
        case .freeAccess: .freeAccess
        case .unlockOnce, .release: nil
        }
    }
}

/// An answer to `GET /api/v1/sync/changes?after=SEQ`.
public struct SyncBatch: Hashable, Sendable, Codable {
    /// The sequence to ask after next time; apply it with the items, in one transaction.
    public var cursor: Int64
    public var items: [SyncItem]
    public var commands: [SyncDoorCommand]
    /// More changes are waiting: ask again at once.
    public var more: Bool
    /// The cursor is older than the core's log keeps: bootstrap from a snapshot.
    public var snapshotRequired: Bool
    public var serverTime: Timestamp

    public init(
        cursor: Int64, items: [SyncItem], commands: [SyncDoorCommand], more: Bool, snapshotRequired: Bool,
        serverTime: Timestamp
    ) {
        self.cursor = cursor
        self.items = items
        self.commands = commands
        self.more = more
        self.snapshotRequired = snapshotRequired
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey { case cursor, items, commands, more, snapshotRequired, serverTime }

    /// A command or an item of a kind this build does not know (a newer core) is left out, not
    /// the batch: the rest of the feed still applies.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cursor = try container.decode(Int64.self, forKey: .cursor)
        items = try SyncItem.decodeList(container, forKey: .items)
        commands = try container.decode([Lenient<SyncDoorCommand>].self, forKey: .commands).compactMap(\.value)
        more = try container.decode(Bool.self, forKey: .more)
        snapshotRequired = try container.decode(Bool.self, forKey: .snapshotRequired)
        serverTime = try container.decode(Timestamp.self, forKey: .serverTime)
    }
}

/// A value that decodes to nil instead of failing (an element of a list a newer peer may extend).
public struct Lenient<Value: Decodable>: Decodable {
    public let value: Value?
    public init(from decoder: any Decoder) throws { value = try? Value(from: decoder) }
}

/// One page of `GET /api/v1/sync/snapshot?after=USER`. The first page's `sequence` is where the
/// feed continues once the last page is in.
public struct SyncSnapshotPage: Hashable, Sendable, Codable {
    public var sequence: Int64
    public var items: [SyncItem]
    /// Ask for the next page after this user id; nil: that was the last page.
    public var nextAfter: Int64?
    public var serverTime: Timestamp

    public init(sequence: Int64, items: [SyncItem], nextAfter: Int64?, serverTime: Timestamp) {
        self.sequence = sequence
        self.items = items
        self.nextAfter = nextAfter
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey { case sequence, items, nextAfter, serverTime }

    /// Items of a kind this build does not know (a newer core) are left out, not the page.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try container.decode(Int64.self, forKey: .sequence)
        items = try SyncItem.decodeList(container, forKey: .items)
        nextAfter = try container.decodeIfPresent(Int64.self, forKey: .nextAfter)
        serverTime = try container.decode(Timestamp.self, forKey: .serverTime)
    }
}

/// `POST /api/v1/sync/attendance`: events from the branch's outbox.
public struct SyncUpload: Hashable, Sendable, Codable {
    public var events: [AttendanceEvent]
    public init(events: [AttendanceEvent]) { self.events = events }
}

/// The ids the core now holds (new or already there): the outbox may drop exactly these.
public struct SyncUploadAnswer: Hashable, Sendable, Codable {
    public var acknowledged: [EventID]
    public var stored: Int
    public var duplicates: Int
    public init(acknowledged: [EventID], stored: Int, duplicates: Int) {
        self.acknowledged = acknowledged
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// What a device learns at enrolment, besides its token.
public struct SyncIdentity: Hashable, Sendable, Codable {
    public var deviceID: Int64
    public var branchID: Int64
    public var branchName: String
    public var timeZone: String
    /// The deployment's PIN key, hex: the replica hashes keyed PINs with it.
    public var pinKey: String

    public init(deviceID: Int64, branchID: Int64, branchName: String, timeZone: String, pinKey: String) {
        self.deviceID = deviceID
        self.branchID = branchID
        self.branchName = branchName
        self.timeZone = timeZone
        self.pinKey = pinKey
    }
}

/// A door alarm raised at a branch (a door forced, held open), reported to the core.
public struct SyncAlarm: Hashable, Sendable, Codable {
    public var door: Int64
    public var doorName: String
    /// `forced`, `held_open`, `duress` (a duress PIN was keyed), `keypad_locked` (too many
    /// unknown PINs at the door's keypad), `near_capacity` (an entry reached the branch's soft
    /// limit) or `branch_full` (an entry found the branch at its hard limit).
    public var alarm: String
    public var at: Timestamp
    /// Whose duress PIN it was.
    public var user: Int64?

    public init(door: Int64, doorName: String, alarm: String, at: Timestamp, user: Int64? = nil) {
        self.door = door
        self.doorName = doorName
        self.alarm = alarm
        self.at = at
        self.user = user
    }

    /// The kinds a core accepts.
    public static let kinds = ["forced", "held_open", "duress", "keypad_locked", "near_capacity", "branch_full"]
}

/// `POST /api/v1/sync/alarms`.
public struct SyncAlarmUpload: Hashable, Sendable, Codable {
    public var alarms: [SyncAlarm]
    public init(alarms: [SyncAlarm]) { self.alarms = alarms }
}

/// A change made at the branch while it may be offline, sent up for the core to apply; what the
/// core makes of it comes back down through the feed. The id is the branch's own, so a command
/// sent twice is applied once.
public struct SyncLocalCommand: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A card given to a member at reception.
        case card
    }
    public var id: Int64
    public var kind: Kind
    public var user: Int64
    public var number: UInt64
    public var at: Timestamp
    /// Who made the change at the branch; absent from daemons that do not record it.
    public var localUser: SyncLocalUser?

    public init(id: Int64, kind: Kind, user: Int64, number: UInt64, at: Timestamp, localUser: SyncLocalUser? = nil) {
        self.id = id
        self.kind = kind
        self.user = user
        self.number = number
        self.at = at
        self.localUser = localUser
    }
}

/// The account on the branch controller that made a change there, as the kernel named the status
/// socket's peer to the daemon (SO_PEERCRED), not as the request said: its uid, and its login
/// name when the controller's password database has one.
public struct SyncLocalUser: Hashable, Sendable, Codable, CustomStringConvertible {
    public var uid: UInt32
    public var name: String?

    public init(uid: UInt32, name: String?) {
        self.uid = uid
        self.name = name
    }

    /// `recepcion (uid 1001)`, or `uid 1001` for a uid without a name.
    public var description: String { name.map { "\($0) (uid \(uid))" } ?? "uid \(uid)" }
}

public struct SyncCommandUpload: Hashable, Sendable, Codable {
    public var commands: [SyncLocalCommand]
    public init(commands: [SyncLocalCommand]) { self.commands = commands }
}

/// What the core made of each command: applied, or refused with the reason (a card another
/// member holds); either way the branch stops sending it.
public struct SyncCommandAnswer: Hashable, Sendable, Codable {
    public struct Result: Hashable, Sendable, Codable {
        public var id: Int64
        public var applied: Bool
        public var message: String
        public init(id: Int64, applied: Bool, message: String) {
            self.id = id
            self.applied = applied
            self.message = message
        }
    }
    public var results: [Result]
    public init(results: [Result]) { self.results = results }
}
