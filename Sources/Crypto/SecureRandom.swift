import CCrypto

/// Random bytes from libcrypto's CSPRNG (`RAND_bytes`), seeded by the kernel.
public enum SecureRandom {
    /// `count` unpredictable bytes.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw CryptoError(operation: "RAND_bytes", detail: "negative length \(count)") }
        var output = [UInt8](repeating: 0, count: count)
        if count == 0 { return output }
        guard RAND_bytes(&output, Int32(count)) == 1 else { throw CryptoError.fromLibcrypto("RAND_bytes") }
        return output
    }
}
