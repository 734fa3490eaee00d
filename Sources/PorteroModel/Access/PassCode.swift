/// A member's rotating phone pass as a scanner reads it: decimal digits only, so every keyboard-wedge
/// and serial QR scanner carries it whatever the keyboard layout, and the QR code uses numeric mode.
///
/// `71` (phone pass, first version), the member (12 digits), the phone (12), the Unix second the
/// phone made it (10), then the phone's ECDSA P-256 signature of `portero-pass:` and those 36
/// digits: r ‖ s as sixteen big-endian 32-bit words of 10 digits each. 196 digits in all.
///
/// The phone makes a new code every few seconds with a key that never leaves it; the door checks
/// the signature with the public key the feed brought, the time against its own clock, and that
/// the code has not opened a door already.
public struct PassCode: Hashable, Sendable {
    public var member: UserID
    public var phone: PhoneID
    /// When the phone made the code.
    public var issuedAt: Int64
    /// r ‖ s, 32 bytes each.
    public var signature: [UInt8]

    public static let prefix = "71"
    public static let length = 196
    static let signedDigits = 36

    /// How long a code opens doors after the second it was made.
    public static let validitySeconds: Int64 = 30
    /// How far ahead of the door's clock a phone's clock may run.
    public static let earlySeconds: Int64 = 10
    /// How often the phone makes a new code.
    public static let renewSeconds: Int64 = 5

    public init(member: UserID, phone: PhoneID, issuedAt: Int64, signature: [UInt8]) {
        self.member = member
        self.phone = phone
        self.issuedAt = issuedAt
        self.signature = signature
    }

    /// Reads a scanned code; nil when the text is not a phone pass at all (a card number, say).
    public init?(scanned text: some StringProtocol) {
        let digits = Array(text.utf8)
        guard digits.count == Self.length, digits[0] == 55, digits[1] == 49,  // "71"
            let member = SignatureDigits.number(digits[2..<14]), let phone = SignatureDigits.number(digits[14..<26]),
            let issuedAt = SignatureDigits.number(digits[26..<36]),
            let signature = SignatureDigits.decode(digits[Self.signedDigits...])
        else { return nil }
        self.init(member: UserID(member), phone: PhoneID(phone), issuedAt: issuedAt, signature: signature)
    }

    /// True when `text` has the shape of a phone pass (so a reader hands it over whole).
    public static func looksLikePass(_ text: some StringProtocol) -> Bool {
        text.utf8.count == length && text.hasPrefix(prefix)
    }

    /// The 36 digits the signature covers.
    public var signedPart: String {
        Self.prefix + Self.padded(member.rawValue, 12) + Self.padded(phone.rawValue, 12) + Self.padded(issuedAt, 10)
    }

    /// The bytes the phone signs: the domain tag and the signed digits.
    public var message: [UInt8] { Self.message(signedPart) }

    static func message(_ signedPart: String) -> [UInt8] { Array(("portero-pass:" + signedPart).utf8) }

    /// The code as the phone shows it.
    public var text: String { signedPart + SignatureDigits.encode(signature) }

    /// Where `issuedAt` stands against the door's clock.
    public func timing(at now: Timestamp) -> Timing {
        let seconds = now.milliseconds / 1000
        if issuedAt > seconds + Self.earlySeconds { return .early }
        if issuedAt + Self.validitySeconds < seconds { return .expired }
        return .current
    }

    public enum Timing: Sendable, Equatable {
        case current, early, expired
    }

    static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(max(0, value))
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A member's phone that holds a pass key.
public enum Phone {}
public typealias PhoneID = Identifier<Phone>

extension PresentedCredential {
    /// Something held (a card, a phone) rather than known: a card-and-PIN door wants the PIN after it.
    public var isPossession: Bool {
        switch self {
        case .card, .pass, .dayPass: true
        case .pin: false
        }
    }
}
