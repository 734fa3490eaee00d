import Crypto
import Foundation
import PorteroModel
@testable import Replica
import SQLite
import TestSupport
import Testing

/// Phone passes at the door, from the replica: the phone's public key comes with its member; a
/// code opens one door once, and neither an old, a forged nor a revoked phone's code opens any.
@Suite struct PhonePassTests {
    let directory: TemporaryDirectory
    let store: ReplicaStore
    let service: AccessService
    let key: SigningKey
    /// Monday 2024-06-03 10:00 in Mexico City.
    let now = utc(2024, 6, 3, 16, 0)
    let phone = PhoneID(31)

    init() throws {
        directory = try TemporaryDirectory()
        store = try openStore(directory)
        service = AccessService(store: store)
        key = try SigningKey.p256()
        let point = try key.publicCoordinates()
        var changes = [ReplicaChange.upsertPlan(monthly)] + (try member(1, card: 111))
        changes.append(
            .replaceUser(
                ReplicaUser(id: UserID(1), clave: 1, displayName: "Socio 1", active: true),
                cards: [Credential(id: CredentialID(10), userID: UserID(1), card: CardNumber(rawValue: 111))],
                subscriptions: [
                    Subscription(
                        id: SubscriptionID(100), userID: UserID(1), planID: PlanID(1), startDay: day(2024, 1, 1),
                        endDay: day(2024, 12, 31), pricePaid: Money(minorUnits: 59_900, currency: "MXN"))
                ], phones: [ReplicaPhone(id: phone, publicKey: point.x + point.y, active: true)]))
        try store.apply(changes, cursor: 1)
    }

    func code(at time: Timestamp, offset: Int64 = 0, member: Int64 = 1, signer: SigningKey? = nil) throws -> PassCode {
        var code = PassCode(
            member: UserID(member), phone: phone, issuedAt: time.milliseconds / 1000 + offset, signature: [])
        code.signature = try (signer ?? key).signSHA256(code.message)
        return code
    }

    func decide(_ code: PassCode, at time: Timestamp, door: Door = door) throws -> AccessService.Outcome {
        try service.handle(
            AccessRequest(doorID: door.id, direction: .entry, presented: .pass(code)), at: door, now: time)
    }

    @Test func aFreshCodeOpensOnceAndIsSpentAtEveryDoor() throws {
        let fresh = try code(at: now)
        let granted = try decide(fresh, at: now)
        #expect(granted.decision.reason == .granted && granted.decision.userID == UserID(1))
        #expect(granted.event.credentialKind == .phone && granted.decision.subscriptionID == SubscriptionID(100))
        let other = Door(id: DoorID(11), branchID: branch, name: "Torniquete 2")
        #expect(try decide(fresh, at: now.adding(seconds: 2), door: other).decision.reason == .passUsed)
        #expect(try decide(try code(at: now, offset: -4), at: now.adding(seconds: 2)).decision.reason == .passUsed)
        // The next code the phone makes opens.
        #expect(try decide(try code(at: now, offset: 5), at: now.adding(seconds: 6), door: other).decision.granted)
    }

    @Test func aCodeOutsideItsWindowIsAScreenshotAndAForgedOneIsNobodys() throws {
        #expect(try decide(try code(at: now, offset: -31), at: now).decision.reason == .passExpired)
        #expect(try decide(try code(at: now, offset: 11), at: now).decision.reason == .passExpired)
        #expect(try decide(try code(at: now, offset: -30), at: now).decision.reason == .granted)
        let forged = try decide(try code(at: now, offset: 1, signer: try SigningKey.p256()), at: now)
        #expect(forged.decision.reason == .passInvalid && forged.decision.userID == nil)
        // Another member's id on this phone's code: the signature covers it.
        var borrowed = try code(at: now, offset: 2)
        borrowed.member = UserID(2)
        #expect(try decide(borrowed, at: now).decision.reason == .passInvalid)
        var unknown = try code(at: now, offset: 3)
        unknown.phone = PhoneID(99)
        #expect(try decide(unknown, at: now).decision.reason == .passInvalid)
        // Every refusal is journalled, and nothing was spent by them.
        let rows = try store.db.scalar("SELECT count(*) FROM attendance WHERE credential_kind = 'phone'", as: Int.self)
        #expect(rows == 6)
        #expect(
            try store.db.scalar("SELECT last_used FROM phones WHERE id = 31", as: Int64.self) == now.milliseconds / 1000
                - 30)
    }

    @Test func aRevokedPhoneIsRefusedAsRevokedAndASnapshotKeepsWhatWasSpent() throws {
        #expect(try decide(try code(at: now), at: now).decision.granted)
        let point = try key.publicCoordinates()
        var user = ReplicaUser(id: UserID(1), clave: 1, displayName: "Socio 1", active: true)
        try store.apply(
            [
                .replaceUser(
                    user, cards: [], subscriptions: [],
                    phones: [ReplicaPhone(id: phone, publicKey: point.x + point.y, active: true)])
            ], cursor: 2)
        #expect(try store.db.scalar("SELECT last_used FROM phones", as: Int64.self) == now.milliseconds / 1000)
        user.displayName = "Socia 1"
        try store.apply(
            [
                .replaceUser(
                    user, cards: [], subscriptions: [],
                    phones: [ReplicaPhone(id: phone, publicKey: point.x + point.y, active: false)])
            ], cursor: 3)
        #expect(
            try decide(try code(at: now, offset: 5), at: now.adding(seconds: 5)).decision.reason == .credentialRevoked)
        try store.apply([.replaceUser(user, cards: [], subscriptions: [], phones: [])], cursor: 4)
        #expect(try store.phones(of: UserID(1)).isEmpty)
        #expect(try decide(try code(at: now, offset: 6), at: now.adding(seconds: 6)).decision.reason == .passInvalid)
    }

    @Test func aCodeSpentWhileTheJournalIsFullStaysSpent() throws {
        store.spentUnwritten[phone.rawValue] = now.milliseconds / 1000
        #expect(try decide(try code(at: now), at: now).decision.reason == .passUsed)
        #expect(try decide(try code(at: now, offset: 1), at: now.adding(seconds: 1)).decision.granted)
    }
}
