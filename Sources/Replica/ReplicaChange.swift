import PorteroModel
import SyncWire

/// A user as the branch replica holds them: what a door needs, no more.
public struct ReplicaUser: Hashable, Sendable {
    public var id: UserID
    public var clave: Int64
    public var displayName: String
    public var active: Bool
    public var roles: RoleSet
    /// The user's staff roles apply at this replica's branch (the core decides, from the grants).
    public var grantedHere: Bool
    public var pin: PINDigest?
    public var duressPIN: PINDigest?
    /// Entries the core counted at other branches in the current day, week and month (for a plan
    /// with per-period limits; nil: none).
    public var visitsElsewhere: VisitCounters?

    public init(
        id: UserID, clave: Int64, displayName: String, active: Bool, roles: RoleSet = RoleSet([.client]),
        grantedHere: Bool = false,
        pin: PINDigest? = nil, duressPIN: PINDigest? = nil, visitsElsewhere: VisitCounters? = nil
    ) {
        self.visitsElsewhere = visitsElsewhere
        self.id = id
        self.clave = clave
        self.displayName = displayName
        self.active = active
        self.roles = roles
        self.grantedHere = grantedHere
        self.pin = pin
        self.duressPIN = duressPIN
    }
}

/// One change to the replica, as the sync feed delivers it. Upserts replace the whole row.
public enum ReplicaChange: Hashable, Sendable {
    case upsertUser(ReplicaUser)
    case deleteUser(UserID)
    case upsertCredential(Credential)
    case deleteCredential(CredentialID)
    case upsertPlan(Plan)
    case deletePlan(PlanID)
    case upsertSubscription(Subscription)
    case deleteSubscription(SubscriptionID)
    /// A user's whole state from the core: the row (keeping the decision state: visit counters,
    /// presence, PIN attempts), and exactly these cards, subscriptions and pass phones.
    case replaceUser(ReplicaUser, cards: [Credential], subscriptions: [Subscription], phones: [ReplicaPhone] = [])
    /// A lockdown, free access or release from the core: kept with the cursor, so it outlives a
    /// restart (an unlock, which is of the moment, is not kept).
    case doorCommand(SyncDoorCommand)
    /// A person's entries in the chain's card index: exactly these cards, with this standing.
    case chainMember(SyncChainMember)
    /// The branch's doors and calendar from headquarters, replacing what the replica held.
    case branchSetup(SyncBranchSetup)
}
