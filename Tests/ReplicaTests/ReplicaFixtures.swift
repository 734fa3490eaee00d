import Crypto
import TestSupport
import PorteroModel
@testable import Replica

func day(_ year: Int, _ month: Int, _ day: Int) -> LocalDay { LocalDay(year: year, month: month, day: day)! }

func utc(_ year: Int, _ month: Int, _ d: Int, _ hour: Int = 0, _ minute: Int = 0) -> Timestamp {
    Timestamp(seconds: Int64(day(year, month, d).rawValue) * 86_400 + Int64(hour * 3600 + minute * 60))
}

let branch = BranchID(1)
let door = Door(id: DoorID(10), branchID: branch, name: "Torniquete 1")
let pinHasher = try! PINHasher(key: Array(repeating: 7, count: 32))

/// The PIN digest a replica stores for `digits` under the fixtures' key.
func pinDigest(_ digits: String) throws -> PINDigest { PINDigest(bytes: try pinHasher.digest(digits)) }

let monthly = Plan(
    id: PlanID(1), name: "Mensual", price: Money(minorUnits: 59_900, currency: "MXN"), duration: .months(1),
    visitLimit: VisitLimit(perDay: 2))

/// A member with one card and a subscription for 2024.
func member(_ id: Int64, card: UInt64, active: Bool = true, end: LocalDay = day(2024, 12, 31), pin: String? = nil)
    throws -> [ReplicaChange]
{
    [
        .upsertUser(
            ReplicaUser(
                id: UserID(id), clave: id, displayName: "Socio \(id)", active: active,
                pin: try pin.map { try pinDigest($0) })),
        .upsertCredential(Credential(id: CredentialID(id * 10), userID: UserID(id), card: CardNumber(rawValue: card))),
        .upsertSubscription(
            Subscription(
                id: SubscriptionID(id * 100), userID: UserID(id), planID: PlanID(1), startDay: day(2024, 1, 1),
                endDay: end, pricePaid: Money(minorUnits: 59_900, currency: "MXN"))),
    ]
}

func openStore(_ directory: TemporaryDirectory, name: String = "replica.sqlite", branchID: BranchID = branch) throws
    -> ReplicaStore
{
    try ReplicaStore(
        path: directory.file(name), branchID: branchID, timeZone: "America/Mexico_City",
        policy: AccessPolicy(pinMaxFailures: 3, pinLockoutSeconds: 600))
}
