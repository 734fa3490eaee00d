import PorteroModel

/// Collects a PIN from keypad presses: digits, `#` submits, `*` clears, a pause clears.
public struct PINEntry: Sendable {
    public var minimumDigits: Int
    public var maximumDigits: Int
    public var interKeyTimeoutNanoseconds: Int64
    private var digits = ""
    private var lastKey: MonotonicInstant?

    public enum Outcome: Hashable, Sendable {
        /// `#` with an acceptable number of digits.
        case submitted(String)
        /// `#` with too few digits, or too many keys: the entry starts again.
        case rejected(String)
        /// `*`, or a pause: the entry starts again.
        case cleared
    }

    public init(minimumDigits: Int = 4, maximumDigits: Int = 8, interKeyTimeoutMilliseconds: Int64 = 5_000) {
        self.minimumDigits = minimumDigits
        self.maximumDigits = maximumDigits
        interKeyTimeoutNanoseconds = interKeyTimeoutMilliseconds * 1_000_000
    }

    /// Digits keyed so far (for the reader's feedback: how many, never which).
    public var count: Int { digits.count }

    /// Clears the entry when the pause since the last key is over; call when the shell's timer fires.
    public mutating func poll(_ now: MonotonicInstant) -> Outcome? {
        guard let last = lastKey, now.nanoseconds(since: last) > interKeyTimeoutNanoseconds else { return nil }
        lastKey = nil
        guard !digits.isEmpty else { return nil }
        digits = ""
        return .cleared
    }

    public mutating func key(_ key: KeyInput, at now: MonotonicInstant) -> Outcome? {
        let timedOut = poll(now)
        lastKey = now
        switch key {
        case let .character(character) where character.isASCII && character.isNumber:
            guard digits.count < maximumDigits else {
                digits = ""
                return .rejected("more than \(maximumDigits) digits")
            }
            digits.append(character)
            return timedOut
        case .hash, .enter:
            defer { digits = "" }
            guard digits.count >= minimumDigits else { return .rejected("fewer than \(minimumDigits) digits") }
            return .submitted(digits)
        case .star, .backspace:
            digits = ""
            return .cleared
        case .character:
            return timedOut
        }
    }
}

/// At a card-and-PIN door: holds a card read until its PIN arrives or the window closes.
public struct CardThenPIN: Sendable {
    public var windowNanoseconds: Int64
    private var pending: (scan: Scan, at: MonotonicInstant)?

    /// A card or a phone pass, with the PIN keyed after it or without one.
    public enum Outcome: Hashable, Sendable {
        case cardWithPIN(Scan, String)
        /// The window closed without a PIN: decide the card alone (the decision answers `pin.required`).
        case cardWithoutPIN(Scan)
    }

    public init(windowMilliseconds: Int64 = 10_000) {
        windowNanoseconds = windowMilliseconds * 1_000_000
    }

    /// True while a card waits for its PIN.
    public var isWaiting: Bool { pending != nil }

    /// When the shell should call `poll` next.
    public var deadline: MonotonicInstant? { pending?.at.adding(nanoseconds: windowNanoseconds) }

    /// A card read: starts the window. A card already waiting is decided without PIN first.
    public mutating func card(_ read: CardRead, at now: MonotonicInstant) -> Outcome? { held(.card(read), at: now) }

    /// A card read or a phone pass scanned: starts the window, as `card` does.
    public mutating func held(_ scan: Scan, at now: MonotonicInstant) -> Outcome? {
        let previous = pending.map { Outcome.cardWithoutPIN($0.scan) }
        pending = (scan, now)
        return previous
    }

    /// A PIN submitted: pairs it with the waiting card, if the window is still open.
    public mutating func pin(_ digits: String, at now: MonotonicInstant) -> Outcome? {
        guard let waiting = pending else { return nil }
        pending = nil
        guard now.nanoseconds(since: waiting.at) <= windowNanoseconds else { return .cardWithoutPIN(waiting.scan) }
        return .cardWithPIN(waiting.scan, digits)
    }

    public mutating func poll(_ now: MonotonicInstant) -> Outcome? {
        guard let waiting = pending, now.nanoseconds(since: waiting.at) > windowNanoseconds else { return nil }
        pending = nil
        return .cardWithoutPIN(waiting.scan)
    }
}
