/// A day or guest pass as a scanner reads it off its printed ticket or email: `72` (pass, first
/// version), the subscription it admits on (12 digits), then the chain's ECDSA P-256 signature
/// of `portero-daypass:` and those 14 digits, r ‖ s as sixteen 10-digit words. 174 digits.
///
/// The pass itself is a subscription to a pass plan (its dates, its entries as a pack, its
/// branches), carried to the branches like any other; the signature, made by headquarters' key
/// and checked with the public half the branch setup brings, proves the code was issued, so no
/// one can make up a code for somebody else's pass. Used up like a pack: the code is the same
/// for each of its entries.
public struct DayPassCode: Hashable, Sendable {
    public var subscription: SubscriptionID
    /// r ‖ s, 32 bytes each.
    public var signature: [UInt8]

    public static let prefix = "72"
    public static let length = 174
    static let signedDigits = 14

    public init(subscription: SubscriptionID, signature: [UInt8]) {
        self.subscription = subscription
        self.signature = signature
    }

    /// Reads a scanned code; nil when the text is not a day pass.
    public init?(scanned text: some StringProtocol) {
        let digits = Array(text.utf8)
        guard digits.count == Self.length, digits[0] == 55, digits[1] == 50,  // "72"
            let signature = SignatureDigits.decode(digits[Self.signedDigits...])
        else { return nil }
        guard let subscription = SignatureDigits.number(digits[2..<14]) else { return nil }
        self.init(subscription: SubscriptionID(subscription), signature: signature)
    }

    /// The 14 digits the signature covers.
    public var signedPart: String { Self.prefix + PassCode.padded(subscription.rawValue, 12) }

    /// The bytes headquarters signs.
    public var message: [UInt8] { Array(("portero-daypass:" + signedPart).utf8) }

    /// The code as printed.
    public var text: String { signedPart + SignatureDigits.encode(signature) }
}

/// A 64-byte signature as 160 decimal digits (sixteen big-endian 32-bit words of 10 digits), and back.
enum SignatureDigits {
    static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
    }

    static func decode(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        guard digits.count == 160 else { return nil }
        var signature: [UInt8] = []
        signature.reserveCapacity(64)
        let start = digits.startIndex
        for group in 0..<16 {
            guard let word = number(digits[start + group * 10..<start + group * 10 + 10]), word <= Int64(UInt32.max)
            else { return nil }
            for shift in [24, 16, 8, 0] { signature.append(UInt8(word >> Int64(shift) & 0xFF)) }
        }
        return signature
    }

    static func encode(_ signature: [UInt8]) -> String {
        var words = ""
        for group in 0..<16 {
            let bytes = signature.count == 64 ? signature[group * 4..<group * 4 + 4] : [0, 0, 0, 0]
            words += PassCode.padded(Int64(bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }), 10)
        }
        return words
    }
}
