/// Turns keyed digits into the PIN's keyed hash (HMAC-SHA-256 under the deployment's PIN key).
///
/// A keyed hash rather than scrypt: doors compare and look up PINs in microseconds, and a
/// 4–8 digit PIN has too few values for a slow hash to protect it anyway. The key is what
/// protects it: without the key the stored digests say nothing about the digits.
public struct PINHasher: Sendable {
    private let key: [UInt8]

    /// Why a PIN or a key was refused.
    public struct InvalidPIN: Error, Equatable, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { reason }
    }

    /// `key` must hold at least 16 bytes.
    public init(key: [UInt8]) throws {
        guard key.count >= 16 else {
            throw InvalidPIN(reason: "the PIN key must hold at least 16 bytes, got \(key.count)")
        }
        self.key = key
    }

    /// The 32-byte digest of `digits` (4 to 12 ASCII digits), what replicas store and doors
    /// compare (`PINDigest` in the domain model).
    public func digest(_ digits: String) throws -> [UInt8] {
        guard (4...12).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw InvalidPIN(reason: "a PIN is 4 to 12 digits")
        }
        // Domain-separated so the same key could never confuse a PIN digest with another MAC.
        return Digest.hmacSHA256(key: key, message: Array("portero-pin-v1:\(digits)".utf8))
    }
}
