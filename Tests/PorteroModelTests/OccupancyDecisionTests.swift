import PorteroModel
import Testing

/// The branch's capacity at the door: the soft limit grants and warns, the hard limit refuses
/// entries when the chain says so (else it warns), and staff and exits always pass.
@Suite struct OccupancyDecisionTests {
    static let limits = OccupancyLimits(warn: 40, limit: 50, refuses: true)

    func decision(others: Int?, limits: OccupancyLimits = limits, change: (inout Fixture) -> Void = { _ in })
        -> AccessDecision
    {
        var fixture = Fixture()
        fixture.context.occupancy = limits
        fixture.othersInside = others
        change(&fixture)
        return fixture.decision()
    }

    @Test func underTheSoftLimitGrantsWithoutWarning() {
        let decision = decision(others: 10)
        #expect(decision.reason == .granted)
        #expect(decision.occupancy == .ok)
    }

    @Test func reachingTheSoftLimitGrantsAndWarns() {
        #expect(decision(others: 38).occupancy == .ok)
        let decision = decision(others: 39)
        #expect(decision.reason == .granted)
        #expect(decision.occupancy == .warn)
    }

    @Test func theLastPlaceUnderTheHardLimitGrantsAndWarns() {
        let decision = decision(others: 49)
        #expect(decision.reason == .granted)
        #expect(decision.occupancy == .warn)
    }

    @Test func pastTheHardLimitRefusesWhenTheChainSaysSo() {
        let decision = decision(others: 50)
        #expect(decision.reason == .branchFull)
        #expect(!decision.granted)
        #expect(decision.occupancy == .full)
        #expect(decision.subscriptionID != nil, "the subscription that would have admitted is named")
    }

    @Test func pastTheHardLimitOnlyWarnsWhenTheChainDoesNotRefuse() {
        let decision = decision(others: 80, limits: OccupancyLimits(warn: 40, limit: 50, refuses: false))
        #expect(decision.reason == .granted)
        #expect(decision.occupancy == .full)
    }

    @Test func staffPassAFullBranch() {
        let decision = decision(others: 50) {
            $0.user.roles = RoleSet([.reception])
            $0.user.branches = [Fixture.branch]
        }
        #expect(decision.reason == .grantedStaff)
        #expect(decision.occupancy == .full, "the warning still shows")
    }

    @Test func exitsAreNeverRefusedNorCounted() {
        let decision = decision(others: 500) { $0.request.direction = .exit }
        #expect(decision.reason == .grantedExit)
        #expect(decision.occupancy == nil)
    }

    @Test func anEarlierRefusalStaysTheReason() {
        let decision = decision(others: 50) { $0.subscription.status = .cancelled }
        #expect(decision.reason == .subscriptionCancelled)
    }

    @Test func aBranchWithoutLimitsCountsNobody() {
        let decision = decision(others: 5_000, limits: OccupancyLimits())
        #expect(decision.reason == .granted)
        #expect(decision.occupancy == nil)
    }

    @Test func anOnlySoftLimitNeverRefuses() {
        let decision = decision(others: 300, limits: OccupancyLimits(warn: 10, limit: nil, refuses: true))
        #expect(decision.reason == .granted)
        #expect(decision.occupancy == .warn)
    }

    @Test func theRuleCountsUntilTheExitOrTheUsualVisit() {
        let now = Timestamp(milliseconds: 100 * 3_600_000)
        let exits = OccupancyRule(countsExits: true, usualVisitSeconds: 5_400)
        let estimated = OccupancyRule(countsExits: false, usualVisitSeconds: 5_400)
        let threeHoursAgo = now.adding(seconds: -3 * 3_600)
        #expect(exits.counts(since: now.adding(seconds: -9_000), usualSeconds: nil, now: now), "until the exit")
        #expect(!exits.counts(since: threeHoursAgo, usualSeconds: nil, now: now), "at most twice the usual visit")
        #expect(exits.counts(since: threeHoursAgo, usualSeconds: 2 * 3_600, now: now), "twice their own")
        #expect(!estimated.counts(since: now.adding(seconds: 600), usualSeconds: nil, now: now), "from the future")
        #expect(estimated.counts(since: now.adding(seconds: 30), usualSeconds: nil, now: now), "clocks drift a little")
        #expect(!estimated.counts(since: threeHoursAgo, usualSeconds: nil, now: now))
        #expect(estimated.counts(since: threeHoursAgo, usualSeconds: 4 * 3_600, now: now), "their own usual visit")
        #expect(!exits.counts(since: now.adding(seconds: -13 * 3_600), usualSeconds: 8 * 3_600, now: now))
        #expect(OccupancyLimits(warn: 2, limit: 3).level(counting: 3) == .full)
        #expect(OccupancyLimits(warn: 2, limit: 3).level(counting: 2) == .warn)
        #expect(OccupancyLimits(warn: 2, limit: 3).level(counting: 1) == .ok)
    }
}
