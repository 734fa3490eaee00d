import CCrypto

/// Hash functions and message authentication codes over libcrypto.
public enum Digest {
    /// A hash function libcrypto provides.
    public enum Algorithm: Sendable {
        case sha1
        case sha256
        case sha512

        var evp: OpaquePointer? {
            switch self {
            case .sha1: Self.fetched.sha1
            case .sha256: Self.fetched.sha256
            case .sha512: Self.fetched.sha512
            }
        }

        /// The implementations, looked up in libcrypto's providers once: `EVP_sha256()` and the
        /// like make every digest look its algorithm up again (a lock and a table search each
        /// time, on every signed-in request). Fetched objects may be shared between threads.
        nonisolated(unsafe) private static let fetched = (
            sha1: EVP_MD_fetch(nil, "SHA1", nil) ?? EVP_sha1(),
            sha256: EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256(),
            sha512: EVP_MD_fetch(nil, "SHA512", nil) ?? EVP_sha512()
        )

        /// Output length in bytes.
        public var byteCount: Int {
            switch self {
            case .sha1: 20
            case .sha256: 32
            case .sha512: 64
            }
        }
    }

    /// SHA-256 of `data` (FIPS 180-4).
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        hash(.sha256, data)
    }

    /// The hash of `data` under `algorithm`.
    public static func hash(_ algorithm: Algorithm, _ data: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        let bytes = Array(data)
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, algorithm.evp, nil)
        }
        // EVP_Digest fails only on allocation failure or an unavailable algorithm; both are
        // conditions of the process, not of the input, so the fixed-size result stays defined.
        precondition(ok == 1 && Int(length) == algorithm.byteCount, "libcrypto EVP_Digest failed")
        return output
    }

    /// HMAC (RFC 2104) of `message` under `key`.
    public static func hmac(_ algorithm: Algorithm, key: some Collection<UInt8>, message: some Collection<UInt8>)
        -> [UInt8]
    {
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        let result = keyBytes.withUnsafeBytes { k in
            messageBytes.withUnsafeBytes { m in
                // A zero-length key or message still needs a valid pointer.
                HMAC(
                    algorithm.evp, k.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(k.count),
                    m.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1), m.count,
                    &output, &length)
            }
        }
        precondition(result != nil && Int(length) == algorithm.byteCount, "libcrypto HMAC failed")
        return output
    }

    /// HMAC-SHA-256 of `message` under `key`.
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        hmac(.sha256, key: key, message: message)
    }

    /// HMAC-SHA-1 of `message` under `key` (HOTP and TOTP default to it).
    public static func hmacSHA1(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        hmac(.sha1, key: key, message: message)
    }
}

/// Equality that takes the same time whatever the contents, so a comparison of secrets
/// (tokens, MACs, password hashes) leaks nothing through timing (`CRYPTO_memcmp`).
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    // The lengths of the values compared here are public (fixed-size digests).
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in
        b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
    }
}
