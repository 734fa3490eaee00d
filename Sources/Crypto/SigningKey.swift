import CCrypto

/// A P-256 private key made here, and the one operation it serves: signing SHA-256 of a message,
/// the signature as JOSE and WebCrypto write it (r ‖ s, 32 bytes each). A phone makes its pass key
/// in the browser; this one signs what the core issues and what tests and the benchmark present.
public final class SigningKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is never changed after it is made; libcrypto signs with one key
    // from several threads at once.
    private let key: OpaquePointer

    private init(key: OpaquePointer) { self.key = key }

    deinit { EVP_PKEY_free(key) }

    /// A new random P-256 key.
    public static func p256() throws(CryptoError) -> SigningKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw .fromLibcrypto("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
            EVP_PKEY_generate(context, &key) == 1, let key
        else { throw .fromLibcrypto("EVP_PKEY_generate") }
        return SigningKey(key: key)
    }

    /// The key as DER (SEC 1 ECPrivateKey), to keep where only its owner reads it.
    public func der() throws(CryptoError) -> [UInt8] {
        let length = i2d_PrivateKey(key, nil)
        guard length > 0 else { throw .fromLibcrypto("i2d_PrivateKey") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PrivateKey(key, &cursor)
        }
        guard written == length else { throw .fromLibcrypto("i2d_PrivateKey") }
        return bytes
    }

    /// A P-256 key kept as `der()` wrote it.
    public static func p256(der: [UInt8]) throws(CryptoError) -> SigningKey {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw .fromLibcrypto("d2i_AutoPrivateKey") }
        let key = SigningKey(key: parsed)
        guard EVP_PKEY_get_bits(parsed) == 256, (try? key.publicCoordinates()) != nil else {
            throw CryptoError(operation: "P-256 key", detail: "the stored key is not a P-256 key")
        }
        return key
    }

    /// The public point's coordinates, 32 bytes each (a JWK's `x` and `y`).
    public func publicCoordinates() throws(CryptoError) -> (x: [UInt8], y: [UInt8]) {
        var point = [UInt8](repeating: 0, count: 65)
        var length = 0
        guard EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", &point, point.count, &length) == 1,
            length == 65, point[0] == 4
        else { throw .fromLibcrypto("EVP_PKEY_get_octet_string_param") }
        return (Array(point[1...32]), Array(point[33...64]))
    }

    /// The matching public key.
    public func publicKey() throws(CryptoError) -> PublicKey {
        let point = try publicCoordinates()
        return try PublicKey.p256(x: point.x, y: point.y)
    }

    /// The signature of SHA-256(`message`): r ‖ s, 32 bytes each.
    public func signSHA256(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .fromLibcrypto("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw .fromLibcrypto("EVP_DigestSignInit")
        }
        var der = [UInt8](repeating: 0, count: 80)
        var length = der.count
        let signed = message.withUnsafeBufferPointer { m in
            EVP_DigestSign(context, &der, &length, m.baseAddress ?? UnsafePointer(bitPattern: 1), m.count)
        }
        guard signed == 1 else { throw .fromLibcrypto("EVP_DigestSign") }
        return try Self.raw(Array(der[0..<length]))
    }

    /// DER `ECDSA-Sig-Value` as r ‖ s.
    static func raw(_ der: [UInt8]) throws(CryptoError) -> [UInt8] {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw .fromLibcrypto("d2i_ECDSA_SIG") }
        defer { ECDSA_SIG_free(parsed) }
        var r = [UInt8](repeating: 0, count: 32)
        var s = [UInt8](repeating: 0, count: 32)
        guard BN_bn2binpad(ECDSA_SIG_get0_r(parsed), &r, 32) == 32, BN_bn2binpad(ECDSA_SIG_get0_s(parsed), &s, 32) == 32
        else { throw .fromLibcrypto("BN_bn2binpad") }
        return r + s
    }
}
