/// HOTP (RFC 4226) and TOTP (RFC 6238) one-time passwords.
public struct OneTimePassword: Sendable, Equatable {
    /// The shared secret (the raw key bytes, not its base32 text).
    public let secret: [UInt8]
    public let digits: Int
    public let algorithm: Digest.Algorithm
    /// TOTP time step in seconds (X in RFC 6238).
    public let period: Int64
    /// TOTP epoch (T0 in RFC 6238).
    public let epoch: Int64

    public init(
        secret: [UInt8], digits: Int = 6, algorithm: Digest.Algorithm = .sha1, period: Int64 = 30, epoch: Int64 = 0
    ) throws {
        guard (6...10).contains(digits) else {
            throw CryptoError(operation: "OTP", detail: "digits must be 6 to 10, got \(digits)")
        }
        guard period > 0 else { throw CryptoError(operation: "OTP", detail: "period must be positive") }
        guard !secret.isEmpty else { throw CryptoError(operation: "OTP", detail: "empty secret") }
        self.secret = secret
        self.digits = digits
        self.algorithm = algorithm
        self.period = period
        self.epoch = epoch
    }

    /// HOTP value for `counter`, zero-padded to `digits` (RFC 4226 §5.3, dynamic truncation).
    public func hotp(counter: UInt64) -> String {
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) }
        let mac = Digest.hmac(algorithm, key: secret, message: message)
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = UInt64(binary) % modulus
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The TOTP time step containing `unixSeconds`.
    public func counter(at unixSeconds: Int64) -> UInt64 {
        let elapsed = unixSeconds - epoch
        return UInt64(max(0, elapsed.dividedRoundingDown(by: period)))
    }

    /// TOTP value at `unixSeconds`.
    public func totp(at unixSeconds: Int64) -> String {
        hotp(counter: counter(at: unixSeconds))
    }

    /// Checks `code` against the steps within `window` steps of `unixSeconds` (clock drift),
    /// skipping steps at or before `lastUsedCounter` so a code works only once.
    /// Returns the matching step, to be stored as the new `lastUsedCounter`.
    public func verify(_ code: String, at unixSeconds: Int64, window: Int = 1, lastUsedCounter: UInt64? = nil)
        -> UInt64?
    {
        guard code.count == digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let current = Int64(counter(at: unixSeconds))
        var match: UInt64?
        // Every candidate is computed and compared, so timing does not reveal which step matched.
        for delta in -Int64(window)...Int64(window) {
            let step = current + delta
            guard step >= 0 else { continue }
            if let last = lastUsedCounter, UInt64(step) <= last { continue }
            if constantTimeEquals(Array(hotp(counter: UInt64(step)).utf8), Array(code.utf8)), match == nil {
                match = UInt64(step)
            }
        }
        return match
    }
}

extension Int64 {
    /// Floor division (Swift's `/` truncates toward zero).
    func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

/// Base32 (RFC 4648 §6), the text form authenticator apps take for TOTP secrets.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes without padding, as `otpauth://` URIs carry it.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 0x1F)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes, ignoring case, spaces and padding; nil on any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for scalar in text.uppercased().unicodeScalars {
            if scalar == " " || scalar == "=" || scalar == "-" { continue }
            guard scalar.isASCII, let index = alphabet.firstIndex(of: UInt8(scalar.value)) else { return nil }
            buffer = (buffer << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}
