import PorteroModel
import Testing

/// One row of the decision table: what to change from the default fixture, and the reason expected.
struct DecisionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: ReasonCode
    let change: @Sendable (inout Fixture) -> Void

    init(_ name: String, _ expected: ReasonCode, _ change: @escaping @Sendable (inout Fixture) -> Void) {
        self.name = name
        self.expected = expected
        self.change = change
    }

    var testDescription: String { "\(name) → \(expected.rawValue)" }
}

@Suite struct DecideTests {
    /// Every reason code, each reached from the default fixture by the smallest change.
    static let everyReason: [DecisionCase] = [
        DecisionCase("member with a current plan", .granted) { _ in },
        DecisionCase("staff of this branch without a plan", .grantedStaff) {
            $0.user.roles = RoleSet([.reception])
            $0.user.branches = [Fixture.branch]
            $0.subscription.status = .cancelled
        },
        DecisionCase("the day after the end, within grace", .grantedGrace) { $0.subscription.endDay = day(2024, 6, 2) },
        DecisionCase("free-access door, unknown card", .grantedFreeAccess) {
            $0.door.mode = .freeAccess
            $0.known = false
        },
        DecisionCase("duress PIN at a card-and-PIN door", .grantedDuress) {
            $0.door.requiresPIN = true
            $0.request.pin = Fixture.duressPIN
        },
        DecisionCase("inside a day's special hours though the weekly schedule is shut", .granted) {
            $0.door.schedule = try? WeeklySchedule(parsing: "sat 06:00-22:00")
            $0.context.calendar = BranchCalendar([
                CalendarDay(day: day(2024, 6, 3), hours: try? DailyHours(parsing: "09:00-11:00"), note: "Apertura")
            ])
        },
        DecisionCase("leaving on a day the calendar closes", .grantedExit) {
            $0.request.direction = .exit
            $0.context.calendar = BranchCalendar([CalendarDay(day: day(2024, 6, 3), hours: nil, note: "Festivo")])
        },
        DecisionCase("leaving with an expired plan", .grantedExit) {
            $0.request.direction = .exit
            $0.subscription.endDay = day(2023, 1, 1)
        },
        DecisionCase("lockdown", .doorLockdown) { $0.door.mode = .lockdown },
        DecisionCase("outside the door's opening hours", .doorClosed) {
            $0.door.schedule = try? WeeklySchedule(parsing: "mon-fri 11:00-22:00")
        },
        DecisionCase("a door headquarters has not defined", .doorUnregistered) { $0.door.registered = false },
        DecisionCase("an entry at an exit-only door", .doorWrongDirection) { $0.door.direction = .exitOnly },
        DecisionCase("a day the branch's calendar closes, even for an always-open door", .branchClosed) {
            $0.context.calendar = BranchCalendar([CalendarDay(day: day(2024, 6, 3), hours: nil, note: "Festivo")])
        },
        DecisionCase("outside a day's special hours, which replace the weekly schedule", .doorClosed) {
            $0.door.schedule = try? WeeklySchedule(parsing: "daily 06:00-22:00")
            $0.context.calendar = BranchCalendar([
                CalendarDay(day: day(2024, 6, 3), hours: try? DailyHours(parsing: "06:00-09:30"), note: "Medio día")
            ])
        },
        DecisionCase("the branch at its hard limit, which the chain makes refuse", .branchFull) {
            $0.context.occupancy = OccupancyLimits(warn: 40, limit: 50, refuses: true)
            $0.othersInside = 50
        },
        DecisionCase("card not in the replica", .credentialUnknown) { $0.known = false },
        DecisionCase("card reported lost", .credentialLost) { $0.credentialStatus = .lost },
        DecisionCase("card revoked", .credentialRevoked) { $0.credentialStatus = .revoked },
        DecisionCase("a phone pass nobody signed", .passInvalid) {
            $0.request.presented = .pass(
                PassCode(member: UserID(7), phone: PhoneID(1), issuedAt: 1, signature: []))
            $0.known = false
        },
        DecisionCase("a phone pass older than its window", .passExpired) {
            $0.request.presented = .pass(
                PassCode(member: UserID(7), phone: PhoneID(1), issuedAt: 1, signature: []))
            $0.passRefusal = .passExpired
        },
        DecisionCase("a phone pass that opened a door already", .passUsed) {
            $0.request.presented = .pass(
                PassCode(member: UserID(7), phone: PhoneID(1), issuedAt: 1, signature: []))
            $0.passRefusal = .passUsed
        },
        DecisionCase("inactive user", .userInactive) { $0.user.active = false },
        DecisionCase("plan for another branch", .planBranchNotCovered) {
            $0.plan.branches = .only([Fixture.otherBranch])
        },
        DecisionCase("plan missing from the replica", .planBranchNotCovered) { $0.subscription.planID = PlanID(999) },
        DecisionCase("member who never subscribed", .subscriptionNone) { $0.hasSubscription = false },
        DecisionCase("another branch's member, subscribed there", .planBranchNotCovered) {
            $0.chain = ChainStanding(subscribedThrough: day(2024, 6, 30))
        },
        DecisionCase("another branch's member, subscribed until today", .planBranchNotCovered) {
            $0.chain = ChainStanding(subscribedThrough: day(2024, 6, 3))
        },
        DecisionCase("another branch's member whose subscription ended", .subscriptionNone) {
            $0.chain = ChainStanding(subscribedThrough: day(2024, 6, 2))
        },
        DecisionCase("another branch's member who never subscribed", .subscriptionNone) {
            $0.chain = ChainStanding(subscribedThrough: nil)
        },
        DecisionCase("another branch's member, inactive", .userInactive) {
            $0.user.active = false
            $0.chain = ChainStanding(subscribedThrough: day(2024, 6, 30))
        },
        DecisionCase("subscription starting tomorrow", .subscriptionNotStarted) {
            $0.subscription.startDay = day(2024, 6, 4)
        },
        DecisionCase("subscription past its grace", .subscriptionExpired) { $0.subscription.endDay = day(2024, 5, 30) },
        DecisionCase("subscription frozen today", .subscriptionFrozen) {
            $0.subscription.freezes = [FreezePeriod(start: day(2024, 6, 1))]
        },
        DecisionCase("subscription cancelled", .subscriptionCancelled) { $0.subscription.status = .cancelled },
        DecisionCase("off-peak plan at peak time", .planOutsideWindow) {
            $0.plan.windows = try? WeeklySchedule(parsing: "mon-fri 06:00-09:00")
        },
        DecisionCase("daily limit reached", .planVisitLimit) {
            $0.plan.visitLimit = VisitLimit(perDay: 1)
            $0.state.visits = VisitCounters().addingVisit(on: day(2024, 6, 3))
        },
        DecisionCase("weekly limit reached with entries at another branch", .planVisitLimit) {
            $0.plan.visitLimit = VisitLimit(perWeek: 2)
            $0.state.visits = VisitCounters().addingVisit(on: day(2024, 6, 3))
            $0.visitsElsewhere = VisitCounters().addingVisit(on: day(2024, 6, 3))
        },
        DecisionCase("a ten-visit pack used up", .planVisitLimit) {
            $0.plan.visitLimit = VisitLimit(perSubscription: 10)
            $0.visitsUsed = 10
        },
        DecisionCase("a ten-visit pack with one left", .granted) {
            $0.plan.visitLimit = VisitLimit(perSubscription: 10)
            $0.visitsUsed = 9
        },
        DecisionCase("a payment owed past the chain's grace", .paymentOverdue) {
            $0.subscription.unpaidFrom = Subscription.unpaidFrom(due: day(2024, 5, 31), graceDays: 2)
        },
        DecisionCase("a payment owed, still within the grace", .granted) {
            $0.subscription.unpaidFrom = Subscription.unpaidFrom(due: day(2024, 6, 1), graceDays: 2)
        },
        DecisionCase("leaving with a payment overdue", .grantedExit) {
            $0.subscription.unpaidFrom = day(2024, 6, 1)
            $0.request.direction = .exit
        },
        DecisionCase("already inside (in/out)", .antipassbackAlreadyInside) {
            $0.door.antiPassback = AntiPassbackRule(inOut: true)
            $0.state.presence = Presence(inside: true, since: utc(2024, 6, 3, 15, 0), lastEntry: utc(2024, 6, 3, 15, 0))
        },
        DecisionCase("leaving without having entered (in/out)", .antipassbackNotInside) {
            $0.door.antiPassback = AntiPassbackRule(inOut: true)
            $0.request.direction = .exit
            $0.state.presence = Presence(
                inside: false, since: utc(2024, 6, 3, 15, 0), lastEntry: utc(2024, 6, 3, 14, 0))
        },
        DecisionCase("re-entry within the timed delay", .antipassbackTooSoon) {
            $0.door.antiPassback = AntiPassbackRule(reentryDelaySeconds: 300)
            $0.state.presence = Presence(
                inside: false, since: utc(2024, 6, 3, 15, 58), lastEntry: utc(2024, 6, 3, 15, 57))
        },
        DecisionCase("card-and-PIN door, no PIN keyed", .pinRequired) { $0.door.requiresPIN = true },
        DecisionCase("card-and-PIN door, wrong PIN", .pinWrong) {
            $0.door.requiresPIN = true
            $0.request.pin = Fixture.wrongPIN
        },
        DecisionCase("PIN locked out", .pinLockedOut) {
            $0.door.requiresPIN = true
            $0.request.pin = Fixture.pin
            $0.state.pinAttempts = PINAttempts(failures: 3, lockedUntil: utc(2024, 6, 3, 16, 5))
        },
    ]

    @Test(arguments: everyReason)
    func reasonTable(_ row: DecisionCase) {
        var fixture = Fixture()
        row.change(&fixture)
        let decision = fixture.decision()
        #expect(decision.reason == row.expected)
        #expect(decision.granted == row.expected.grants)
    }

    /// Every code `decide` can give is in the table; `granted.manual` (a check-in by staff, a
    /// remote unlock) and `keypad.locked` (a keypad resting after wrong PINs) are recorded
    /// outside it.
    @Test func tableCoversEveryReasonCode() {
        #expect(
            Set(Self.everyReason.map(\.expected))
                == Set(ReasonCode.allCases).subtracting([.grantedManual, .keypadLocked]))
    }

    /// Two failures at once: the check that comes first in DESIGN §4 is the reason.
    static let precedence: [DecisionCase] = [
        DecisionCase("lockdown before unknown card", .doorLockdown) {
            $0.door.mode = .lockdown
            $0.known = false
        },
        DecisionCase("closed door before revoked card", .doorClosed) {
            $0.door.schedule = try? WeeklySchedule(parsing: "sun 11:00-12:00")
            $0.credentialStatus = .revoked
        },
        DecisionCase("revoked card before inactive user", .credentialRevoked) {
            $0.credentialStatus = .revoked
            $0.user.active = false
        },
        DecisionCase("inactive user before expired plan", .userInactive) {
            $0.user.active = false
            $0.subscription.endDay = day(2023, 1, 1)
        },
        DecisionCase("inactive staff is still refused", .userInactive) {
            $0.user.active = false
            $0.user.roles = RoleSet([.administrator])
            $0.user.branches = [Fixture.branch]
        },
        DecisionCase("branch coverage before expiry", .planBranchNotCovered) {
            $0.plan.branches = .only([Fixture.otherBranch])
            $0.subscription.endDay = day(2023, 1, 1)
        },
        DecisionCase("expiry before the time window", .subscriptionExpired) {
            $0.subscription.endDay = day(2023, 1, 1)
            $0.plan.windows = try? WeeklySchedule(parsing: "sun 06:00-07:00")
        },
        DecisionCase("time window before the visit limit", .planOutsideWindow) {
            $0.plan.windows = try? WeeklySchedule(parsing: "sun 06:00-07:00")
            $0.plan.visitLimit = VisitLimit(perDay: 1)
            $0.state.visits = VisitCounters().addingVisit(on: day(2024, 6, 3))
        },
        DecisionCase("visit limit before anti-passback", .planVisitLimit) {
            $0.plan.visitLimit = VisitLimit(perDay: 1)
            $0.state.visits = VisitCounters().addingVisit(on: day(2024, 6, 3))
            $0.door.antiPassback = AntiPassbackRule(inOut: true)
            $0.state.presence = Presence(inside: true, since: utc(2024, 6, 3, 15, 0), lastEntry: nil)
        },
        DecisionCase("anti-passback before the PIN", .antipassbackAlreadyInside) {
            $0.door.antiPassback = AntiPassbackRule(inOut: true)
            $0.state.presence = Presence(inside: true, since: utc(2024, 6, 3, 15, 0), lastEntry: nil)
            $0.door.requiresPIN = true
        },
        DecisionCase("lockout before a right PIN", .pinLockedOut) {
            $0.door.requiresPIN = true
            $0.request.pin = Fixture.pin
            $0.state.pinAttempts = PINAttempts(failures: 3, lockedUntil: utc(2024, 6, 3, 16, 1))
        },
        DecisionCase("one current plan among expired ones admits", .granted) {
            var old = $0.subscription
            old.id = SubscriptionID(99)
            old.endDay = day(2023, 1, 1)
            $0.extraSubscriptions = [SubscriptionFacts(subscription: old, plan: $0.plan)]
        },
        DecisionCase("a frozen plan explains more than an expired one", .subscriptionFrozen) {
            $0.subscription.endDay = day(2023, 1, 1)
            var frozen = $0.subscription
            frozen.id = SubscriptionID(101)
            frozen.endDay = day(2024, 12, 31)
            frozen.freezes = [FreezePeriod(start: day(2024, 6, 1))]
            $0.extraSubscriptions = [SubscriptionFacts(subscription: frozen, plan: $0.plan)]
        },
        DecisionCase("no subscription before anti-passback", .subscriptionNone) {
            $0.hasSubscription = false
            $0.door.antiPassback = AntiPassbackRule(inOut: true)
            $0.state.presence = Presence(inside: true, since: utc(2024, 6, 3, 15, 0), lastEntry: nil)
        },
    ]

    @Test(arguments: precedence)
    func precedenceTable(_ row: DecisionCase) {
        var fixture = Fixture()
        row.change(&fixture)
        #expect(fixture.decision().reason == row.expected)
    }

    @Test func staffOverrideAppliesOnlyToGrantedBranches() {
        var fixture = Fixture()
        fixture.user.roles = RoleSet([.branchManager, .client])
        fixture.subscription.status = .cancelled
        fixture.user.branches = [Fixture.otherBranch]
        #expect(fixture.decision().reason == .subscriptionCancelled)
        fixture.user.branches = [Fixture.branch]
        #expect(fixture.decision().reason == .grantedStaff)
        // A SuperAdministrador spans every branch.
        fixture.user.branches = []
        fixture.user.roles = RoleSet([.superAdministrator])
        #expect(fixture.decision().reason == .grantedStaff)
        // The client role alone is no override even with the branch granted.
        fixture.user.roles = RoleSet([.client])
        fixture.user.branches = [Fixture.branch]
        #expect(fixture.decision().reason == .subscriptionCancelled)
    }

    @Test func planWindowFollowsMexicoCityBeforeAndAfterItsLastDaylightSaving() throws {
        var fixture = Fixture()
        fixture.plan.windows = try WeeklySchedule(parsing: "mon-fri 06:00-10:00")
        fixture.subscription.startDay = day(2020, 1, 1)
        fixture.subscription.endDay = day(2030, 1, 1)
        // 11:30Z on a Monday: 06:30 local in summer 2021 (UTC−5), 05:30 in summer 2023 (UTC−6).
        fixture.now = utc(2021, 7, 5, 11, 30)
        #expect(fixture.decision().reason == .granted)
        fixture.now = utc(2023, 7, 3, 11, 30)
        #expect(fixture.decision().reason == .planOutsideWindow)
        fixture.now = utc(2023, 7, 3, 12, 30)
        #expect(fixture.decision().reason == .granted)
    }

    @Test func planWindowFollowsMadridAcrossSpringForward() throws {
        var fixture = Fixture()
        fixture.context.zone = madrid
        fixture.plan.windows = try WeeklySchedule(parsing: "sun 08:00-09:00")
        // 06:30Z: 07:30 CET the Sunday before the change, 08:30 CEST the Sunday of it.
        fixture.now = utc(2024, 3, 24, 6, 30)
        #expect(fixture.decision().reason == .planOutsideWindow)
        fixture.now = utc(2024, 3, 31, 6, 30)
        #expect(fixture.decision().reason == .granted)
        // And back in autumn: 07:30Z is 08:30 CET after the change.
        fixture.now = utc(2024, 10, 27, 7, 30)
        #expect(fixture.decision().reason == .granted)
    }

    @Test func dailyLimitResetsAtLocalMidnightNotUTC() {
        var fixture = Fixture()
        fixture.plan.visitLimit = VisitLimit(perDay: 1)
        fixture.now = utc(2024, 6, 4, 5, 59)  // 23:59 Monday local
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = utc(2024, 6, 4, 5, 59, 30)
        #expect(fixture.decideAndRecord().reason == .planVisitLimit)
        fixture.now = utc(2024, 6, 4, 6, 1)  // 00:01 Tuesday local, still Tuesday 06:01Z
        #expect(fixture.decideAndRecord().reason == .granted)
    }

    @Test func weeklyLimitResetsOnMonday() {
        var fixture = Fixture()
        fixture.plan.visitLimit = VisitLimit(perWeek: 2)
        for (d, expected) in [(3, ReasonCode.granted), (5, .granted), (9, .planVisitLimit)] {  // Mon, Wed, Sun 2024-06
            fixture.now = utc(2024, 6, d, 16, 0)
            #expect(fixture.decideAndRecord().reason == expected)
        }
        fixture.now = utc(2024, 6, 10, 16, 0)  // the next Monday
        #expect(fixture.decideAndRecord().reason == .granted)
    }

    @Test func monthlyLimitResetsOnTheFirst() {
        var fixture = Fixture()
        fixture.plan.visitLimit = VisitLimit(perMonth: 1)
        fixture.now = utc(2024, 7, 1, 5, 0)  // 23:00 on 30 June local
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = utc(2024, 7, 1, 5, 30)
        #expect(fixture.decideAndRecord().reason == .planVisitLimit)
        fixture.now = utc(2024, 7, 1, 6, 30)  // 00:30 on 1 July local
        #expect(fixture.decideAndRecord().reason == .granted)
    }

    /// A card of the chain's index is refused with the person's id (the desk sees who it was) and
    /// the reason their standing gives; the door stays shut, whatever the person's plan.
    @Test func aChainMembersCardIsRefusedWithTheirIDAndStanding() {
        var fixture = Fixture()
        fixture.chain = ChainStanding(subscribedThrough: day(2024, 12, 31))
        let covered = fixture.decision()
        #expect(covered.reason == .planBranchNotCovered && !covered.granted)
        #expect(covered.userID == UserID(7) && covered.credentialID == nil && covered.subscriptionID == nil)
        // The grace of a subscription elsewhere is part of its standing: the day after it, none.
        fixture.chain = ChainStanding(subscribedThrough: day(2024, 6, 2))
        #expect(fixture.decision().reason == .subscriptionNone)
        // The door's own rules come first, and leaving is never refused for a plan.
        fixture.door.mode = .lockdown
        #expect(fixture.decision().reason == .doorLockdown)
        fixture.door.mode = .normal
        fixture.request.direction = .exit
        #expect(fixture.decision().reason == .grantedExit)
    }

    /// Per-period limits count the entries made at other branches (the core's count as of the last
    /// sync) with this branch's own; counts elsewhere from a past period read as zero.
    @Test func periodLimitsCountEntriesAtOtherBranches() {
        var fixture = Fixture()
        fixture.plan.visitLimit = VisitLimit(perDay: 1, perWeek: 3, perMonth: 5)
        // Monday: one entry elsewhere today already.
        fixture.visitsElsewhere = VisitCounters().addingVisit(on: day(2024, 6, 3))
        #expect(fixture.decision().reason == .planVisitLimit)
        // Tuesday: the day's count elsewhere is Monday's; the week holds it (1 + 0 < 3).
        fixture.now = utc(2024, 6, 4, 16, 0)
        #expect(fixture.decideAndRecord().reason == .granted)
        // Two more elsewhere this week (Monday and Wednesday), as of the last sync: the week is full.
        fixture.visitsElsewhere = VisitCounters(
            day: day(2024, 6, 5), dayCount: 1, weekStart: day(2024, 6, 3), weekCount: 2,
            month: day(2024, 6, 5).monthKey,
            monthCount: 2)
        fixture.now = utc(2024, 6, 6, 16, 0)
        #expect(fixture.decision().reason == .planVisitLimit)
        // The next week only the month counts: 2 elsewhere + 1 here < 5.
        fixture.now = utc(2024, 6, 10, 16, 0)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = utc(2024, 6, 11, 16, 0)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = utc(2024, 6, 12, 16, 0)
        #expect(fixture.decision().reason == .planVisitLimit)
        // A plan without per-period limits ignores them.
        fixture.plan.visitLimit = .unlimited
        #expect(fixture.decision().reason == .granted)
    }

    @Test func inOutAntiPassbackAlternates() {
        var fixture = Fixture()
        fixture.door.antiPassback = AntiPassbackRule(inOut: true)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = fixture.now.adding(seconds: 10)
        #expect(fixture.decideAndRecord().reason == .antipassbackAlreadyInside)
        fixture.request.direction = .exit
        #expect(fixture.decideAndRecord().reason == .grantedExit)
        #expect(fixture.decideAndRecord().reason == .antipassbackNotInside)
        fixture.request.direction = .entry
        #expect(fixture.decideAndRecord().reason == .granted)
    }

    @Test func presenceExpiresSoAForgottenExitDoesNotLockTheMemberOut() {
        var fixture = Fixture()
        fixture.door.antiPassback = AntiPassbackRule(inOut: true, presenceExpirySeconds: 3600)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = fixture.now.adding(seconds: 3599)
        #expect(fixture.decision().reason == .antipassbackAlreadyInside)
        fixture.now = fixture.now.adding(seconds: 1)
        #expect(fixture.decision().reason == .granted)
    }

    @Test func timedReentry() {
        var fixture = Fixture()
        fixture.door.antiPassback = AntiPassbackRule(reentryDelaySeconds: 120)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = fixture.now.adding(seconds: 119)
        #expect(fixture.decideAndRecord().reason == .antipassbackTooSoon)
        fixture.now = fixture.now.adding(seconds: 1)
        #expect(fixture.decideAndRecord().reason == .granted)
    }

    @Test func clockMovedBackDoesNotTurnTimedReentryIntoALockout() {
        var fixture = Fixture()
        fixture.door.antiPassback = AntiPassbackRule(reentryDelaySeconds: 120)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = fixture.now.adding(seconds: -3600)
        #expect(fixture.decision().reason == .granted)
    }

    @Test func pinLockoutAfterRepeatedFailuresAndItsReset() {
        var fixture = Fixture()
        fixture.door.requiresPIN = true
        fixture.request.pin = Fixture.wrongPIN
        #expect(fixture.decideAndRecord().reason == .pinWrong)
        #expect(fixture.decideAndRecord().reason == .pinWrong)
        #expect(fixture.state.pinAttempts.failures == 2)
        #expect(fixture.decideAndRecord().reason == .pinWrong)  // the third locks (policy: 3)
        fixture.request.pin = Fixture.pin
        #expect(fixture.decideAndRecord().reason == .pinLockedOut)
        fixture.now = fixture.now.adding(seconds: 599)
        #expect(fixture.decideAndRecord().reason == .pinLockedOut)
        fixture.now = fixture.now.adding(seconds: 1)  // the lockout (600 s) is over
        #expect(fixture.decideAndRecord().reason == .granted)
        #expect(fixture.state.pinAttempts == PINAttempts())
    }

    @Test func aRightPINResetsTheFailureCount() {
        var fixture = Fixture()
        fixture.door.requiresPIN = true
        fixture.request.pin = Fixture.wrongPIN
        _ = fixture.decideAndRecord()
        _ = fixture.decideAndRecord()
        fixture.request.pin = Fixture.pin
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.request.pin = Fixture.wrongPIN
        _ = fixture.decideAndRecord()
        _ = fixture.decideAndRecord()
        #expect(fixture.state.pinAttempts.lockedUntil == nil)
    }

    @Test func failuresAfterAnExpiredLockoutStartFromZero() {
        var fixture = Fixture()
        fixture.door.requiresPIN = true
        fixture.request.pin = Fixture.wrongPIN
        for _ in 0..<3 { _ = fixture.decideAndRecord() }
        fixture.now = fixture.now.adding(seconds: 601)
        #expect(fixture.decideAndRecord().reason == .pinWrong)
        #expect(fixture.state.pinAttempts.failures == 1)
        #expect(fixture.state.pinAttempts.lockedUntil == nil)
    }

    @Test func clockJumpBackCostsAtMostOneLockoutPeriod() {
        var fixture = Fixture()
        fixture.door.requiresPIN = true
        fixture.request.pin = Fixture.wrongPIN
        for _ in 0..<3 { _ = fixture.decideAndRecord() }
        fixture.now = fixture.now.adding(seconds: -86_400)  // the clock moved back a day
        fixture.request.pin = Fixture.pin
        #expect(fixture.decideAndRecord().reason == .pinLockedOut)
        fixture.now = fixture.now.adding(seconds: 600)
        #expect(fixture.decideAndRecord().reason == .granted)
    }

    @Test func duressPINRaisesTheAlarmEvenWhenTheDoorRefuses() {
        var fixture = Fixture()
        fixture.door.requiresPIN = true
        fixture.request.pin = Fixture.duressPIN
        let granted = fixture.decision()
        #expect(granted.reason == .grantedDuress && granted.duress)
        fixture.subscription.status = .cancelled
        let refused = fixture.decision()
        #expect(refused.reason == .subscriptionCancelled && refused.duress && !refused.granted)
        fixture.request.pin = Fixture.pin
        #expect(!fixture.decision().duress)
    }

    @Test func lockdownRefusesExitsTooButFreeAccessAdmitsBothWays() {
        var fixture = Fixture()
        fixture.request.direction = .exit
        fixture.door.mode = .lockdown
        #expect(fixture.decision().reason == .doorLockdown)
        fixture.door.mode = .freeAccess
        #expect(fixture.decision().reason == .grantedFreeAccess)
    }

    @Test func exitsIgnoreTheDoorScheduleSoNobodyIsLockedInAtClosingTime() throws {
        var fixture = Fixture()
        fixture.door.schedule = try WeeklySchedule(parsing: "mon-fri 06:00-09:00")
        fixture.request.direction = .exit
        #expect(fixture.decision().reason == .grantedExit)
        fixture.request.direction = .entry
        #expect(fixture.decision().reason == .doorClosed)
    }

    /// A PIN keyed alone opens a PIN-only door, never a card-and-PIN one (two factors there), and
    /// says nothing of whose it was; a duress PIN keyed there still raises the alarm.
    @Test func aPINAloneOpensOnlyADoorWithoutCardAndPIN() {
        var fixture = Fixture()
        fixture.request.presented = .pin(Fixture.pin)
        #expect(fixture.decision().reason == .granted)
        fixture.door.requiresPIN = true
        let refused = fixture.decision()
        #expect(refused.reason == .credentialUnknown && refused.userID == nil && !refused.duress)
        fixture.request.presented = .pin(Fixture.duressPIN)
        #expect(fixture.decision().duress && !fixture.decision().granted)
    }

    /// The duress PIN keyed alone at a PIN-only keypad admits as the person, under duress.
    @Test func aDuressPINKeyedAloneAdmitsAndRaisesTheAlarm() {
        var fixture = Fixture()
        fixture.request.presented = .pin(Fixture.duressPIN)
        let decision = fixture.decision()
        #expect(decision.reason == .grantedDuress && decision.duress && decision.userID != nil)
        fixture.subscription.status = .cancelled
        let refused = fixture.decision()
        #expect(refused.reason == .subscriptionCancelled && refused.duress, "the alarm goes up even when refused")
        fixture.request.direction = .exit
        #expect(!fixture.decision().duress, "only an entry raises it")
    }

    @Test func passageConfirmationDefersTheVisit() {
        var fixture = Fixture()
        fixture.door.confirmsPassage = true
        fixture.plan.visitLimit = VisitLimit(perDay: 1)
        #expect(fixture.decideAndRecord().reason == .granted)
        // Nobody passed: the grant did not use up today's visit.
        #expect(fixture.state.visits.visits(onDay: day(2024, 6, 3)) == 0)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.state = fixture.state.recordingPassage(.entry, context: fixture.context, now: fixture.now)
        #expect(fixture.decision().reason == .planVisitLimit)
    }

    @Test func decisionCarriesUserCredentialAndSubscription() {
        let decision = Fixture().decision()
        #expect(decision.userID == UserID(7))
        #expect(decision.credentialID == CredentialID(55))
        #expect(decision.subscriptionID == SubscriptionID(100))
    }
}

@Suite struct AbsurdValuesTests {
    @Test func hugeConfiguredDurationsNeitherTrapNorOpenTheDoorWrongly() {
        var fixture = Fixture()
        fixture.door.antiPassback = AntiPassbackRule(
            inOut: true, reentryDelaySeconds: .max, presenceExpirySeconds: .max)
        fixture.context.policy = AccessPolicy(pinMaxFailures: .max, pinLockoutSeconds: .max)
        #expect(fixture.decideAndRecord().reason == .granted)
        fixture.now = fixture.now.adding(seconds: 1)
        #expect(fixture.decideAndRecord().reason == .antipassbackAlreadyInside)
        fixture.door.requiresPIN = true
        fixture.door.antiPassback = .off
        fixture.request.pin = Fixture.wrongPIN
        #expect(fixture.decideAndRecord().reason == .pinWrong)
    }

    @Test func extremeDatesSaturateInsteadOfTrapping() {
        #expect(LocalDay(rawValue: .max).adding(days: 10).rawValue == .max)
        #expect(LocalDay(rawValue: .min).adding(days: -10).rawValue == .min)
        #expect(LocalDay(year: 9_999_999, month: 1, day: 1) == nil)
        #expect(PlanDuration.months(.max).lastDay(startingOn: day(2024, 1, 1)) == day(12024, 1, 1).adding(days: -1))
        #expect(Timestamp(seconds: .max).rawValue == .max)
    }

    @Test func extremeInstantsStillHaveALocalTime() {
        for instant in [Timestamp(milliseconds: .min), Timestamp(milliseconds: .max), Timestamp(milliseconds: 0)] {
            _ = mexicoCity.localTime(at: instant)
            _ = instant.description
        }
    }
}
