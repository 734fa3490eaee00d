/// What a reader read: a card, a PIN keyed on a PIN-only keypad, or a phone's rotating pass.
public enum PresentedCredential: Hashable, Sendable {
    case card(CardNumber)
    case pin(PINDigest)
    case pass(PassCode)
    /// A day or guest pass's printed code.
    case dayPass(DayPassCode)
}

/// One access request at a door.
public struct AccessRequest: Hashable, Sendable {
    public var doorID: DoorID
    public var direction: Direction
    public var presented: PresentedCredential
    /// The PIN keyed after the card at a card-and-PIN door (nil when none was keyed in time).
    public var pin: PINDigest?

    public init(doorID: DoorID, direction: Direction, presented: PresentedCredential, pin: PINDigest? = nil) {
        self.doorID = doorID
        self.direction = direction
        self.presented = presented
        self.pin = pin
    }
}

/// The user behind a credential, as much of them as the decision needs.
public struct AccessUser: Hashable, Sendable {
    public var id: UserID
    public var active: Bool
    public var roles: RoleSet
    public var branches: Set<BranchID>

    public init(id: UserID, active: Bool, roles: RoleSet, branches: Set<BranchID>) {
        self.id = id
        self.active = active
        self.roles = roles
        self.branches = branches
    }

    public func isStaff(at branch: BranchID) -> Bool {
        Self.staffAt(roles: roles, grantedBranches: branches, branch: branch)
    }

    static func staffAt(roles: RoleSet, grantedBranches: Set<BranchID>, branch: BranchID) -> Bool {
        if roles.contains(.superAdministrator) { return true }
        return roles.hasStaffRole && grantedBranches.contains(branch)
    }
}

/// A subscription with its plan (nil when the plan is not in the replica).
public struct SubscriptionFacts: Hashable, Sendable {
    public var subscription: Subscription
    public var plan: Plan?
    /// Entries already made on this subscription at every branch (a pack's count): the core's
    /// count elsewhere plus this replica's own.
    public var visitsUsed: Int

    public init(subscription: Subscription, plan: Plan?, visitsUsed: Int = 0) {
        self.subscription = subscription
        self.plan = plan
        self.visitsUsed = visitsUsed
    }
}

/// What the chain's card index says about a card this branch does not hold: whose it is (a
/// member of another branch) and until when they hold a subscription somewhere in the chain.
/// Nothing personal: no name, no PIN, no subscriptions.
public struct ChainStanding: Hashable, Sendable {
    /// The last day the person holds a subscription anywhere in the chain, grace and freezes
    /// included (nil: none ever).
    public var subscribedThrough: LocalDay?

    public init(subscribedThrough: LocalDay?) { self.subscribedThrough = subscribedThrough }

    /// Why the door refuses them here on `day`: their plan is for other branches, or they hold none.
    public func reason(on day: LocalDay) -> ReasonCode {
        if let through = subscribedThrough, day <= through { return .planBranchNotCovered }
        return .subscriptionNone
    }
}

/// Everything the replica knows about one presented credential, gathered by indexed look-ups.
public struct AccessFacts: Hashable, Sendable {
    /// Nil for a card known only from the chain's card index.
    public var credentialID: CredentialID?
    public var credentialStatus: Credential.Status
    public var user: AccessUser
    public var subscriptions: [SubscriptionFacts]
    /// The user's PIN (keyed hash), for card-and-PIN doors.
    public var pin: PINDigest?
    /// A second PIN that opens the door and raises a silent alarm.
    public var duressPIN: PINDigest?
    /// Entries the core counted at other branches in the current day, week and month (as of the
    /// last sync), for a member whose plan limits visits per period: the limit counts them with
    /// this branch's own.
    public var visitsElsewhere: VisitCounters
    /// Set when the card is not this branch's but the chain's card index knows it: the person is
    /// a member of another branch, and the door tells which refusal applies.
    public var chain: ChainStanding?
    /// People counted inside the branch other than this user, when the branch has occupancy
    /// limits and this is an entry (nil: nobody counted).
    public var othersInside: Int?
    /// Why a phone pass whose signature holds is refused before anything else: made too long ago
    /// or too far ahead, or spent at a door already.
    public var passRefusal: ReasonCode?

    public init(
        credentialID: CredentialID?, credentialStatus: Credential.Status, user: AccessUser,
        subscriptions: [SubscriptionFacts],
        pin: PINDigest? = nil, duressPIN: PINDigest? = nil, visitsElsewhere: VisitCounters = VisitCounters(),
        chain: ChainStanding? = nil
    ) {
        self.credentialID = credentialID
        self.credentialStatus = credentialStatus
        self.user = user
        self.subscriptions = subscriptions
        self.pin = pin
        self.duressPIN = duressPIN
        self.visitsElsewhere = visitsElsewhere
        self.chain = chain
    }

    /// A card of the chain's index: an active card of a person this branch holds nothing else about.
    public static func chainMember(_ user: UserID, active: Bool, standing: ChainStanding) -> AccessFacts {
        AccessFacts(
            credentialID: nil, credentialStatus: .active,
            user: AccessUser(id: user, active: active, roles: RoleSet(rawValue: 0), branches: []), subscriptions: [],
            chain: standing)
    }
}

/// Branch-wide rules of the decision that are not a door's.
public struct AccessPolicy: Hashable, Sendable, Codable {
    /// Wrong PINs in a row before the user's PIN is locked.
    public var pinMaxFailures: Int
    /// How long a PIN lockout lasts.
    public var pinLockoutSeconds: Int64

    public init(pinMaxFailures: Int = 5, pinLockoutSeconds: Int64 = 15 * 60) {
        self.pinMaxFailures = max(1, pinMaxFailures)
        self.pinLockoutSeconds = max(1, pinLockoutSeconds)
    }
}

/// Where the decision happens: the branch, its time zone and its policy.
public struct AccessContext: Sendable {
    public var branchID: BranchID
    public var zone: ZoneRules
    public var policy: AccessPolicy
    /// Closures and special hours, from headquarters.
    public var calendar: BranchCalendar
    /// The branch's capacity, from headquarters.
    public var occupancy = OccupancyLimits()

    public init(
        branchID: BranchID, zone: ZoneRules, policy: AccessPolicy = AccessPolicy(), calendar: BranchCalendar = .init()
    ) {
        self.branchID = branchID
        self.zone = zone
        self.policy = policy
        self.calendar = calendar
    }
}
