/// A proximity-card number, normalised to one unsigned integer whatever the reader's format.
///
/// - EM4100 (RDM6300 ASCII frames): the low 32 bits of the 40-bit tag, the number printed on the card.
/// - Wiegand: facility code shifted above the card number (H10301: facility × 65536 + card).
/// - Keyboard-wedge readers: the decimal or hexadecimal digits they type.
/// Text entered by staff is read the same ways, so a card enrolled at the desk matches the door.
public struct CardNumber: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (a: CardNumber, b: CardNumber) -> Bool { a.rawValue < b.rawValue }

    /// From an EM4100 tag's five bytes (version/customer byte first): the low 32 bits.
    public init?(em4100 bytes: [UInt8]) {
        guard bytes.count == 5 else { return nil }
        self.rawValue = bytes[1...].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
    }

    /// From a Wiegand facility code and card number, `cardBits` being the card field's width.
    public init(facility: UInt64, card: UInt64, cardBits: Int) {
        self.rawValue = (facility << UInt64(cardBits)) | card
    }

    /// Why text is not a card number.
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        public let text: String
        public var description: String {
            "'\(text)' is not a card number (expected decimal digits, 0x followed by hex digits, "
                + "or FACILITY,CARD as on the card)"
        }
    }

    /// Reads `12345678`, `0012345678`, `0xBC6146` or `188,24910` (facility and 16-bit card, Wiegand 26).
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace
        func digits(_ text: Substring, _ count: ClosedRange<Int>, hex: Bool = false) -> Bool {
            count.contains(text.count) && text.allSatisfy { $0.isASCII && (hex ? $0.isHexDigit : $0.isNumber) }
        }
        if trimmed.lowercased().hasPrefix("0x"), digits(trimmed.dropFirst(2), 1...16, hex: true),
            let v = UInt64(trimmed.dropFirst(2), radix: 16)
        {
            self.init(rawValue: v)
            return
        }
        let pair = trimmed.split(separator: trimmed.contains(",") ? "," : ":", omittingEmptySubsequences: false)
        if pair.count == 2, digits(pair[0], 1...3), digits(pair[1], 1...5), let facility = UInt64(pair[0]),
            let card = UInt64(pair[1]), facility <= 0xFF, card <= 0xFFFF
        {
            self.init(facility: facility, card: card, cardBits: 16)
            return
        }
        guard digits(trimmed[...], 1...20), let v = UInt64(trimmed) else {
            throw ParseError(text: text)
        }
        self.init(rawValue: v)
    }

    public var description: String { String(rawValue) }

    /// The number in the 10-digit zero-padded form printed on EM4100 cards.
    public var printed: String {
        let digits = String(rawValue)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }
}

/// A PIN as a keyed hash (HMAC-SHA-256 under the deployment's PIN key); the digits are never stored.
public struct PINDigest: Hashable, Sendable, Codable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Comparison whose time does not depend on where the digests differ.
    public func matches(_ other: PINDigest) -> Bool {
        guard bytes.count == other.bytes.count else { return false }
        var difference: UInt8 = 0
        for index in bytes.indices { difference |= bytes[index] ^ other.bytes[index] }
        return difference == 0
    }
}

/// A credential a user presents.
public struct Credential: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        case card
        case pin
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case active
        case lost
        case revoked
    }

    public var id: CredentialID
    public var userID: UserID
    public var kind: Kind
    /// Set for cards.
    public var cardNumber: CardNumber?
    /// Set for PIN credentials (PIN-only keypads).
    public var pinDigest: PINDigest?
    public var status: Status

    public init(id: CredentialID, userID: UserID, card: CardNumber, status: Status = .active) {
        self.id = id
        self.userID = userID
        self.kind = .card
        self.cardNumber = card
        self.pinDigest = nil
        self.status = status
    }

    public init(id: CredentialID, userID: UserID, pin: PINDigest, status: Status = .active) {
        self.id = id
        self.userID = userID
        self.kind = .pin
        self.cardNumber = nil
        self.pinDigest = pin
        self.status = status
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
