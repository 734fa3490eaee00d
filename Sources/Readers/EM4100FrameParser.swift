import PorteroModel

/// Parses the ASCII frames of RDM6300-style 125 kHz EM4100 readers:
/// STX (0x02), ten hex digits (the 5-byte tag), two hex digits (XOR of the five bytes), ETX (0x03).
///
/// Pure and incremental: feed whatever bytes the serial port delivered, in any split, and get cards
/// and rejections back. Garbage is skipped up to the next STX; a card held on the reader (which
/// repeats its frame several times a second) is reported once until it has been away for `holdWindow`.
public struct EM4100FrameParser: Sendable {
    /// How long a card must be absent before the same card counts as a new presentation.
    public var holdWindowNanoseconds: Int64
    private var frame: [UInt8] = []
    private var inFrame = false
    private var noise = 0
    private var lastCard: (number: CardNumber, seen: MonotonicInstant)?

    public enum Event: Hashable, Sendable {
        case card(CardRead)
        case rejected(ReadRejection)
    }

    public init(holdWindowMilliseconds: Int64 = 1_000) {
        holdWindowNanoseconds = holdWindowMilliseconds * 1_000_000
    }

    static let stx: UInt8 = 0x02
    static let etx: UInt8 = 0x03

    /// Feeds bytes received at `now`; returns what they completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>, at now: MonotonicInstant) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if !inFrame {
                if byte == Self.stx {
                    flushNoise(into: &events)
                    inFrame = true
                    frame.removeAll(keepingCapacity: true)
                } else {
                    noise += 1
                }
                continue
            }
            if byte == Self.stx {
                // A new frame started before this one ended: the reader lost bytes.
                events.append(.rejected(.truncatedFrame(received: frame.count + 1)))
                frame.removeAll(keepingCapacity: true)
                continue
            }
            if frame.count < 12 {
                guard Self.hexValue(byte) != nil else {
                    events.append(.rejected(.invalidCharacter(byte)))
                    inFrame = false
                    continue
                }
                frame.append(byte)
                continue
            }
            inFrame = false
            guard byte == Self.etx else {
                events.append(.rejected(.missingEnd(found: byte)))
                continue
            }
            if let event = complete(at: now) { events.append(event) }
        }
        return events
    }

    /// Reports noise still pending (call when the line goes quiet, or before shutting down).
    public mutating func flush() -> [Event] {
        var events: [Event] = []
        flushNoise(into: &events)
        if inFrame {
            events.append(.rejected(.truncatedFrame(received: frame.count + 1)))
            inFrame = false
        }
        return events
    }

    private mutating func flushNoise(into events: inout [Event]) {
        if noise > 0 {
            events.append(.rejected(.noise(byteCount: noise)))
            noise = 0
        }
    }

    private mutating func complete(at now: MonotonicInstant) -> Event? {
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 12, by: 2) {
            // Both digits were checked as hex when they arrived.
            bytes.append(
                Self.hexValue(frame[index])! << 4 | Self.hexValue(frame[index + 1])!)  // safe: validated on arrival
        }
        let checksum = bytes[0..<5].reduce(0, ^)
        guard checksum == bytes[5] else { return .rejected(.badChecksum(expected: checksum, received: bytes[5])) }
        guard let read = Self.decode(tag: Array(bytes[0..<5])) else { return nil }
        if let last = lastCard, last.number == read.credential,
            now.nanoseconds(since: last.seen) < holdWindowNanoseconds
        {
            lastCard = (read.credential, now)
            return nil
        }
        lastCard = (read.credential, now)
        return .card(read)
    }

    /// The card behind a 5-byte EM4100 tag: the low 32 bits, as printed on the card.
    public static func decode(tag: [UInt8]) -> CardRead? {
        guard let credential = CardNumber(em4100: tag) else { return nil }
        // The first byte is the tag's version or customer code, not a facility: it is not part of the number.
        return CardRead(format: .em4100, bits: 40, facility: nil, number: credential.rawValue, credential: credential)
    }

    /// Decodes "0A1B2C3D4E" style text (10 hex digits, optionally with the 2-digit checksum).
    public static func decode(hex text: String) -> Result<CardRead, ReadRejection> {
        let digits = Array(text.utf8).filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: ":") }
        guard digits.count == 10 || digits.count == 12 else { return .failure(.truncatedFrame(received: digits.count)) }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
                return .failure(.invalidCharacter(hexValue(digits[index]) == nil ? digits[index] : digits[index + 1]))
            }
            bytes.append(high << 4 | low)
        }
        if bytes.count == 6 {
            let checksum = bytes[0..<5].reduce(0, ^)
            guard checksum == bytes[5] else { return .failure(.badChecksum(expected: checksum, received: bytes[5])) }
        }
        guard let read = decode(tag: Array(bytes.prefix(5))) else {
            return .failure(.truncatedFrame(received: bytes.count))
        }
        return .success(read)
    }

    /// The frame of a card whose printed (low 32-bit) number is `card`, version byte `version`.
    public static func frame(card: UInt32, version: UInt8 = 0x01) -> [UInt8] {
        frame(tag: [version, UInt8(card >> 24), UInt8(card >> 16 & 0xFF), UInt8(card >> 8 & 0xFF), UInt8(card & 0xFF)])
    }

    /// Encodes a tag as the reader sends it (for simulated readers and tests).
    public static func frame(tag: [UInt8]) -> [UInt8] {
        let checksum = tag.reduce(0, ^)
        let hex = (tag + [checksum]).flatMap { byte -> [UInt8] in
            let digits = Array("0123456789ABCDEF".utf8)
            return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
        }
        return [stx] + hex + [etx]
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
