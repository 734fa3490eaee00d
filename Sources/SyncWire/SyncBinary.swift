import PorteroModel
import Foundation

/// A compact binary form of the two bulk sync messages, snapshot pages and attendance uploads
/// (`application/x-portero-sync`): Foundation's JSON coders cost tens of microseconds per person
/// or event, which a million of them turn into minutes. Small messages (feed batches, answers)
/// stay JSON. Integers are LEB128 varints (signed ones zigzag), strings and blobs are length-
/// prefixed, and every message starts with a four-byte tag naming its kind and version.
public enum SyncBinary {
    /// Snapshot pages of version 2 (no duress PINs); what an earlier daemon asks for.
    public static let mediaType = "application/x-portero-sync"
    /// Snapshot pages of version 3 (with duress PINs).
    public static let mediaTypeV3 = "application/x-portero-sync-3"
    /// Snapshot pages of version 4: the chain's card index and each person's visits elsewhere in
    /// the current day, week and month. A daemon asks for 4, 3 and 2, in that order, and reads any;
    /// a core answers the first it can.
    public static let mediaTypeV4 = "application/x-portero-sync-4"
    /// Snapshot pages of version 5: the first day a payment owed closes the door, per subscription.
    public static let mediaTypeV5 = "application/x-portero-sync-5"
    /// Snapshot pages of version 6: the phones that carry each person's pass.
    public static let mediaTypeV6 = "application/x-portero-sync-6"
    /// What a daemon puts in `Accept` for a snapshot page.
    public static let snapshotAccept = "\(mediaTypeV6), \(mediaTypeV5), \(mediaTypeV4), \(mediaTypeV3), \(mediaType)"
    /// The media type of each version a core writes, newest first.
    public static let snapshotVersions = [
        (mediaTypeV6, 6), (mediaTypeV5, 5), (mediaTypeV4, 4), (mediaTypeV3, 3), (mediaType, 2),
    ]

    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { "malformed sync message: \(reason)" }
    }

    struct Writer {
        var bytes: [UInt8] = []
        mutating func unsigned(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }
        mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
        mutating func flag(_ value: Bool) { bytes.append(value ? 1 : 0) }
        mutating func blob(_ value: [UInt8]) {
            unsigned(UInt64(value.count))
            bytes += value
        }
        mutating func string(_ value: String) { blob(Array(value.utf8)) }
        mutating func optional(_ value: Int64?) {
            flag(value != nil)
            if let value { signed(value) }
        }
        /// Visit counters keyed by their periods, or nil.
        mutating func counters(_ value: VisitCounters?) {
            flag(value != nil)
            guard let value else { return }
            optional(value.day.map { Int64($0.rawValue) })
            unsigned(UInt64(max(0, value.dayCount)))
            optional(value.weekStart.map { Int64($0.rawValue) })
            unsigned(UInt64(max(0, value.weekCount)))
            optional(value.month.map { Int64($0) })
            unsigned(UInt64(max(0, value.monthCount)))
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed(reason: "ends early at byte \(offset)") }
            defer { offset += 1 }
            return bytes[offset]
        }
        mutating func unsigned() throws(Malformed) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 7) {
                let next = try byte()
                value |= UInt64(next & 0x7F) << UInt64(shift)
                if next & 0x80 == 0 { return value }
            }
            throw Malformed(reason: "a number longer than 64 bits at byte \(offset)")
        }
        mutating func signed() throws(Malformed) -> Int64 {
            let raw = try unsigned()
            return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        }
        mutating func count(_ limit: Int = 10_000_000) throws(Malformed) -> Int {
            let value = try unsigned()
            guard value <= UInt64(limit) else { throw Malformed(reason: "a count of \(value) at byte \(offset)") }
            return Int(value)
        }
        mutating func flag() throws(Malformed) -> Bool {
            switch try byte() {
            case 0: return false
            case 1: return true
            case let other: throw Malformed(reason: "a flag of \(other) at byte \(offset - 1)")
            }
        }
        mutating func blob() throws(Malformed) -> [UInt8] {
            let length = try count(bytes.count)
            guard offset + length <= bytes.count else {
                throw Malformed(reason: "a field runs past the end at byte \(offset)")
            }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }
        mutating func string() throws(Malformed) -> String {
            guard let text = String(validating: try blob(), as: UTF8.self) else {
                throw Malformed(reason: "text that is not UTF-8 before byte \(offset)")
            }
            return text
        }
        mutating func optional() throws(Malformed) -> Int64? { try flag() ? try signed() : nil }
        mutating func counters() throws(Malformed) -> VisitCounters? {
            guard try flag() else { return nil }
            func localDay(_ value: Int64?) -> LocalDay? {
                value.map { LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: $0)) }
            }
            let day = localDay(try optional()), dayCount = try count(1_000_000)
            let week = localDay(try optional()), weekCount = try count(1_000_000)
            let month = try optional().map { Int32(truncatingIfNeeded: $0) }, monthCount = try count(1_000_000)
            return VisitCounters(
                day: day, dayCount: dayCount, weekStart: week, weekCount: weekCount, month: month,
                monthCount: monthCount)
        }
        mutating func tag(_ expected: String) throws(Malformed) {
            guard bytes.count >= 4, Array(bytes[0..<4]) == Array(expected.utf8) else {
                throw Malformed(reason: "not a \(expected) message")
            }
            offset = 4
        }
        func finish() throws(Malformed) {
            guard offset == bytes.count else {
                throw Malformed(reason: "\(bytes.count - offset) byte(s) after the end")
            }
        }
    }

    static let statuses: [Credential.Status] = [.active, .lost, .revoked]
    static let subscriptionStatuses: [Subscription.Status] = [.active, .cancelled]

    // MARK: Snapshot pages

    /// A page in `version` 2 to 6; what an earlier version cannot carry (duress PINs before 3,
    /// the chain's card index and visits elsewhere before 4, payments owed before 5, phones
    /// before 6) is left out.
    /// A branch's setup never travels in a page: a replica asks `GET /api/v1/sync/setup` after its snapshot.
    public static func encode(_ page: SyncSnapshotPage, version: Int = 6) throws -> [UInt8] {
        var out = Writer()
        out.bytes = Array("PSP\(min(6, max(2, version)))".utf8)
        out.signed(page.sequence)
        out.signed(page.serverTime.milliseconds)
        out.optional(page.nextAfter)
        let items = page.items.filter { item in
            switch item {
            case .branchSetup: false
            case .chainMember: version >= 4
            case .user, .removeUser, .plan: true
            }
        }
        out.unsigned(UInt64(items.count))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for item in items {
            switch item {
            case let .user(user):
                out.bytes.append(1)
                out.signed(user.id)
                out.signed(user.clave)
                out.string(user.displayName)
                out.flag(user.active)
                out.unsigned(UInt64(RoleSet(user.roles).rawValue))
                out.flag(user.grantedHere)
                out.string(user.pin ?? "")
                if version >= 3 { out.string(user.duressPin ?? "") }
                out.unsigned(UInt64(user.cards.count))
                for card in user.cards {
                    out.signed(card.id)
                    out.unsigned(card.number)
                    out.bytes.append(UInt8(statuses.firstIndex(of: card.status) ?? 2))
                }
                out.unsigned(UInt64(user.subscriptions.count))
                for s in user.subscriptions {
                    out.signed(s.id.rawValue)
                    out.signed(s.planID.rawValue)
                    out.signed(Int64(s.startDay.rawValue))
                    out.signed(Int64(s.endDay.rawValue))
                    out.signed(Int64(s.graceDays))
                    out.bytes.append(s.status == .active ? 0 : 1)
                    out.unsigned(UInt64(s.freezes.count))
                    for freeze in s.freezes {
                        out.signed(Int64(freeze.start.rawValue))
                        out.optional(freeze.end.map { Int64($0.rawValue) })
                    }
                    out.signed(s.pricePaid.minorUnits)
                    out.string(s.pricePaid.currency)
                    out.optional(s.visitsElsewhere.map { Int64($0) })
                    if version >= 5 { out.optional(s.unpaidFrom.map { Int64($0.rawValue) }) }
                }
                if version >= 4 { out.counters(user.visitsElsewhere) }
                if version >= 6 {
                    let phones = user.phones ?? []
                    out.unsigned(UInt64(phones.count))
                    for phone in phones {
                        out.signed(phone.id)
                        out.string(phone.key)
                        out.flag(phone.active)
                    }
                }
            case let .removeUser(id):
                out.bytes.append(2)
                out.signed(id)
            case let .plan(plan):
                out.bytes.append(3)
                out.blob(Array(try encoder.encode(plan)))
            case let .chainMember(member):
                out.bytes.append(4)
                out.signed(member.id)
                out.flag(member.active)
                out.optional(member.subscribedThrough.map { Int64($0.rawValue) })
                out.unsigned(UInt64(member.cards.count))
                for number in member.cards { out.unsigned(number) }
            case .branchSetup:
                continue  // filtered out above
            }
        }
        return out.bytes
    }

    public static func decodeSnapshotPage(_ bytes: [UInt8]) throws -> SyncSnapshotPage {
        var input = Reader(bytes)
        let version = (3...6).first { bytes.starts(with: Array("PSP\($0)".utf8)) } ?? 2
        try input.tag("PSP\(version)")
        let sequence = try input.signed()
        let serverTime = Timestamp(milliseconds: try input.signed())
        let nextAfter = try input.optional()
        let count = try input.count()
        var items: [SyncItem] = []
        items.reserveCapacity(count)
        let decoder = JSONDecoder()
        for _ in 0..<count {
            switch try input.byte() {
            case 1:
                let id = try input.signed(), clave = try input.signed(), name = try input.string(),
                    active = try input.flag()
                let roles = RoleSet(rawValue: UInt8(truncatingIfNeeded: try input.unsigned())).roles
                let grantedHere = try input.flag()
                let pin = try input.string()
                let duress = version >= 3 ? try input.string() : ""
                var cards: [SyncCard] = []
                for _ in 0..<(try input.count(10_000)) {
                    let cardID = try input.signed(), number = try input.unsigned(), status = Int(try input.byte())
                    guard status < statuses.count else { throw Malformed(reason: "a card status of \(status)") }
                    cards.append(SyncCard(id: cardID, number: number, status: statuses[status]))
                }
                var subscriptions: [Subscription] = []
                for _ in 0..<(try input.count(10_000)) {
                    let subscriptionID = try input.signed(), plan = try input.signed(), start = try input.signed(),
                        end = try input.signed(), grace = try input.signed()
                    let status = try input.byte()
                    guard status < 2 else { throw Malformed(reason: "a subscription status of \(status)") }
                    var freezes: [FreezePeriod] = []
                    for _ in 0..<(try input.count(10_000)) {
                        let from = try input.signed()
                        freezes.append(
                            FreezePeriod(
                                start: LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: from)),
                                end: try input.optional().map {
                                    LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: $0))
                                }))
                    }
                    let price = try input.signed(), currency = try input.string(), elsewhere = try input.optional()
                    let unpaid = version >= 5 ? try input.optional() : nil
                    subscriptions.append(
                        Subscription(
                            id: SubscriptionID(subscriptionID), userID: UserID(id), planID: PlanID(plan),
                            startDay: LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: start)),
                            endDay: LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: end)),
                            graceDays: Int(grace), status: subscriptionStatuses[Int(status)], freezes: freezes,
                            pricePaid: Money(minorUnits: price, currency: currency),
                            visitsElsewhere: try elsewhere.map { value in
                                guard (0...1_000_000).contains(value) else {
                                    throw Malformed(reason: "a visit count of \(value)")
                                }
                                return Int(value)
                            }, unpaidFrom: unpaid.map { LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: $0)) }))
                }
                let elsewhere = version >= 4 ? try input.counters() : nil
                var phones: [SyncPhone]?
                if version >= 6 {
                    phones = []
                    for _ in 0..<(try input.count(1_000)) {
                        let phoneID = try input.signed(), key = try input.string(), active = try input.flag()
                        phones?.append(SyncPhone(id: phoneID, key: key, active: active))
                    }
                }
                items.append(
                    .user(
                        SyncUser(
                            id: id, clave: clave, displayName: name, active: active, roles: roles,
                            grantedHere: grantedHere,
                            pin: pin.isEmpty ? nil : pin, duressPin: duress.isEmpty ? nil : duress, cards: cards,
                            subscriptions: subscriptions, visitsElsewhere: elsewhere, phones: phones)))
            case 2:
                items.append(.removeUser(try input.signed()))
            case 3:
                items.append(.plan(try decoder.decode(Plan.self, from: Data(try input.blob()))))
            case 4 where version >= 4:
                let id = try input.signed(), active = try input.flag(), through = try input.optional()
                var cards: [UInt64] = []
                for _ in 0..<(try input.count(10_000)) { cards.append(try input.unsigned()) }
                items.append(
                    .chainMember(
                        SyncChainMember(
                            id: id, active: active,
                            subscribedThrough: through.map { LocalDay(daysSinceEpoch: Int32(truncatingIfNeeded: $0)) },
                            cards: cards)))
            case let other:
                throw Malformed(reason: "an item of kind \(other)")
            }
        }
        try input.finish()
        return SyncSnapshotPage(sequence: sequence, items: items, nextAfter: nextAfter, serverTime: serverTime)
    }

    // MARK: Attendance uploads

    static let directions: [Direction] = [.entry, .exit]

    /// `PEV1`, or `PEV2` (each event followed by its note, empty for none) when an event has a
    /// note: an upload without notes stays in the form every core reads.
    public static func encode(_ upload: SyncUpload) -> [UInt8] {
        var out = Writer()
        let notes = upload.events.contains { !($0.note ?? "").isEmpty }
        out.bytes = Array((notes ? "PEV2" : "PEV1").utf8)
        out.unsigned(UInt64(upload.events.count))
        for event in upload.events {
            out.bytes += event.id.bytes
            out.signed(event.at.milliseconds)
            out.signed(event.branchID.rawValue)
            out.signed(event.doorID.rawValue)
            out.bytes.append(event.direction == .entry ? 0 : 1)
            out.bytes.append(UInt8(CredentialKind.allCases.firstIndex(of: event.credentialKind) ?? 0))
            out.flag(event.cardNumber != nil)
            if let card = event.cardNumber { out.unsigned(card.rawValue) }
            out.optional(event.userID?.rawValue)
            out.optional(event.subscriptionID?.rawValue)
            out.flag(event.granted)
            out.string(event.reason.rawValue)
            if notes { out.string(event.note ?? "") }
        }
        return out.bytes
    }

    public static func decodeUpload(_ bytes: [UInt8]) throws -> SyncUpload {
        let notes = bytes.starts(with: Array("PEV2".utf8))
        var input = Reader(bytes)
        try input.tag(notes ? "PEV2" : "PEV1")
        let count = try input.count(1_000_000)
        var events: [AttendanceEvent] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            var idBytes: [UInt8] = []
            for _ in 0..<16 { idBytes.append(try input.byte()) }
            guard let id = EventID(bytes: idBytes) else { throw Malformed(reason: "an event id") }
            let at = try input.signed(), branch = try input.signed(), door = try input.signed()
            let direction = try input.byte(), kind = Int(try input.byte())
            guard direction < 2, kind < CredentialKind.allCases.count else {
                throw Malformed(reason: "a direction or credential kind out of range")
            }
            let card = try input.flag() ? CardNumber(rawValue: try input.unsigned()) : nil
            let user = try input.optional(), subscription = try input.optional()
            let granted = try input.flag()
            let reasonText = try input.string()
            guard let reason = ReasonCode(rawValue: reasonText) else {
                throw Malformed(reason: "an unknown reason code '\(reasonText)'")
            }
            let note = notes ? try input.string() : ""
            events.append(
                AttendanceEvent(
                    id: id, at: Timestamp(milliseconds: at), branchID: BranchID(branch), doorID: DoorID(door),
                    direction: directions[Int(direction)],
                    credentialKind: CredentialKind.allCases[kind], cardNumber: card, userID: user.map { UserID($0) },
                    subscriptionID: subscription.map { SubscriptionID($0) }, granted: granted, reason: reason,
                    note: note.isEmpty ? nil : note))
        }
        try input.finish()
        return SyncUpload(events: events)
    }
}
