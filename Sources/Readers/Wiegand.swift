import PorteroModel

/// A complete Wiegand frame: the bits in the order they arrived (first bit first).
public struct WiegandFrame: Hashable, Sendable, CustomStringConvertible {
    public var bits: [Bool]

    public init(bits: [Bool]) { self.bits = bits }

    /// Parses a string of '0' and '1' (spaces ignored); nil on any other character.
    public init?(string: String) {
        var bits: [Bool] = []
        for character in string where character != " " {
            switch character {
            case "0": bits.append(false)
            case "1": bits.append(true)
            default: return nil
            }
        }
        self.bits = bits
    }

    public var description: String { String(bits.map { $0 ? "1" : "0" }) }

    /// The value of bits `range` (positions from the first bit), most significant first.
    func field(_ range: Range<Int>) -> UInt64 {
        bits[range].reduce(0) { ($0 << 1) | ($1 ? 1 : 0) }
    }

    /// Number of set bits among `positions`.
    func ones(_ positions: some Sequence<Int>) -> Int {
        positions.reduce(0) { $0 + (bits[$1] ? 1 : 0) }
    }
}

/// What a Wiegand frame carried.
public enum WiegandPayload: Hashable, Sendable {
    case card(CardRead)
    /// Keys pressed on a Wiegand keypad: digits 0–9, `*` and `#`.
    case keys([Character])
}

/// The Wiegand layouts we decode, and the keypad bursts.
public enum WiegandDecoder {
    /// Decodes a frame by its length: 26, 34, 35 and 37 bits by their HID layouts with parity
    /// checked; 4-bit and 8-bit keypad bursts; any other length up to 64 bits as a raw number.
    public static func decode(_ frame: WiegandFrame) -> Result<WiegandPayload, ReadRejection> {
        let b = frame.bits
        switch b.count {
        case 4:
            return key(UInt8(frame.field(0..<4))).map { .success(.keys([$0])) }
                ?? .failure(.badKeypadBurst(UInt8(frame.field(0..<4))))
        case 8:
            let byte = UInt8(frame.field(0..<8))
            guard byte >> 4 == (~byte & 0x0F), let k = key(byte & 0x0F) else { return .failure(.badKeypadBurst(byte)) }
            return .success(.keys([k]))
        case 26:
            // P FFFFFFFF CCCCCCCCCCCCCCCC P: leading even over bits 1-12, trailing odd over bits 13-24.
            guard (frame.ones(0...12)) % 2 == 0 else {
                return .failure(.badParity(format: .h10301, check: "leading even (bits 1-12)"))
            }
            guard (frame.ones(13...25)) % 2 == 1 else {
                return .failure(.badParity(format: .h10301, check: "trailing odd (bits 13-24)"))
            }
            return .success(
                .card(read(.h10301, bits: 26, facility: frame.field(1..<9), card: frame.field(9..<25), cardBits: 16)))
        case 34:
            guard frame.ones(0...16) % 2 == 0 else {
                return .failure(.badParity(format: .h10306, check: "leading even (bits 1-16)"))
            }
            guard frame.ones(17...33) % 2 == 1 else {
                return .failure(.badParity(format: .h10306, check: "trailing odd (bits 17-32)"))
            }
            return .success(
                .card(read(.h10306, bits: 34, facility: frame.field(1..<17), card: frame.field(17..<33), cardBits: 16)))
        case 35:
            // P0 odd over all the others; P1 even over positions 2,3, 5,6, ... 32,33;
            // P34 odd over positions 1,2, 4,5, ... 31,32. Company code 2-13, card 14-33.
            guard (frame.ones(Corporate1000.evenGroup) + (b[1] ? 1 : 0)) % 2 == 0 else {
                return .failure(.badParity(format: .corporate1000, check: "second-bit even"))
            }
            guard (frame.ones(Corporate1000.oddGroup) + (b[34] ? 1 : 0)) % 2 == 1 else {
                return .failure(.badParity(format: .corporate1000, check: "last-bit odd"))
            }
            guard frame.ones(0...34) % 2 == 1 else {
                return .failure(.badParity(format: .corporate1000, check: "first-bit odd (whole frame)"))
            }
            return .success(
                .card(
                    read(
                        .corporate1000, bits: 35, facility: frame.field(2..<14), card: frame.field(14..<34),
                        cardBits: 20)))
        case 37:
            guard frame.ones(0...18) % 2 == 0 else {
                return .failure(.badParity(format: .h10304, check: "leading even (bits 1-18)"))
            }
            guard frame.ones(18...36) % 2 == 1 else {
                return .failure(.badParity(format: .h10304, check: "trailing odd (bits 18-35)"))
            }
            return .success(
                .card(read(.h10304, bits: 37, facility: frame.field(1..<17), card: frame.field(17..<36), cardBits: 19)))
        case 0:
            return .failure(.truncatedFrame(received: 0))
        case 65...:
            return .failure(.tooLong(bits: b.count))
        default:
            let value = frame.field(0..<b.count)
            return .success(
                .card(
                    CardRead(
                        format: .wiegandRaw, bits: b.count, facility: nil, number: value,
                        credential: CardNumber(rawValue: value))))
        }
    }

    static func read(_ format: CardFormat, bits: Int, facility: UInt64, card: UInt64, cardBits: Int) -> CardRead {
        CardRead(
            format: format, bits: bits, facility: facility, number: card,
            credential: CardNumber(facility: facility, card: card, cardBits: cardBits))
    }

    /// The key of a 4-bit keypad code: 0–9, 10 is `*`, 11 is `#`.
    static func key(_ code: UInt8) -> Character? {
        switch code {
        case 0...9: Character(String(code))
        case 10: "*"
        case 11: "#"
        default: nil
        }
    }

    /// Builds the frame a reader sends for `facility` and `card` in `format`, parity included
    /// (for simulated readers, the installer's tool and tests). Nil when a field does not fit.
    public static func encode(_ format: CardFormat, facility: UInt64, card: UInt64) -> WiegandFrame? {
        func bits(_ value: UInt64, _ width: Int) -> [Bool] {
            (0..<width).reversed().map { value >> UInt64($0) & 1 == 1 }
        }
        var frame: WiegandFrame
        switch format {
        case .h10301:
            guard facility < 1 << 8, card < 1 << 16 else { return nil }
            frame = WiegandFrame(bits: [false] + bits(facility, 8) + bits(card, 16) + [false])
            frame.bits[0] = frame.ones(1...12) % 2 == 1
            frame.bits[25] = frame.ones(13...24) % 2 == 0
        case .h10306:
            guard facility < 1 << 16, card < 1 << 16 else { return nil }
            frame = WiegandFrame(bits: [false] + bits(facility, 16) + bits(card, 16) + [false])
            frame.bits[0] = frame.ones(1...16) % 2 == 1
            frame.bits[33] = frame.ones(17...32) % 2 == 0
        case .corporate1000:
            guard facility < 1 << 12, card < 1 << 20 else { return nil }
            frame = WiegandFrame(bits: [false, false] + bits(facility, 12) + bits(card, 20) + [false])
            frame.bits[1] = frame.ones(Corporate1000.evenGroup) % 2 == 1
            frame.bits[34] = frame.ones(Corporate1000.oddGroup) % 2 == 0
            frame.bits[0] = frame.ones(1...34) % 2 == 0
        case .h10304:
            guard facility < 1 << 16, card < 1 << 19 else { return nil }
            frame = WiegandFrame(bits: [false] + bits(facility, 16) + bits(card, 19) + [false])
            frame.bits[0] = frame.ones(1...18) % 2 == 1
            frame.bits[36] = frame.ones(18...35) % 2 == 0
        default:
            return nil
        }
        return frame
    }

    /// The 4-bit burst for one keypad key.
    public static func keypadBurst(_ key: Character) -> WiegandFrame? {
        let code: UInt64
        switch key {
        case "0"..."9": code = UInt64(String(key))!  // safe: a decimal digit
        case "*": code = 10
        case "#": code = 11
        default: return nil
        }
        return WiegandFrame(bits: (0..<4).reversed().map { code >> UInt64($0) & 1 == 1 })
    }
}

/// Parity groups of HID Corporate 1000 (35-bit), by bit position from the first bit.
enum Corporate1000 {
    /// Checked by bit 1 (even): positions 2,3, 5,6, 8,9, ... 32,33.
    static let evenGroup: [Int] = (2...33).filter { ($0 - 2) % 3 != 2 }
    /// Checked by bit 34 (odd): positions 1,2, 4,5, 7,8, ... 31,32.
    static let oddGroup: [Int] = (1...32).filter { ($0 - 1) % 3 != 2 }
}

/// Assembles Wiegand bits from D0/D1 edges into frames.
///
/// A reader pulses D0 for a 0 and D1 for a 1, about 50–100 µs wide and 1–2 ms apart; a frame ends
/// when the lines stay quiet for `frameGap`. Bits closer together than `minimumBitInterval` are a
/// glitch (both lines at once, a loose wire) and spoil the frame. Pure: the I/O shell feeds edge
/// timestamps and calls `poll` when its timer fires.
public struct WiegandAssembler: Sendable {
    public var frameGapNanoseconds: Int64
    public var minimumBitIntervalNanoseconds: Int64
    public var maximumBits: Int
    private var bits: [Bool] = []
    private var lastBit: MonotonicInstant?
    private var glitched = false

    public init(frameGapMilliseconds: Int64 = 25, minimumBitIntervalMicroseconds: Int64 = 200, maximumBits: Int = 64) {
        frameGapNanoseconds = frameGapMilliseconds * 1_000_000
        minimumBitIntervalNanoseconds = minimumBitIntervalMicroseconds * 1000
        self.maximumBits = maximumBits
    }

    /// When the shell should call `poll` next (the end of the current frame's gap), if a frame is open.
    public var deadline: MonotonicInstant? { lastBit?.adding(nanoseconds: frameGapNanoseconds) }

    /// One bit from a falling edge on D0 (`false`) or D1 (`true`). Returns a frame that a long
    /// silence before this bit completed.
    public mutating func bit(_ value: Bool, at now: MonotonicInstant) -> Result<WiegandFrame, ReadRejection>? {
        let finished = poll(now)
        if let last = lastBit, now.nanoseconds(since: last) < minimumBitIntervalNanoseconds {
            glitched = true
        }
        if bits.count <= maximumBits { bits.append(value) }
        lastBit = now
        return finished
    }

    /// Completes the frame when its gap has passed.
    public mutating func poll(_ now: MonotonicInstant) -> Result<WiegandFrame, ReadRejection>? {
        guard let last = lastBit, now.nanoseconds(since: last) >= frameGapNanoseconds else { return nil }
        defer {
            bits.removeAll(keepingCapacity: true)
            lastBit = nil
            glitched = false
        }
        if glitched { return .failure(.glitch) }
        if bits.count > maximumBits { return .failure(.tooLong(bits: bits.count)) }
        return .success(WiegandFrame(bits: bits))
    }
}
