/// Which way a person passes a reader.
public enum Direction: String, Sendable, Codable, CaseIterable {
    case entry = "in"
    case exit = "out"
}

/// Which ways a door may be passed on a credential.
public enum DoorDirection: String, Sendable, Codable, CaseIterable {
    /// Readers for entry and for exit.
    case both
    /// An entrance: exit readers at it refuse (`door.wrong_direction`).
    case entryOnly = "in"
    /// An exit (a side door that counts who leaves): entry readers at it refuse.
    case exitOnly = "out"

    public func allows(_ direction: Direction) -> Bool {
        switch self {
        case .both: true
        case .entryOnly: direction == .entry
        case .exitOnly: direction == .exit
        }
    }
}

/// What a door does with credentials right now.
public enum DoorMode: String, Sendable, Codable, CaseIterable {
    /// Credentials are checked.
    case normal
    /// Everyone passes (a class, an open day); presentations are still recorded.
    case freeAccess = "free_access"
    /// Nobody passes on a credential; egress stays with exit buttons and the fire alarm.
    case lockdown
}

/// The hardware behind a door.
public enum DoorKind: String, Sendable, Codable, CaseIterable {
    case turnstile
    /// Magnetic lock: released when power is cut (fail-safe).
    case maglock
    /// Electric strike: stays locked when power is cut (fail-secure).
    case strike
}

/// Anti-passback: a card cannot be passed back to let a second person in.
public struct AntiPassbackRule: Hashable, Sendable, Codable {
    /// Entry needs the user outside and exit needs them inside (entry and exit readers).
    public var inOut: Bool
    /// No second entry within this many seconds of the last one; nil disables it.
    public var reentryDelaySeconds: Int64?
    /// A presence older than this is forgotten (someone left through a door without a reader).
    public var presenceExpirySeconds: Int64

    public init(inOut: Bool = false, reentryDelaySeconds: Int64? = nil, presenceExpirySeconds: Int64 = 12 * 3600) {
        self.inOut = inOut
        self.reentryDelaySeconds = reentryDelaySeconds
        self.presenceExpirySeconds = presenceExpirySeconds
    }

    public static let off = AntiPassbackRule()
}

/// A door (or turnstile) of a branch and the rules it applies.
public struct Door: Hashable, Sendable, Codable {
    public var id: DoorID
    public var branchID: BranchID
    public var name: String
    public var kind: DoorKind
    public var direction: DoorDirection
    public var mode: DoorMode
    /// Opening hours; nil is always open. Outside them credentials are refused.
    public var schedule: WeeklySchedule?
    /// Card and PIN: the card's owner must also key their PIN.
    public var requiresPIN: Bool
    public var antiPassback: AntiPassbackRule
    /// A turnstile with a passage sensor: a grant counts as a visit only once someone passes.
    public var confirmsPassage: Bool
    /// False for a door wired at an enrolled controller that the core does not know (yet): it
    /// refuses entries (`door.unregistered`) until headquarters defines it; exits still pass.
    public var registered: Bool

    public init(
        id: DoorID, branchID: BranchID, name: String, kind: DoorKind = .turnstile, direction: DoorDirection = .both,
        mode: DoorMode = .normal, schedule: WeeklySchedule? = nil, requiresPIN: Bool = false,
        antiPassback: AntiPassbackRule = .off, confirmsPassage: Bool = false, registered: Bool = true
    ) {
        self.id = id
        self.branchID = branchID
        self.name = name
        self.kind = kind
        self.direction = direction
        self.mode = mode
        self.schedule = schedule
        self.requiresPIN = requiresPIN
        self.antiPassback = antiPassback
        self.confirmsPassage = confirmsPassage
        self.registered = registered
    }
}
