import PorteroModel

/// The format a card number was read in.
public enum CardFormat: String, Sendable, Codable, CaseIterable {
    case em4100
    /// HID H10301, 26-bit Wiegand: 8-bit facility, 16-bit card.
    case h10301
    /// HID H10306, 34-bit Wiegand: 16-bit facility, 16-bit card.
    case h10306
    /// HID Corporate 1000, 35-bit Wiegand: 12-bit company code, 20-bit card.
    case corporate1000 = "corporate1000"
    /// HID H10304, 37-bit Wiegand: 16-bit facility, 19-bit card.
    case h10304
    /// A Wiegand length we have no layout for: every bit is the number.
    case wiegandRaw = "wiegand_raw"
    /// Digits typed by a keyboard-wedge reader.
    case wedge
}

/// One card read, decoded: what the installer's tool prints and what the door decides on.
public struct CardRead: Hashable, Sendable, Codable {
    public var format: CardFormat
    /// Bits on the wire (40 for EM4100, the frame length for Wiegand, 0 for typed digits).
    public var bits: Int
    /// Facility or company code, where the format has one.
    public var facility: UInt64?
    /// The card field of the format (for EM4100, the 32-bit id).
    public var number: UInt64
    /// The normalised value stored in the replica.
    public var credential: CardNumber

    public init(format: CardFormat, bits: Int, facility: UInt64?, number: UInt64, credential: CardNumber) {
        self.format = format
        self.bits = bits
        self.facility = facility
        self.number = number
        self.credential = credential
    }
}

/// Why a reader's input was not accepted. Each is logged and counted; none stops the reader.
public enum ReadRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// Bytes outside any frame, skipped while resynchronising.
    case noise(byteCount: Int)
    /// A frame cut short: a new start arrived, or the reader fell silent.
    case truncatedFrame(received: Int)
    /// A character that cannot appear in the frame.
    case invalidCharacter(UInt8)
    /// The frame's checksum does not match its data.
    case badChecksum(expected: UInt8, received: UInt8)
    /// The byte after the data was not the end marker.
    case missingEnd(found: UInt8)
    /// Wiegand parity failed; `check` names which (leading even, trailing odd, ...).
    case badParity(format: CardFormat, check: String)
    /// Wiegand bits came closer together than a reader sends them (a glitch on D0/D1).
    case glitch
    /// More bits than any supported frame.
    case tooLong(bits: Int)
    /// An 8-bit keypad burst whose high nibble is not the complement of the low one.
    case badKeypadBurst(UInt8)
    /// Typed input that is not a card number in the configured base.
    case badDigits(String)

    /// Typed or scanned text that is no code, shown in the log as at most 40 characters.
    static func notACode(_ text: String) -> ReadRejection {
        .badDigits(text.utf8.count > 40 ? String(text.prefix(40)) + "…" : text)
    }

    public var description: String {
        switch self {
        case let .noise(count): "skipped \(count) byte(s) of line noise"
        case let .truncatedFrame(received): "frame cut short after \(received) byte(s)"
        case let .invalidCharacter(byte): "invalid character 0x\(String(byte, radix: 16)) in frame"
        case let .badChecksum(expected, received):
            "checksum 0x\(String(received, radix: 16)) does not match the data (0x\(String(expected, radix: 16)))"
        case let .missingEnd(found): "expected ETX, found 0x\(String(found, radix: 16))"
        case let .badParity(format, check): "\(format.rawValue): \(check) parity check failed"
        case .glitch: "Wiegand bits closer together than a reader sends them"
        case let .tooLong(bits): "Wiegand frame of \(bits) bits is longer than any supported format"
        case let .badKeypadBurst(byte): "keypad burst 0x\(String(byte, radix: 16)) fails its complement check"
        case let .badDigits(text): "'\(text)' is not a card number"
        }
    }
}
