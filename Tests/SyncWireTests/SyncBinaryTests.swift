import Foundation
import PorteroModel
import SyncWire
import Testing

@Suite struct SyncBinaryTests {
    static let page: SyncSnapshotPage = {
        let plan = Plan(
            id: PlanID(3), name: "Matutino", price: Money(minorUnits: 39_900, currency: "MXN"), duration: .months(1),
            branches: .only([BranchID(1)]), windows: try? WeeklySchedule(parsing: "mon-fri 06:00-12:00"),
            visitLimit: VisitLimit(perWeek: 3))
        let subscription = Subscription(
            id: SubscriptionID(9), userID: UserID(42), planID: plan.id, startDay: LocalDay(daysSinceEpoch: 20_000),
            endDay: LocalDay(daysSinceEpoch: 20_030), graceDays: 3, status: .active,
            freezes: [
                FreezePeriod(start: LocalDay(daysSinceEpoch: 20_010), end: LocalDay(daysSinceEpoch: 20_012)),
                FreezePeriod(start: LocalDay(daysSinceEpoch: 20_020)),
            ],
            pricePaid: Money(minorUnits: 39_900, currency: "MXN"), visitsElsewhere: 4,
            unpaidFrom: LocalDay(daysSinceEpoch: 20_004))
        let user = SyncUser(
            id: 42, clave: 1_042, displayName: "Lucía Núñez", active: true,
            roles: RoleSet([.client, .reception]).roles, grantedHere: true,
            pin: String(repeating: "ab", count: 32),
            cards: [
                SyncCard(id: 1, number: 5_551_234, status: .active), SyncCard(id: 2, number: UInt64.max, status: .lost),
            ],
            subscriptions: [subscription],
            visitsElsewhere: VisitCounters(
                day: LocalDay(daysSinceEpoch: 20_015), dayCount: 1, weekStart: LocalDay(daysSinceEpoch: 20_013),
                weekCount: 2, month: LocalDay(daysSinceEpoch: 20_015).monthKey, monthCount: 5),
            phones: [
                SyncPhone(id: 3, key: String(repeating: "0a", count: 64), active: true),
                SyncPhone(id: 4, key: String(repeating: "ff", count: 64), active: false),
            ])
        return SyncSnapshotPage(
            sequence: 1_234,
            items: [
                .plan(plan), .user(user), .removeUser(-7),
                .chainMember(
                    SyncChainMember(
                        id: 43, active: true, subscribedThrough: LocalDay(daysSinceEpoch: 20_100),
                        cards: [7_777_777, UInt64.max])),
                .chainMember(SyncChainMember(id: 44, active: false, subscribedThrough: nil, cards: [])),
            ], nextAfter: 42,
            serverTime: Timestamp(milliseconds: 1_795_000_000_000))
    }()

    @Test func snapshotPagesRoundTrip() throws {
        let bytes = try SyncBinary.encode(Self.page)
        #expect(try SyncBinary.decodeSnapshotPage(bytes) == Self.page)
        var last = Self.page
        last.nextAfter = nil
        #expect(try SyncBinary.decodeSnapshotPage(try SyncBinary.encode(last)) == last)
    }

    /// A daemon that reads version 3 or 2 gets a page without what those versions cannot carry:
    /// no chain index items (an unknown item kind would fail its whole page), no visits elsewhere.
    @Test func earlierVersionsLeaveOutTheChainIndexAndVisitsElsewhere() throws {
        func withoutPaymentsOwed(_ items: [SyncItem]) -> [SyncItem] {
            items.map { item in
                guard case var .user(user) = item else { return item }
                user.phones = nil  // before version 6
                user.subscriptions = user.subscriptions.map {
                    var subscription = $0
                    subscription.unpaidFrom = nil
                    return subscription
                }
                return .user(user)
            }
        }
        var four = Self.page
        four.items = withoutPaymentsOwed(four.items)
        #expect(try SyncBinary.decodeSnapshotPage(try SyncBinary.encode(Self.page, version: 4)) == four)
        var expected = four
        expected.items = expected.items.compactMap { item in
            switch item {
            case .chainMember: return nil
            case var .user(user):
                user.visitsElsewhere = nil
                return .user(user)
            default: return item
            }
        }
        let three = try SyncBinary.encode(Self.page, version: 3)
        #expect(Array(three.prefix(4)) == Array("PSP3".utf8))
        #expect(try SyncBinary.decodeSnapshotPage(three) == expected)
        #expect(Array(try SyncBinary.encode(Self.page).prefix(4)) == Array("PSP6".utf8))
        #expect(
            SyncBinary.snapshotVersions.map(\.0) == [
                SyncBinary.mediaTypeV6, SyncBinary.mediaTypeV5, SyncBinary.mediaTypeV4, SyncBinary.mediaTypeV3,
                SyncBinary.mediaType,
            ])
        var five = Self.page
        five.items = five.items.map { item in
            guard case var .user(user) = item else { return item }
            user.phones = nil
            return .user(user)
        }
        #expect(try SyncBinary.decodeSnapshotPage(try SyncBinary.encode(Self.page, version: 5)) == five)
    }

    /// JSON batches and pages leave out items of a kind this build does not know (a newer core's),
    /// and still refuse a known kind that does not decode.
    @Test func itemsOfUnknownKindsAreLeftOutOfJSONBatchesAndPages() throws {
        let batch = #"""
            {"cursor": 9, "more": false, "snapshotRequired": false, "serverTime": 1795000000000, "commands": [],
             "items": [{"kind": "hologram", "hologram": {"x": 1}}, {"kind": "remove_user", "id": 5},
                       {"kind": "chain_member", "member": {"id": 6, "active": true, "subscribedThrough": "2024-06-30",
                        "cards": [123]}}]}
            """#
        let decoded = try JSONDecoder().decode(SyncBatch.self, from: Data(batch.utf8))
        #expect(
            decoded.items == [
                .removeUser(5),
                .chainMember(
                    SyncChainMember(
                        id: 6, active: true, subscribedThrough: LocalDay(year: 2024, month: 6, day: 30), cards: [123])),
            ])
        let page =
            #"{"sequence": 3, "serverTime": 0, "items": [{"kind": "hologram"}, {"kind": "remove_user", "id": 2}]}"#
        #expect(try JSONDecoder().decode(SyncSnapshotPage.self, from: Data(page.utf8)).items == [.removeUser(2)])
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(
                SyncSnapshotPage.self,
                from: Data(#"{"sequence": 3, "serverTime": 0, "items": [{"kind": "remove_user"}]}"#.utf8))
        }
        // And round trips.
        #expect(try JSONDecoder().decode(SyncSnapshotPage.self, from: JSONEncoder().encode(Self.page)) == Self.page)
    }

    @Test func uploadsRoundTrip() throws {
        var generator = SplitMix64(seed: 3)
        let events = (0..<20).map { index in
            AttendanceEvent(
                id: EventID(time: Timestamp(milliseconds: 1_795_000_000_000 + Int64(index)), using: &generator),
                at: Timestamp(milliseconds: 1_795_000_000_000),
                branchID: BranchID(1), doorID: DoorID(Int64(index % 3)), direction: index % 2 == 0 ? .entry : .exit,
                credentialKind: CredentialKind.allCases[index % CredentialKind.allCases.count],
                cardNumber: index % 4 == 0 ? nil : CardNumber(rawValue: UInt64(index)),
                userID: index % 5 == 0 ? nil : UserID(Int64(index)), subscriptionID: nil, granted: index % 2 == 0,
                reason: ReasonCode.allCases[index % ReasonCode.allCases.count])
        }
        #expect(try SyncBinary.decodeUpload(SyncBinary.encode(SyncUpload(events: events))).events == events)
    }

    /// Events with a note (a manual check-in made at the branch) go up in the second form, which
    /// carries it; an upload without notes keeps the first form, which every core reads.
    @Test func notesTravelInTheSecondFormAndUploadsWithoutThemKeepTheFirst() throws {
        var generator = SplitMix64(seed: 5)
        let at = Timestamp(milliseconds: 1_795_000_000_000)
        let plain = AttendanceEvent(
            id: EventID(time: at, using: &generator), at: at, branchID: BranchID(1), doorID: DoorID(1),
            direction: .entry, credentialKind: .card, cardNumber: CardNumber(rawValue: 5), userID: UserID(3),
            subscriptionID: nil, granted: true, reason: .granted)
        var checkIn = plain
        checkIn.id = EventID(time: at, using: &generator)
        checkIn.credentialKind = .manual
        checkIn.reason = .grantedManual
        checkIn.note = "olvidó su tarjeta; at the desk by recepcion (uid 1001)"
        let first = SyncBinary.encode(SyncUpload(events: [plain]))
        #expect(Array(first.prefix(4)) == Array("PEV1".utf8))
        #expect(try SyncBinary.decodeUpload(first).events == [plain])
        let second = SyncBinary.encode(SyncUpload(events: [plain, checkIn]))
        #expect(Array(second.prefix(4)) == Array("PEV2".utf8))
        #expect(try SyncBinary.decodeUpload(second).events == [plain, checkIn])
    }

    /// A command from a daemon that does not know the local user decodes without one, and one that
    /// carries it round-trips.
    @Test func aLocalCommandsLocalUserIsOptional() throws {
        let old = #"{"id": 4, "kind": "card", "user": 12, "number": 7770001, "at": 1795000000000}"#
        let decoded = try JSONDecoder().decode(SyncLocalCommand.self, from: Data(old.utf8))
        #expect(decoded.localUser == nil)
        var command = decoded
        command.localUser = SyncLocalUser(uid: 1_001, name: "recepcion")
        #expect(try JSONDecoder().decode(SyncLocalCommand.self, from: JSONEncoder().encode(command)) == command)
        #expect("\(SyncLocalUser(uid: 1_001, name: "recepcion"))" == "recepcion (uid 1001)")
        #expect("\(SyncLocalUser(uid: 4_000, name: nil))" == "uid 4000")
    }

    @Test func truncatedTrailingAndForeignBytesAreRefused() throws {
        let bytes = try SyncBinary.encode(Self.page)
        for cut in [0, 3, 4, 10, bytes.count / 2, bytes.count - 1] {
            #expect(throws: (any Error).self) { try SyncBinary.decodeSnapshotPage(Array(bytes.prefix(cut))) }
        }
        #expect(throws: SyncBinary.Malformed.self) { try SyncBinary.decodeSnapshotPage(bytes + [0]) }
        #expect(throws: SyncBinary.Malformed.self) { try SyncBinary.decodeUpload(bytes) }
        // A huge count is refused before anything is allocated for it.
        #expect(throws: SyncBinary.Malformed.self) {
            try SyncBinary.decodeUpload(Array("PEV1".utf8) + [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        }
    }
}
