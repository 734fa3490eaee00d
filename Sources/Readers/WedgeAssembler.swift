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
/// scanner in keyboard mode types a pass the same way: its 196 (phone) or 174 (day pass) digits, then Enter.
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
    private var typed = ""
    private var lastKey: MonotonicInstant?

    public init(base: Base = .decimal, interKeyTimeoutMilliseconds: Int64 = 100, maximumLength: Int = 20) {
        self.base = base
        interKeyTimeoutNanoseconds = interKeyTimeoutMilliseconds * 1_000_000
        self.maximumLength = maximumLength
    }

    /// Feeds one key; returns a card on Enter, a rejection for what cannot be a card.
    public mutating func key(_ key: KeyInput, at now: MonotonicInstant) -> Result<Scan, ReadRejection>? {
        var expired: ReadRejection?
        if let last = lastKey, now.nanoseconds(since: last) > interKeyTimeoutNanoseconds, !typed.isEmpty {
            expired = .truncatedFrame(received: typed.count)
            typed = ""
        }
        lastKey = now
        switch key {
        case let .character(character):
            if typed.utf8.count >= max(maximumLength, PassCode.length) {
                typed = ""
                return .failure(.badDigits("more than \(max(maximumLength, PassCode.length)) characters"))
            }
            typed.append(character)
            return expired.map { .failure($0) }
        case .enter:
            defer { typed = "" }
            if typed.isEmpty { return expired.map { .failure($0) } }
            if let pass = Scan.pass(typed) { return .success(pass) }
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
