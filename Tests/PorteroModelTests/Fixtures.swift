import PorteroModel

/// An instant given as UTC calendar fields.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Timestamp {
    let days = Int64(LocalDay(year: year, month: month, day: day)!.rawValue)
    return Timestamp(seconds: days * 86_400 + Int64(hour * 3600 + minute * 60 + second))
}

func day(_ year: Int, _ month: Int, _ day: Int) -> LocalDay { LocalDay(year: year, month: month, day: day)! }

let mexicoCity = try! ZoneRules(identifier: "America/Mexico_City")
let madrid = try! ZoneRules(identifier: "Europe/Madrid")

/// One access request with everything around it; each test changes what it is about.
struct Fixture: Sendable {
    static let branch = BranchID(1)
    static let otherBranch = BranchID(2)
    static let pin = PINDigest(bytes: Array(repeating: 0x11, count: 32))
    static let duressPIN = PINDigest(bytes: Array(repeating: 0x22, count: 32))
    static let wrongPIN = PINDigest(bytes: Array(repeating: 0x33, count: 32))
    static let card = CardNumber(rawValue: 12_345_678)

    var door = Door(id: DoorID(10), branchID: branch, name: "Torniquete 1")
    var context = AccessContext(
        branchID: branch, zone: mexicoCity, policy: AccessPolicy(pinMaxFailures: 3, pinLockoutSeconds: 600))
    var plan = Plan(
        id: PlanID(1), name: "Mensual", price: Money(minorUnits: 59_900, currency: "MXN"), duration: .months(1))
    var subscription = Subscription(
        id: SubscriptionID(100), userID: UserID(7), planID: PlanID(1), startDay: day(2024, 1, 1),
        endDay: day(2024, 12, 31), graceDays: 3, pricePaid: Money(minorUnits: 59_900, currency: "MXN"))
    var user = AccessUser(id: UserID(7), active: true, roles: RoleSet([.client]), branches: [])
    var credentialStatus = Credential.Status.active
    var known = true
    var extraSubscriptions: [SubscriptionFacts] = []
    var hasSubscription = true
    /// Entries already made on the subscription (a pack's count).
    var visitsUsed = 0
    var state = AccessState()
    /// Entries the core counted at other branches (per-period limits count them too).
    var visitsElsewhere = VisitCounters()
    /// Set: the card is known only from the chain's card index, with this standing.
    var chain: ChainStanding?
    /// People inside other than this user, as the replica counts them (nil: not counted).
    var othersInside: Int?
    /// Why a phone pass whose signature holds is refused (the replica's verdict).
    var passRefusal: ReasonCode?
    var request = AccessRequest(doorID: DoorID(10), direction: .entry, presented: .card(card))
    /// Monday 2024-06-03 10:00 in Mexico City (UTC−6 all year since 2022).
    var now = utc(2024, 6, 3, 16, 0)

    var facts: AccessFacts? {
        guard known else { return nil }
        if let chain { return .chainMember(user.id, active: user.active, standing: chain) }
        var facts = AccessFacts(
            credentialID: CredentialID(55), credentialStatus: credentialStatus, user: user,
            subscriptions: (hasSubscription
                ? [
                    SubscriptionFacts(
                        subscription: subscription, plan: subscription.planID == plan.id ? plan : nil,
                        visitsUsed: visitsUsed)
                ] : [])
                + extraSubscriptions,
            pin: Self.pin, duressPIN: Self.duressPIN, visitsElsewhere: visitsElsewhere)
        facts.othersInside = othersInside
        facts.passRefusal = passRefusal
        return facts
    }

    func decision() -> AccessDecision {
        decide(request, door: door, context: context, facts: facts, state: state, now: now)
    }

    /// Decides, then applies the state change, as the replica does.
    mutating func decideAndRecord() -> AccessDecision {
        let decision = decision()
        state = state.recording(decision, for: request, at: door, context: context, now: now)
        return decision
    }
}
