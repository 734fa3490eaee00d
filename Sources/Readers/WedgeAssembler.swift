import PorteroModel

/// What a scanner or a keyboard-wedge reader read: a card number, or a member's phone pass.
public enum Scan: Hashable, Sendable {
    case card(CardRead)
    case pass(PassCode)
    case dayPass(DayPassCode)

    public var card: CardRead? { if case let .card(read) = self { read } else { nil } }

    /// A member's phone pass or a printed day pass, when `text` is one.
    public static func pass(_ text: some StringProtocol) -> Scan? {
        if let pass = PassCode(scanned: text) { return .pass(pass) }
        if let pass = DayPassCode(scanned: text) { return .dayPass(pass) }
        return nil
    }
}

/// Turns the keys a keyboard-wedge reader types into card numbers: digits, then Enter. A QR
/// scanner in keyboard mode types a pass the same way: its 196 (phone) or 174 (day pass) digits, then Enter;
/// told not to take cards, it takes passes only.
///
/// A pause longer than `interKeyTimeout` between keys discards what was typed (a person at a
/// keyboard, or a frame cut by an unplug); more than `maximumLength` characters is not a card,
/// and more than a pass's length is nothing.
public struct WedgeAssembler: Sendable {
    public enum Base: String, Sendable, Codable, CaseIterable {
        case decimal
        case hexadecimal
    }

    public var base: Base
    public var interKeyTimeoutNanoseconds: Int64
    public var maximumLength: Int
    /// Card numbers are taken (a card reader in keyboard mode); off for a QR scanner, where anyone
    /// who knows a number could show it as a barcode.
    public var acceptsCards: Bool
    private var typed = ""
    private var lastKey: MonotonicInstant?
    /// Keys were lost while this line was typed: it is skipped up to its Enter.
    private var lost = false

    public init(
        base: Base = .decimal, interKeyTimeoutMilliseconds: Int64 = 100, maximumLength: Int = 20,
        acceptsCards: Bool = true
    ) {
        self.base = base
        interKeyTimeoutNanoseconds = interKeyTimeoutMilliseconds * 1_000_000
        self.maximumLength = maximumLength
        self.acceptsCards = acceptsCards
    }

    /// The kernel dropped keys (the device's buffer overflowed while nobody read it): the line being
    /// typed is not whole, so what was typed and what follows up to the next Enter is discarded, and
    /// that Enter reports it. The tail of a pass must never be read as a card number.
    public mutating func keysLost(at now: MonotonicInstant) {
        lost = true
        typed = ""
        lastKey = now
    }

    /// Feeds one key; returns a card on Enter, a rejection for what cannot be a card.
    public mutating func key(_ key: KeyInput, at now: MonotonicInstant) -> Result<Scan, ReadRejection>? {
        var expired: ReadRejection?
        if let last = lastKey, now.nanoseconds(since: last) > interKeyTimeoutNanoseconds {
            if !typed.isEmpty { expired = .truncatedFrame(received: typed.count) }
            typed = ""
            lost = false  // a pause: what comes next is a new line
        }
        lastKey = now
        if lost {
            guard key == .enter else { return expired.map { .failure($0) } }
            lost = false
            return .failure(.truncatedFrame(received: 0))
        }
        switch key {
        case let .character(character):
            if typed.utf8.count >= max(maximumLength, PassCode.length) {
                typed = ""
                lost = true  // the rest of this line, up to its Enter, is no code either
                return .failure(.badDigits("more than \(max(maximumLength, PassCode.length)) characters"))
            }
            typed.append(character)
            return expired.map { .failure($0) }
        case .enter:
            defer { typed = "" }
            if typed.isEmpty { return expired.map { .failure($0) } }
            if let pass = Scan.pass(typed) { return .success(pass) }
            guard acceptsCards else {
                return .failure(.notACode(typed))
            }
            if typed.utf8.count > maximumLength { return .failure(.badDigits("more than \(maximumLength) characters")) }
            let radix = base == .decimal ? 10 : 16
            guard let value = UInt64(typed, radix: radix) else { return .failure(.badDigits(typed)) }
            return .success(
                .card(
                    CardRead(
                        format: .wedge, bits: 0, facility: nil, number: value, credential: CardNumber(rawValue: value)))
            )
        case .star, .hash, .backspace:
            typed = ""
            return .failure(.badDigits(key == .backspace ? "backspace" : "keypad symbol"))
        }
    }
}
