import CoreStorage
import HTTP
import PorteroModel

/// How far a write reaches, and which branches an audit row is about.
extension CoreAPI {
    /// Every branch there is: what a plan naming no branch, an agreement, or a notification to
    /// everyone reaches.
    package static func everyBranch(_ database: CoreDatabase) throws -> Set<BranchID> {
        Set(try database.accounts.branches().map(\.id))
    }

    /// Refuses (403) a write that reaches `branches` (nil: every branch) unless the caller holds
    /// `privilege` at each of them. A SuperAdministrador holds every branch; anyone else needs
    /// a grant at each, so a write to the whole chain needs a grant at every branch.
    package static func requireEveryBranch(
        _ request: APIRequest, _ privilege: Privilege, _ branches: Set<BranchID>?, reaching what: String
    ) throws {
        let actor = try request.actor
        let reached = try branches ?? everyBranch(request.database)
        let missing = reached.filter { !actor.may(privilege, at: $0) }.map(\.rawValue).sorted()
        guard !missing.isEmpty else { return }
        let places = missing.map(String.init).joined(separator: ", ")
        throw HTTPResponseError(
            .error(
                403,
                "\(privilege.rawValue) is not among your privileges at branch\(missing.count > 1 ? "es" : "") "
                    + "\(places), which \(what) reaches"))
    }

    /// The branches a plan's list reaches: every branch (nil) when it names none.
    package static func planReach(_ branches: [Int64]) -> Set<BranchID>? {
        branches.isEmpty ? nil : Set(branches.map { BranchID($0) })
    }

    /// The branches an audit row about `target` concerns, read as the row is written: a user's
    /// granted branches, a branch itself, a device's or a door's branch, the branch a
    /// subscription was sold at, the branches a plan covers (every branch when it names none),
    /// every branch for an agreement (agreements are chain-wide), a card holder's branches.
    /// Anything else concerns no branch, and only a SuperAdministrador lists it.
    package static func branches(concerning target: String, _ request: APIRequest) throws -> Set<BranchID> {
        let parts = target.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let id = Int64(parts[1]) else { return [] }
        let database = request.database
        switch parts[0] {
        case "user":
            return try database.accounts.account(UserID(id))?.branches ?? []
        case "branch", "door":
            return [BranchID(id)]
        case "device":
            return try database.devices.device(id).map { [$0.branch] } ?? []
        case "subscription":
            return try database.sales.subscription(id, today: request.today(nil)).map { [BranchID($0.branch)] } ?? []
        case "plan":
            guard let plan = try database.sales.plan(id) else { return [] }
            return try planReach(plan.branches) ?? everyBranch(database)
        case "agreement":
            return try everyBranch(database)
        case "card":
            guard let card = try database.members.card(id) else { return [] }
            return try database.accounts.account(UserID(card.userID))?.branches ?? []
        default:
            return []
        }
    }
}
