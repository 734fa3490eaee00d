@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire
import Testing

/// What every branch learns about the whole chain: the card index (a card number, its holder's id
/// and standing, nothing else), and each member's entries at other branches for per-period limits.
@Suite struct ChainSyncRouteTests {
    static func chainMembers(_ items: [SyncItem]) -> [Int64: SyncChainMember] {
        Dictionary(
            items.compactMap { if case let .chainMember(member) = $0 { (member.id, member) } else { nil } },
            uniquingKeysWith: { $1 })
    }

    static func users(_ items: [SyncItem]) -> [Int64: SyncUser] {
        Dictionary(
            items.compactMap { if case let .user(user) = $0 { (user.id, user) } else { nil } },
            uniquingKeysWith: { $1 })
    }

    @Test func everyBranchHoldsTheChainsCardIndexAndNothingElseOfOtherBranchesMembers() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let norteOnly = try fixture.plan("Solo Norte", as: root, extra: #", "branches": [\#(fixture.other)]"#)
        func memberOfNorte(_ name: String) throws -> Int64 { try fixture.member(name, as: root, branch: fixture.other) }
        func card(_ user: Int64, _ number: String) throws -> Int64 {
            try #require(
                try object(try fixture.post("/api/v1/users/\(user)/cards", #"{"number": "\#(number)"}"#, as: root))[
                    "id"] as? Int64)
        }
        // Beto holds a plan of Norte only and two cards, one of them lost; Carla never bought.
        let beto = try memberOfNorte("beto")
        let sold = try object(
            try fixture.post(
                "/api/v1/subscriptions", #"{"user": \#(beto), "plan": \#(norteOnly), "branch": \#(fixture.other)}"#,
                as: root))
        let endText = try #require(sold["effectiveEndDate"] as? String)
        let effectiveEnd = try #require(LocalDay(iso: endText))
        let graceDays = try #require(sold["graceDays"] as? Int)
        _ = try card(beto, "7001")
        let lost = try card(beto, "7003")
        #expect(try fixture.patch("/api/v1/cards/\(lost)", #"{"status": "lost"}"#, as: root).status == 200)
        let carla = try memberOfNorte("carla")
        _ = try card(carla, "7002")
        let ana = try fixture.member("ana", as: admin)
        _ = try card(ana, "5551234")

        // The snapshot: Beto and Carla are not this branch's people, but their active cards are in the index.
        let page = try JSONDecoder().decode(
            SyncSnapshotPage.self,
            from: Data(try fixture.bearer("GET", "/api/v1/sync/snapshot?after=0&limit=1000", token).body))
        #expect(Self.users(page.items)[beto] == nil && Self.users(page.items)[carla] == nil)
        let index = Self.chainMembers(page.items)
        #expect(
            index[beto]
                == SyncChainMember(
                    id: beto, active: true, subscribedThrough: effectiveEnd.adding(days: graceDays), cards: [7001]))
        #expect(index[carla] == SyncChainMember(id: carla, active: true, subscribedThrough: nil, cards: [7002]))
        // Ana is this branch's: the page carries her cards whole, and the index, read only for a card the
        // branch does not hold, needs no entry for her.
        #expect(Self.users(page.items)[ana] != nil && index[ana] == nil)
        // The binary page of versions 5 and 4 carries the same; version 3 (a daemon not yet upgraded) none of it.
        let binary = try fixture.bearer(
            "GET", "/api/v1/sync/snapshot?after=0&limit=1000", token, headers: [("Accept", SyncBinary.snapshotAccept)])
        #expect(binary.headers.contains { $0.0 == "Content-Type" && $0.1 == SyncBinary.mediaTypeV6 })
        #expect(Self.chainMembers(try SyncBinary.decodeSnapshotPage(binary.body).items) == index)
        let three = try fixture.bearer(
            "GET", "/api/v1/sync/snapshot?after=0&limit=1000", token,
            headers: [("Accept", "\(SyncBinary.mediaTypeV3), \(SyncBinary.mediaType)")])
        #expect(Self.chainMembers(try SyncBinary.decodeSnapshotPage(three.body).items).isEmpty)

        // A change to Carla: a daemon that reads the index gets her entries with the removal; one
        // that does not (no version) gets the removal alone, as before.
        _ = try fixture.patch("/api/v1/users/\(carla)", #"{"notes": "x"}"#, as: root)
        let upgraded = try fixture.batch(token, after: page.sequence, version: 2)
        #expect(
            upgraded.items == [
                .removeUser(carla),
                .chainMember(SyncChainMember(id: carla, active: true, subscribedThrough: nil, cards: [7002])),
            ])
        #expect(try fixture.batch(token, after: page.sequence).items == [.removeUser(carla)])
        // Her standing follows her subscriptions: sold one, she is covered elsewhere.
        _ = try fixture.post(
            "/api/v1/subscriptions", #"{"user": \#(carla), "plan": \#(norteOnly), "branch": \#(fixture.other)}"#,
            as: root)
        let sale = try fixture.batch(token, after: upgraded.cursor, version: 2)
        #expect(Self.chainMembers(sale.items)[carla]?.subscribedThrough == effectiveEnd.adding(days: graceDays))
        // A revoked card leaves the index; an inactive person stays, marked so.
        _ = try fixture.patch("/api/v1/users/\(carla)", #"{"active": false}"#, as: root)
        let inactive = try fixture.batch(token, after: sale.cursor, version: 2)
        #expect(Self.chainMembers(inactive.items)[carla]?.active == false)
        #expect(try fixture.bearer("GET", "/api/v1/sync/changes?after=0&version=3", token).status == 400)
    }

    @Test func entriesAtOtherBranchesCountForPerPeriodLimitsInTheBranchsOwnDays() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let (token, _) = try fixture.enrolDevice(as: root)
        let (norteToken, _) = try fixture.enrolDevice(as: root, name: "norte", at: fixture.other)
        let twice = try fixture.plan("Dos por semana", as: root, extra: #", "visitsPerWeek": 2"#)
        let centroOnly = try fixture.plan(
            "Tres al día, Centro", as: root, extra: #", "visitsPerDay": 3, "branches": [\#(fixture.own)]"#)
        let free = try fixture.plan("Libre", as: root)
        let ana = try fixture.member("ana", as: root)
        let bruno = try fixture.member("bruno", as: root)
        let carla = try fixture.member("carla", as: root)
        for (user, plan) in [(ana, twice), (bruno, free), (carla, centroOnly)] {
            #expect(
                try fixture.post(
                    "/api/v1/subscriptions", #"{"user": \#(user), "plan": \#(plan), "branch": \#(fixture.own)}"#,
                    as: root
                ).status == 201)
        }
        // The clock reads Friday 2027-01-15 02:00 in Mexico City: the week began on Monday the 11th.
        let now = fixture.clock.now
        #expect(
            try ZoneRules(identifier: "America/Mexico_City").localDay(at: now)
                == LocalDay(year: 2027, month: 1, day: 15))
        var generator = SplitMix64(seed: 5)
        func event(
            _ user: Int64, _ branch: BranchID, _ at: Timestamp, granted: Bool = true, direction: Direction = .entry
        ) -> AttendanceEvent {
            AttendanceEvent(
                id: EventID(time: at, using: &generator), at: at, branchID: branch, doorID: DoorID(1),
                direction: direction, credentialKind: .card, cardNumber: nil, userID: UserID(user), subscriptionID: nil,
                granted: granted, reason: granted ? .granted : .planVisitLimit)
        }
        func local(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Timestamp {
            // Mexico City is UTC−6 all year.
            Timestamp(
                seconds: Int64(LocalDay(year: 2027, month: 1, day: day)!.rawValue) * 86_400 + Int64((hour + 6) * 3_600)
                    + Int64(minute * 60))
        }
        let zone = try ZoneRules(identifier: "America/Mexico_City")
        try fixture.api.withDatabase { database in
            for (user, branch, at, granted, direction) in [
                (ana, fixture.other, local(15, 1), true, Direction.entry),  // today
                (ana, fixture.other, local(13, 18), true, .entry),  // this week
                (ana, fixture.own, local(14, 9), true, .entry),  // this branch's desk (not its doors)
                (ana, fixture.other, local(11, 0, 30), true, .entry),  // Monday 00:30, Sunday 06:30 UTC
                (ana, fixture.other, local(10, 23, 30), true, .entry),  // Sunday 23:30, Monday 05:30 UTC
                (ana, fixture.other, local(8, 12), true, .entry),  // last week, this month
                (ana, fixture.other, Timestamp(seconds: now.seconds - 20 * 86_400), true, .entry),  // December
                (ana, fixture.other, local(15, 1, 30), false, .entry),  // refused
                (ana, fixture.other, local(15, 1, 40), true, .exit),  // leaving
                (bruno, fixture.other, local(15, 1), true, .entry),
            ] {
                try database.operations.record(
                    event(user, branch, at, granted: granted, direction: direction), device: nil, recordedBy: nil,
                    note: "", zone: zone, now: now)
            }
        }
        // This branch's own door: uploaded by its device, and left for the branch to count itself.
        let upload = try fixture.bearer(
            "POST", "/api/v1/sync/attendance", token,
            body: String(
                decoding: try JSONEncoder().encode(SyncUpload(events: [event(ana, fixture.own, local(12, 8))])),
                as: UTF8.self))
        #expect(upload.status == 200)

        let page = try JSONDecoder().decode(
            SyncSnapshotPage.self, from: Data(try fixture.bearer("GET", "/api/v1/sync/snapshot?after=0", token).body))
        let today = LocalDay(year: 2027, month: 1, day: 15)!
        let expected = VisitCounters(
            day: today, dayCount: 1, weekStart: today.weekStart, weekCount: 4, month: today.monthKey, monthCount: 6)
        #expect(Self.users(page.items)[ana]?.visitsElsewhere == expected)
        #expect(Self.users(page.items)[bruno].map { $0.visitsElsewhere == nil } == true)
        let binary = try SyncBinary.decodeSnapshotPage(
            try fixture.bearer(
                "GET", "/api/v1/sync/snapshot?after=0", token, headers: [("Accept", SyncBinary.snapshotAccept)]
            ).body)
        #expect(Self.users(binary.items)[ana]?.visitsElsewhere == expected)

        // Another entry elsewhere: Ana comes down again with the new count, to the branches that hold her.
        let cursor = try fixture.batch(token, after: page.sequence, version: 2).cursor
        let norteCursor = try fixture.batch(norteToken, after: 0, version: 2).cursor
        try fixture.api.withDatabase { database in
            try database.operations.record(
                event(ana, fixture.other, local(15, 1, 50)), device: nil, recordedBy: nil, note: "", zone: zone,
                now: now)
            // Carla's plan is Centro's only: Norte does not hold her, and hears nothing of her entries.
            try database.operations.record(
                event(carla, fixture.own, local(15, 1, 50)), device: nil, recordedBy: nil, note: "", zone: zone,
                now: now)
        }
        let next = try fixture.batch(token, after: cursor, version: 2)
        #expect(Self.users(next.items)[ana]?.visitsElsewhere?.weekCount == 5)
        #expect(Self.users(next.items)[carla]?.visitsElsewhere?.dayCount == 1)
        let norte = try fixture.batch(norteToken, after: norteCursor, version: 2)
        #expect(Self.users(norte.items)[ana]?.visitsElsewhere?.dayCount == 2)
        #expect(!norte.items.contains { if case .removeUser(carla) = $0 { true } else { false } })
        #expect(Self.chainMembers(norte.items)[carla] == nil && Self.users(norte.items)[carla] == nil)
    }
}
