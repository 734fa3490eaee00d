/// The outcome of one access request.
public struct AccessDecision: Hashable, Sendable {
    public var reason: ReasonCode
    public var userID: UserID?
    public var credentialID: CredentialID?
    /// The subscription that admitted the user, or the one that came closest.
    public var subscriptionID: SubscriptionID?
    /// The duress PIN was keyed: raise the silent alarm whatever the outcome.
    public var duress: Bool
    /// How full the branch is with this entry, when it has limits and counted (nil: not counted).
    public var occupancy: OccupancyLevel?
    /// The people the door counted inside besides this one, when it counted.
    public var othersInside: Int?

    public init(
        reason: ReasonCode, userID: UserID? = nil, credentialID: CredentialID? = nil,
        subscriptionID: SubscriptionID? = nil, duress: Bool = false
    ) {
        self.reason = reason
        self.userID = userID
        self.credentialID = credentialID
        self.subscriptionID = subscriptionID
        self.duress = duress
    }

    public var granted: Bool { reason.grants }
}

/// Decides one access request. Pure: the same arguments always give the same decision.
///
/// The checks run in this order and the first that fails is the reason (DESIGN §4):
/// 1. the door: one headquarters has not defined refuses entries, a direction it is not passed
///    in refuses; lockdown denies, free access grants; then, for entries, the branch's calendar
///    (a closed day denies, special hours replace the weekly schedule that day) or else the
///    door's weekly schedule;
/// 2. the credential is known, and neither lost nor revoked; a phone pass is signed by the
///    member's phone, made within its time window and not spent at a door already;
/// 3. the user is active (entries only);
/// 4. a staff role with this branch skips the membership checks (5–8);
/// 5. a plan covering this branch (a card of another branch's member, from the chain's card
///    index, stops here: `plan.branch_not_covered` while they hold a subscription, else
///    `subscription.none`);
/// 6. a current subscription to it (not started, expired, frozen or cancelled deny; grace admits;
///    a payment owed past the chain's grace denies);
/// 7. the plan's time window, in the branch's time zone;
/// 8. the plan's visit limit per day, week and month, counting entries at every branch as of the
///    last sync, and a pack's over the whole subscription;
/// 9. anti-passback: in/out and timed re-entry;
/// 10. occupancy: past the branch's hard limit an entry is refused (`branch.full`) when the
///     chain makes the limit refuse; staff pass; a granted entry carries how full it leaves the
///     branch, so the door warns at the soft limit;
/// 11. the PIN at a card-and-PIN door: lockout, then the PIN itself; the duress PIN admits.
///
/// Exits skip the schedule, the user and membership checks (5–8) and the PIN: nobody is kept
/// inside because their plan ran out while they trained. A duress PIN sets `duress` on every
/// outcome, so the alarm goes up even when an earlier check refuses the door.
public func decide(
    _ request: AccessRequest, door: Door, context: AccessContext, facts: AccessFacts?, state: AccessState,
    now: Timestamp
) -> AccessDecision {
    let local = context.zone.localTime(at: now)
    let entering = request.direction == .entry
    // The duress PIN keyed alone at a PIN-only keypad, or after the card at a card-and-PIN door.
    let keyedDuress: Bool =
        if case let .pin(keyed) = request.presented, let duressPIN = facts?.duressPIN {
            keyed.matches(duressPIN)
        } else {
            false
        }
    let duress =
        entering
        && (keyedDuress
            || (door.requiresPIN && request.pin != nil
                && facts?.duressPIN.map { request.pin!.matches($0) } == true))  // safe: request.pin checked first

    func outcome(_ reason: ReasonCode, subscription: SubscriptionID? = nil) -> AccessDecision {
        AccessDecision(
            reason: reason, userID: facts?.user.id, credentialID: facts?.credentialID, subscriptionID: subscription,
            duress: duress)
    }

    // A card-and-PIN door wants the card first: a PIN keyed alone is no credential there, whoever
    // it belongs to (a duress PIN still raises the alarm).
    if entering && door.requiresPIN, case .pin = request.presented, door.mode == .normal {
        return AccessDecision(reason: .credentialUnknown, userID: nil, credentialID: nil, duress: duress)
    }

    // 1. Door: registered, direction, mode, then the day's hours.
    if entering && !door.registered { return outcome(.doorUnregistered) }
    if !door.direction.allows(request.direction) { return outcome(.doorWrongDirection) }
    switch door.mode {
    case .lockdown: return outcome(.doorLockdown)
    case .freeAccess: return outcome(.grantedFreeAccess)
    case .normal: break
    }
    if entering {
        if let special = context.calendar[local.day] {
            guard let hours = special.hours else { return outcome(.branchClosed) }
            if !hours.contains(minuteOfDay: local.minuteOfDay) { return outcome(.doorClosed) }
        } else if let schedule = door.schedule, !schedule.contains(local) {
            return outcome(.doorClosed)
        }
    }

    // 2. Credential; a phone pass also by its signature, its time and whether it was spent.
    guard let facts else {
        switch request.presented {
        case .pass, .dayPass: return outcome(.passInvalid)
        case .card, .pin: return outcome(.credentialUnknown)
        }
    }
    switch facts.credentialStatus {
    case .active: break
    case .lost: return outcome(.credentialLost)
    case .revoked: return outcome(.credentialRevoked)
    }
    if let refusal = facts.passRefusal { return outcome(refusal) }

    var granted = ReasonCode.granted
    var subscriptionID: SubscriptionID?
    if !entering {
        granted = .grantedExit
    } else {
        // 3. User.
        guard facts.user.active else { return outcome(.userInactive) }
        // 4. Staff of this branch.
        if facts.user.isStaff(at: context.branchID) {
            granted = .grantedStaff
        } else if let chain = facts.chain {
            // 5–6. A member of another branch, known here only from the chain's card index.
            return outcome(chain.reason(on: local.day))
        } else {
            // 5–8. Membership; visit limits count the entries made at other branches too.
            let visits = state.visits.adding(facts.visitsElsewhere, on: local.day)
            switch membership(facts.subscriptions, branch: context.branchID, local: local, visits: visits) {
            case let .admitted(id, grace):
                granted = grace ? .grantedGrace : .granted
                subscriptionID = id
            case let .refused(reason, id):
                return outcome(reason, subscription: id)
            }
        }
    }

    // 9. Anti-passback.
    let rule = door.antiPassback
    if let presence = state.presence {
        let age = now.milliseconds(since: presence.since)
        // A presence from the future (the clock moved back) is taken as current.
        let insideNow = presence.inside && age < rule.presenceExpirySeconds.secondsAsMilliseconds
        if entering {
            if rule.inOut && insideNow { return outcome(.antipassbackAlreadyInside, subscription: subscriptionID) }
            if let delay = rule.reentryDelaySeconds, let last = presence.lastEntry {
                let elapsed = now.milliseconds(since: last)
                // Negative elapsed time means the clock moved back: the rule cannot be judged, so it does not deny.
                if elapsed >= 0 && elapsed < delay.secondsAsMilliseconds {
                    return outcome(.antipassbackTooSoon, subscription: subscriptionID)
                }
            }
        } else if rule.inOut && !presence.inside && age < rule.presenceExpirySeconds.secondsAsMilliseconds {
            return outcome(.antipassbackNotInside, subscription: subscriptionID)
        }
    }

    // 10. Occupancy: an entry past the hard limit is refused when the chain says so; staff pass.
    var level: OccupancyLevel?
    if entering, let others = facts.othersInside, !context.occupancy.isEmpty {
        level = context.occupancy.level(enteringWith: others)
        if level == .full && context.occupancy.refuses && granted != .grantedStaff {
            var refused = outcome(.branchFull, subscription: subscriptionID)
            refused.occupancy = .full
            refused.othersInside = others
            return refused
        }
    }

    // 11. PIN at a card-and-PIN door (a PIN-only credential already is the PIN).
    if entering && door.requiresPIN, request.presented.isPossession {
        if state.pinAttempts.isLockedOut(at: now) { return outcome(.pinLockedOut, subscription: subscriptionID) }
        guard let keyed = request.pin else { return outcome(.pinRequired, subscription: subscriptionID) }
        if let pin = facts.pin, keyed.matches(pin) {
            // The PIN is right; the grant reason from the earlier checks stands.
        } else if duress {
            granted = .grantedDuress
        } else {
            return outcome(.pinWrong, subscription: subscriptionID)
        }
    }

    if duress { granted = .grantedDuress }
    var decision = AccessDecision(
        reason: granted, userID: facts.user.id, credentialID: facts.credentialID, subscriptionID: subscriptionID,
        duress: duress)
    decision.occupancy = level
    decision.othersInside = level == nil ? nil : facts.othersInside
    return decision
}

/// The result of the membership checks (5–8) over all of a user's subscriptions.
enum MembershipResult: Equatable {
    case admitted(SubscriptionID, grace: Bool)
    case refused(ReasonCode, SubscriptionID?)
}

/// Runs checks 5–8 on each subscription and keeps the one that got furthest: a user with an
/// expired plan and a current one gets in; one with only refusals hears the most relevant.
func membership(_ subscriptions: [SubscriptionFacts], branch: BranchID, local: LocalTime, visits: VisitCounters)
    -> MembershipResult
{
    guard !subscriptions.isEmpty else { return .refused(.subscriptionNone, nil) }
    var best: (progress: Int, rank: Int, reason: ReasonCode, id: SubscriptionID)?
    for facts in subscriptions {
        let subscription = facts.subscription
        var progress = 0
        var rank = 0
        var reason = ReasonCode.planBranchNotCovered
        if let plan = facts.plan, plan.branches.covers(branch) {
            progress = 1
            let standing = subscription.standing(on: local.day)
            switch standing {
            case .current where subscription.isOverdue(on: local.day),
                .grace where subscription.isOverdue(on: local.day):
                (progress, reason) = (2, .paymentOverdue)
            case .current, .grace:
                progress = 2
                reason = .planOutsideWindow
                if plan.windows.map({ $0.contains(local) }) ?? true {
                    progress = 3
                    reason = .planVisitLimit
                    let packLeft = plan.visitLimit.perSubscription.map { facts.visitsUsed < $0 } ?? true
                    if packLeft && visits.allowsVisit(on: local.day, within: plan.visitLimit) {
                        return .admitted(subscription.id, grace: standing == .grace)
                    }
                }
            case .frozen: (reason, rank) = (.subscriptionFrozen, 4)
            case .notStarted: (reason, rank) = (.subscriptionNotStarted, 3)
            case .expired: (reason, rank) = (.subscriptionExpired, 2)
            case .cancelled: (reason, rank) = (.subscriptionCancelled, 1)
            }
        }
        if best == nil || (progress, rank) > (best!.progress, best!.rank) {  // safe: nil checked first
            best = (progress, rank, reason, subscription.id)
        }
    }
    return .refused(best!.reason, best!.id)  // safe: subscriptions is not empty
}
