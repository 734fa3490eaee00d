import TestSupport
import Foundation
import PorteroModel
@testable import Replica
import SQLite
import Testing

@Suite struct ReplicaStoreTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test func newReplicaIsStampedMigratedAndInWAL() throws {
        let store = try openStore(directory)
        #expect(try store.db.applicationID() == ReplicaSchema.applicationID)
        #expect(try store.db.scalar("PRAGMA journal_mode", as: String.self) == "wal")
        #expect(try store.db.scalar("PRAGMA synchronous", as: Int.self) == 2)
        #expect(try store.statistics().schemaVersion == ReplicaSchema.migrator.latestVersion)
        #expect(try store.syncCursor() == 0)
    }

    @Test func reopeningForAnotherBranchIsRefused() throws {
        _ = try openStore(directory)
        #expect(
            throws: ReplicaError.branchMismatch(
                path: directory.file("replica.sqlite"), expected: BranchID(2), found: "1")
        ) {
            try openStore(directory, branchID: BranchID(2))
        }
        _ = try openStore(directory)
    }

    @Test func anotherApplicationsDatabaseIsLeftUntouched() throws {
        let path = directory.file("other.sqlite")
        let other = try Connection(path: path)
        try other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        #expect(throws: MigrationError.foreignDatabase(path: path, applicationID: 0)) {
            try ReplicaStore(path: path, branchID: branch, timeZone: "UTC")
        }
        #expect(try other.tableNames() == ["invoices"])
    }

    @Test func garbageFileIsNotADatabase() throws {
        let path = directory.file("garbage.sqlite")
        try Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SQLiteError.self) {
            try ReplicaStore(path: path, branchID: branch, timeZone: "UTC")
        }
        #expect(error?.isNotADatabase == true)
    }

    @Test func replicaFromANewerSchemaIsRefused() throws {
        do {
            let store = try openStore(directory)
            try store.db.run("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')")
        }
        #expect(
            throws: MigrationError.newerSchema(
                path: directory.file("replica.sqlite"), found: 99, supported: ReplicaSchema.migrator.latestVersion)
        ) {
            try openStore(directory)
        }
    }

    @Test func unknownTimeZoneIsRefusedBeforeTheFileIsCreated() {
        #expect(throws: ZoneRules.UnknownZone.self) {
            try ReplicaStore(path: directory.file("tz.sqlite"), branchID: branch, timeZone: "Nowhere/Land")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("tz.sqlite")))
    }

    @Test func readOnlyOpenChecksWithoutWriting() throws {
        do {
            let store = try openStore(directory)
            try store.apply([.upsertPlan(monthly)] + member(1, card: 111))
        }
        var options = ReplicaStore.defaultOptions
        options.readOnly = true
        let reader = try ReplicaStore(
            path: directory.file("replica.sqlite"), branchID: branch, timeZone: "UTC", options: options)
        #expect(try reader.statistics().users == 1)
        #expect(try reader.integrityProblems().isEmpty)
        #expect(throws: ReplicaError.self) {
            try ReplicaStore(
                path: directory.file("replica.sqlite"), branchID: BranchID(5), timeZone: "UTC", options: options)
        }
    }

    @Test func factsGatherUserSubscriptionsPlanAndState() throws {
        let store = try openStore(directory)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 12_345_678, pin: "4321"))
        let (facts, state) = try store.facts(for: .card(CardNumber(rawValue: 12_345_678)))
        let found = try #require(facts)
        #expect(found.credentialID == CredentialID(10))
        #expect(found.user == AccessUser(id: UserID(1), active: true, roles: RoleSet([.client]), branches: []))
        #expect(found.subscriptions.count == 1)
        #expect(found.subscriptions[0].plan == monthly)
        #expect(found.subscriptions[0].subscription.endDay == day(2024, 12, 31))
        #expect(found.pin == (try pinDigest("4321")))
        #expect(state == .initial)
        #expect(try store.facts(for: .card(CardNumber(rawValue: 999))).facts == nil)
    }

    @Test func pinOnlyCredentialIsFoundByItsDigest() throws {
        let store = try openStore(directory)
        let digest = try pinDigest("86420")
        try store.apply(
            [.upsertPlan(monthly)] + member(1, card: 1) + [
                .upsertCredential(Credential(id: CredentialID(99), userID: UserID(1), pin: digest))
            ])
        #expect(try store.facts(for: .pin(digest)).facts?.credentialID == CredentialID(99))
        #expect(try store.facts(for: .pin(pinDigest("86421"))).facts == nil)
    }

    @Test func freezesAndStaffGrantsSurviveTheRoundTrip() throws {
        let store = try openStore(directory)
        var subscription = Subscription(
            id: SubscriptionID(5), userID: UserID(2), planID: PlanID(1), startDay: day(2024, 1, 1),
            endDay: day(2024, 3, 1),
            graceDays: 4, status: .active, pricePaid: Money(minorUnits: 1, currency: "EUR"))
        subscription.freezes = [
            FreezePeriod(start: day(2024, 1, 5), end: day(2024, 1, 9)), FreezePeriod(start: day(2024, 2, 1)),
        ]
        try store.apply([
            .upsertPlan(monthly),
            .upsertUser(
                ReplicaUser(
                    id: UserID(2), clave: 2, displayName: "Recepción", active: true, roles: RoleSet([.reception]),
                    grantedHere: true)),
            .upsertCredential(Credential(id: CredentialID(20), userID: UserID(2), card: CardNumber(rawValue: 2))),
            .upsertSubscription(subscription),
        ])
        let facts = try #require(try store.facts(for: .card(CardNumber(rawValue: 2))).facts)
        #expect(facts.subscriptions[0].subscription == subscription)
        #expect(facts.user.isStaff(at: branch))
    }

    @Test func batchIsAllOrNothingWithItsCursor() throws {
        let store = try openStore(directory)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 111), cursor: 5)
        // A credential for a user the replica does not have violates the foreign key.
        let bad: [ReplicaChange] =
            try member(2, card: 222) + [
                .upsertCredential(
                    Credential(id: CredentialID(77), userID: UserID(404), card: CardNumber(rawValue: 777)))
            ]
        let error = #expect(throws: SQLiteError.self) { try store.apply(bad, cursor: 6) }
        #expect(error?.isConstraintViolation == true)
        #expect(try store.syncCursor() == 5)
        #expect(try store.statistics().users == 1)
        #expect(try store.facts(for: .card(CardNumber(rawValue: 222))).facts == nil)
    }

    @Test func deletesCascadeFromUsers() throws {
        let store = try openStore(directory)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 111))
        try store.apply([.deleteUser(UserID(1))])
        let stats = try store.statistics()
        #expect(stats.users == 0 && stats.credentials == 0 && stats.subscriptions == 0)
    }

    @Test func revocationTakesEffectOnTheNextLookUp() throws {
        let store = try openStore(directory)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 111))
        try store.apply([
            .upsertCredential(
                Credential(id: CredentialID(10), userID: UserID(1), card: CardNumber(rawValue: 111), status: .revoked))
        ])
        #expect(try store.facts(for: .card(CardNumber(rawValue: 111))).facts?.credentialStatus == .revoked)
    }

    @Test func planChangesReachTheInMemoryCatalogue() throws {
        let store = try openStore(directory)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 111))
        var changed = monthly
        changed.branches = .only([BranchID(9)])
        try store.apply([.upsertPlan(changed)])
        #expect(try store.facts(for: .card(CardNumber(rawValue: 111))).facts?.subscriptions[0].plan == changed)
        try store.apply([.deletePlan(monthly.id)])
        #expect(try store.facts(for: .card(CardNumber(rawValue: 111))).facts?.subscriptions[0].plan == nil)
    }

    @Test func damagedStoredValueIsAnErrorNotACrash() throws {
        let store = try openStore(directory)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 111))
        try store.db.run("UPDATE subscriptions SET freezes = 'garbage'")
        #expect(throws: ReplicaError.invalidStoredValue(table: "subscriptions", column: "freezes", value: "garbage")) {
            try store.facts(for: .card(CardNumber(rawValue: 111)))
        }
    }

    @Test func freezeCodecRoundTripsAndRejectsGarbage() {
        let freezes = [
            FreezePeriod(start: LocalDay(rawValue: 19_000), end: LocalDay(rawValue: 19_010)),
            FreezePeriod(start: LocalDay(rawValue: 19_050)),
        ]
        #expect(FreezeCodec.decode(FreezeCodec.encode(freezes)) == freezes)
        #expect(FreezeCodec.decode("") == [])
        for bad in ["x", "5", "10-5", "1-2,", "-", "a-b"] { #expect(FreezeCodec.decode(bad) == nil, "\(bad)") }
    }
}

@Suite struct CredentialChangeTests {
    let directory: TemporaryDirectory
    let store: ReplicaStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try openStore(directory)
        try store.apply([.upsertPlan(monthly)] + member(1, card: 111) + member(2, card: 222))
    }

    @Test func aCredentialCanChangeItsNumberAndKind() throws {
        try store.apply([
            .upsertCredential(Credential(id: CredentialID(10), userID: UserID(1), card: CardNumber(rawValue: 333)))
        ])
        #expect(try store.facts(for: .card(CardNumber(rawValue: 111))).facts == nil)
        #expect(try store.facts(for: .card(CardNumber(rawValue: 333))).facts?.credentialID == CredentialID(10))
        let digest = try pinDigest("9999")
        try store.apply([.upsertCredential(Credential(id: CredentialID(10), userID: UserID(1), pin: digest))])
        #expect(try store.facts(for: .card(CardNumber(rawValue: 333))).facts == nil)
        #expect(try store.facts(for: .pin(digest)).facts?.credentialID == CredentialID(10))
        try store.apply([.deleteCredential(CredentialID(10))])
        #expect(try store.facts(for: .pin(digest)).facts == nil)
    }

    @Test func aCardHeldByAnotherCredentialIsRefused() throws {
        let error = #expect(throws: SQLiteError.self) {
            try store.apply([
                .upsertCredential(Credential(id: CredentialID(99), userID: UserID(2), card: CardNumber(rawValue: 111)))
            ])
        }
        #expect(error?.isConstraintViolation == true)
        #expect(try store.facts(for: .card(CardNumber(rawValue: 111))).facts?.user.id == UserID(1))
    }

    @Test func aCredentialWithoutItsValueIsAnInvalidChange() throws {
        var broken = Credential(id: CredentialID(50), userID: UserID(1), card: CardNumber(rawValue: 5))
        broken.cardNumber = nil
        #expect(throws: ReplicaError.invalidChange("credential 50 of kind card has no card number")) {
            try store.apply([.upsertCredential(broken)])
        }
    }

    @Test func aSubscriptionCanMoveToAnotherUser() throws {
        var moved = Subscription(
            id: SubscriptionID(100), userID: UserID(2), planID: PlanID(1), startDay: day(2024, 1, 1),
            endDay: day(2024, 12, 31),
            pricePaid: Money(minorUnits: 1, currency: "MXN"))
        try store.apply([.upsertSubscription(moved)])
        #expect(try store.facts(for: .card(CardNumber(rawValue: 111))).facts?.subscriptions.isEmpty == true)
        #expect(
            try store.facts(for: .card(CardNumber(rawValue: 222))).facts?.subscriptions.map(\.subscription.id) == [
                SubscriptionID(100), SubscriptionID(200),
            ])
        moved.status = .cancelled
        try store.apply([.upsertSubscription(moved), .deleteSubscription(SubscriptionID(200))])
        #expect(
            try store.facts(for: .card(CardNumber(rawValue: 222))).facts?.subscriptions.map(\.subscription.status) == [
                .cancelled
            ])
    }

    @Test func largestCardNumbersRoundTrip() throws {
        try store.apply([
            .upsertCredential(
                Credential(id: CredentialID(70), userID: UserID(1), card: CardNumber(rawValue: UInt64.max)))
        ])
        #expect(try store.facts(for: .card(CardNumber(rawValue: UInt64.max))).facts?.credentialID == CredentialID(70))
    }
}
