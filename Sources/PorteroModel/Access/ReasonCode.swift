/// Why a request was granted or denied: a stable code shared by the UI, the API and the logs.
///
/// The raw strings are a public contract: add codes, never rename one.
public enum ReasonCode: String, Sendable, Codable, CaseIterable {
    // Grants.
    case granted
    case grantedStaff = "granted.staff"
    case grantedGrace = "granted.grace"
    case grantedFreeAccess = "granted.free_access"
    /// The duress PIN: the door opens and a silent alarm goes up.
    case grantedDuress = "granted.duress"
    /// Leaving: membership checks do not apply to someone already inside.
    case grantedExit = "granted.exit"
    /// Checked in by staff at the desk, with a reason (audited).
    case grantedManual = "granted.manual"
    // Door.
    case doorLockdown = "door.lockdown"
    case doorClosed = "door.closed"
    /// The door is not passed this way (an entrance's exit reader, an exit's entry reader).
    case doorWrongDirection = "door.wrong_direction"
    /// A wired door headquarters has not defined: entries wait for it.
    case doorUnregistered = "door.unregistered"
    /// The branch's calendar closes it all day (a holiday).
    case branchClosed = "branch.closed"
    /// The branch holds as many people as its hard limit allows, and the chain makes it refuse.
    case branchFull = "branch.full"
    // Credential and user.
    case credentialUnknown = "credential.unknown"
    case credentialLost = "credential.lost"
    case credentialRevoked = "credential.revoked"
    case userInactive = "user.inactive"
    /// A phone pass whose signature does not hold, or of a phone this branch does not know; a day
    /// pass whose signature does not hold, or that this branch does not hold.
    case passInvalid = "pass.invalid"
    /// A phone pass made more than its validity ago, or ahead of the door's clock: a screenshot.
    case passExpired = "pass.expired"
    /// A phone pass that opened a door already (or older than one that did).
    case passUsed = "pass.used"
    // Membership.
    case planBranchNotCovered = "plan.branch_not_covered"
    case subscriptionNone = "subscription.none"
    case subscriptionNotStarted = "subscription.not_started"
    case subscriptionExpired = "subscription.expired"
    case subscriptionFrozen = "subscription.frozen"
    case subscriptionCancelled = "subscription.cancelled"
    case planOutsideWindow = "plan.outside_window"
    case planVisitLimit = "plan.visit_limit"
    /// A payment owed on the subscription is past the chain's grace.
    case paymentOverdue = "payment.overdue"
    // Anti-passback.
    case antipassbackAlreadyInside = "antipassback.already_inside"
    case antipassbackNotInside = "antipassback.not_inside"
    case antipassbackTooSoon = "antipassback.too_soon"
    // PIN.
    case pinRequired = "pin.required"
    case pinWrong = "pin.wrong"
    case pinLockedOut = "pin.locked_out"
    /// Too many unknown PINs at this keypad lately: it takes none for a while.
    case keypadLocked = "keypad.locked"

    /// True for the codes that open the door.
    public var grants: Bool { rawValue.hasPrefix("granted") }
}
