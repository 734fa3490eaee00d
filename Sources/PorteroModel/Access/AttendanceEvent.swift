/// A 128-bit event identifier in the UUID version 7 layout (RFC 9562): 48 bits of Unix
/// milliseconds, then random bits. Made at the door, it is the event's identity end to end,
/// so the core can store each event once however often it is sent; time-ordered ids keep the
/// journal's index appends at the end.
public struct EventID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new id for `time`, its random bits drawn from `generator`.
    public init(time: Timestamp, using generator: inout some RandomNumberGenerator) {
        let millis = UInt64(bitPattern: time.milliseconds) & 0xFFFF_FFFF_FFFF
        let randA = generator.next() & 0x0FFF
        high = (millis << 16) | 0x7000 | randA
        low = (generator.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
    }

    public init(time: Timestamp) {
        var generator = SystemRandomNumberGenerator()
        self.init(time: time, using: &generator)
    }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        high = bytes[0..<8].reduce(0) { ($0 << 8) | UInt64($1) }
        low = bytes[8..<16].reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Parses the canonical 8-4-4-4-12 hex form.
    public init?(string: String) {
        let hex = string.filter { $0 != "-" }
        guard string.count == 36, hex.count == 32, let h = UInt64(hex.prefix(16), radix: 16),
            let l = UInt64(hex.suffix(16), radix: 16)
        else { return nil }
        high = h
        low = l
    }

    public static func < (a: EventID, b: EventID) -> Bool { (a.high, a.low) < (b.high, b.low) }

    public var description: String {
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = EventID(string: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a UUID")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How the person identified themselves.
public enum CredentialKind: String, Sendable, Codable, CaseIterable {
    case card
    case pin
    case cardAndPIN = "card_pin"
    /// Checked in by staff at the desk.
    case manual
    /// A member's rotating phone pass.
    case phone
    /// A day or guest pass's printed code.
    case dayPass = "day_pass"
}

/// One decision, granted or denied, as recorded in the attendance journal (asistencia).
public struct AttendanceEvent: Hashable, Sendable, Codable {
    public var id: EventID
    public var at: Timestamp
    public var branchID: BranchID
    public var doorID: DoorID
    public var direction: Direction
    public var credentialKind: CredentialKind
    /// The card number presented (kept for unknown cards so staff can enrol them); never a PIN.
    public var cardNumber: CardNumber?
    public var userID: UserID?
    public var subscriptionID: SubscriptionID?
    public var granted: Bool
    public var reason: ReasonCode
    /// Free text kept with the event: a manual check-in's reason and who made it. Nil for decisions.
    public var note: String?

    public init(
        id: EventID, at: Timestamp, branchID: BranchID, doorID: DoorID, direction: Direction,
        credentialKind: CredentialKind,
        cardNumber: CardNumber?, userID: UserID?, subscriptionID: SubscriptionID?, granted: Bool, reason: ReasonCode,
        note: String? = nil
    ) {
        self.id = id
        self.at = at
        self.branchID = branchID
        self.doorID = doorID
        self.direction = direction
        self.credentialKind = credentialKind
        self.cardNumber = cardNumber
        self.userID = userID
        self.subscriptionID = subscriptionID
        self.granted = granted
        self.reason = reason
        self.note = note
    }
}
