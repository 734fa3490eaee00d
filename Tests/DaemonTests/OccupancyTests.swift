@testable import Daemon
import Foundation
import PorteroModel
import Replica
import SyncWire
import TestSupport
import Testing

/// The branch's occupancy limits at a controller whose core is out of reach (its address takes
/// no connection): the soft limit warns and raises one alarm per crossing, the hard limit
/// refuses members while staff and exits pass, and a new limit from the feed applies at once.
@Suite struct DaemonOccupancyTests {
    typealias Branch = BranchSetupTests.Branch

    static let plan = Plan(
        id: PlanID(1), name: "Libre", price: Money(minorUnits: 59_900, currency: "MXN"), duration: .months(12))

    /// Members 11… with cards 11… and a plan for all of 2027.
    func addMembers(_ branch: Branch, count: Int) throws {
        var changes: [ReplicaChange] = [.upsertPlan(Self.plan)]
        for id in 11..<(11 + Int64(count)) {
            changes.append(
                .replaceUser(
                    ReplicaUser(id: UserID(id), clave: id, displayName: "Socio \(id)", active: true),
                    cards: [
                        Credential(id: CredentialID(id), userID: UserID(id), card: CardNumber(rawValue: UInt64(id)))
                    ],
                    subscriptions: [
                        Subscription(
                            id: SubscriptionID(id), userID: UserID(id), planID: PlanID(1),
                            startDay: BranchSetupTests.day(2027, 1, 1), endDay: BranchSetupTests.day(2027, 12, 31),
                            pricePaid: Money(minorUnits: 59_900, currency: "MXN"))
                    ]))
        }
        try branch.daemon.store.apply(changes)
    }

    static func setup(warn: Int?, limit: Int?, refuses: Bool) throws -> SyncBranchSetup {
        var setup = try BranchSetupTests.setup()
        setup.occupancyWarn = warn
        setup.occupancyLimit = limit
        setup.occupancyRefuses = refuses
        return setup
    }

    /// The alarms waiting for the core.
    func alarms(_ branch: Branch) -> [String] {
        branch.daemon.sync?.alarms.withLock { $0.map(\.alarm) } ?? []
    }

    @Test func softWarnsHardRefusesStaffAndExitsPassOffline() throws {
        let branch = try Branch()
        try branch.addStaff()
        try addMembers(branch, count: 4)
        branch.moveTo(Branch.wednesday, hour: 9)
        try branch.deliver(try Self.setup(warn: 2, limit: 3, refuses: true))
        #expect(branch.daemon.store.occupancyRule.countsExits, "the controller has an exit reader")
        #expect(branch.daemon.sync != nil, "a controller with a core, which it cannot reach")

        #expect(try branch.present(11) == .granted)
        #expect(branch.daemon.occupancyLevel == .ok)
        #expect(try branch.present(12) == .granted, "the soft limit grants")
        #expect(branch.daemon.occupancyLevel == .warn, "and warns")
        #expect(try branch.present(13) == .granted)
        #expect(alarms(branch) == ["near_capacity"], "one alarm for the crossing, not one per entry")
        #expect(try branch.present(14) == .branchFull, "the hard limit refuses")
        #expect(alarms(branch) == ["near_capacity", "branch_full"])
        #expect(branch.daemon.occupancyLevel == .full)
        #expect(try branch.present(5) == .grantedStaff, "staff pass a full branch")
        #expect(try branch.present(14) == .branchFull, "staff inside count too")
        #expect(try branch.present(11, at: "salida") == .grantedExit, "exits pass")
        #expect(try branch.present(5, at: "salida") == .grantedExit)
        #expect(try branch.daemon.store.peopleInside(now: branch.clock.wall()) == 2)
        #expect(try branch.present(14) == .granted, "a place freed by the exits")
        let status = branch.daemon.statusJSON()
        #expect(status.contains(#""occupancy":{"counts_exits":true,"inside":3,"level":"full","limit":3"#), "\(status)")
        #expect(branch.daemon.occupancyLevel == .full, "re-armed only well under the soft limit")
        #expect(alarms(branch) == ["near_capacity", "branch_full"], "turnover at the limit raises nothing new")
    }

    @Test func theHardLimitOnlyWarnsUnlessTheChainRefuses() throws {
        let branch = try Branch()
        try addMembers(branch, count: 3)
        branch.moveTo(Branch.wednesday, hour: 9)
        try branch.deliver(try Self.setup(warn: nil, limit: 1, refuses: false))
        #expect(try branch.present(11) == .granted)
        #expect(try branch.present(12) == .granted, "over the limit, warned only")
        #expect(branch.daemon.occupancyLevel == .full)

        try branch.deliver(try Self.setup(warn: nil, limit: 1, refuses: true))
        #expect(try branch.present(13) == .branchFull, "the chain's new choice applies at the next entry")
        try branch.deliver(try Self.setup(warn: nil, limit: nil, refuses: true))
        #expect(try branch.present(13) == .granted, "limits removed: nobody is counted")
        #expect(!branch.daemon.statusJSON().contains("occupancy"))
    }
}
