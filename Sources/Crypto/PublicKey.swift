import CCrypto

/// A public key built from its published numbers (a JSON Web Key's RSA `n`/`e` or P-256 `x`/`y`)
/// with OpenSSL 3's `EVP_PKEY_fromdata`, and the one operation it serves: checking a signature
/// over SHA-256 (RS256: RSASSA-PKCS1-v1_5; ES256: ECDSA on P-256, the signature as JOSE writes
/// it, r and s of 32 bytes each).
public final class PublicKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is never changed after it is made, and libcrypto allows a key to
    // be used by several threads at once for verification.
    private let key: OpaquePointer

    public enum Kind: Sendable, Equatable {
        case rsa
        case p256
    }

    public let kind: Kind

    private init(key: OpaquePointer, kind: Kind) {
        self.key = key
        self.kind = kind
    }

    deinit { EVP_PKEY_free(key) }

    /// An RSA public key from its modulus and exponent (big-endian). Keys under 2048 bits are refused.
    public static func rsa(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) -> PublicKey {
        let modulus = Array(modulus.drop { $0 == 0 })
        guard modulus.count * 8 >= 2048, modulus.count <= 2048, !exponent.isEmpty, exponent.count <= 8 else {
            throw CryptoError(operation: "RSA key", detail: "the modulus must have 2048 to 16384 bits")
        }
        // An odd exponent of at least 3: e = 1 would make every signature its own message.
        let significant = exponent.drop { $0 == 0 }
        guard let last = significant.last, last & 1 == 1, significant.count > 1 || last >= 3 else {
            throw CryptoError(operation: "RSA key", detail: "the public exponent must be odd and at least 3")
        }
        guard let n = BN_bin2bn(modulus, Int32(modulus.count), nil) else { throw .fromLibcrypto("BN_bin2bn") }
        defer { BN_free(n) }
        guard let e = BN_bin2bn(exponent, Int32(exponent.count), nil) else { throw .fromLibcrypto("BN_bin2bn") }
        defer { BN_free(e) }
        return try build(name: "RSA", kind: .rsa) { builder in
            OSSL_PARAM_BLD_push_BN(builder, name("n"), n) == 1 && OSSL_PARAM_BLD_push_BN(builder, name("e"), e) == 1
        }
    }

    /// A P-256 public key from its affine coordinates (32 bytes each).
    public static func p256(x: [UInt8], y: [UInt8]) throws(CryptoError) -> PublicKey {
        guard x.count == 32, y.count == 32 else {
            throw CryptoError(operation: "P-256 key", detail: "x and y must be 32 bytes each")
        }
        // The builder keeps pointers to the values too, until it makes the parameters.
        let point = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 65)
        defer { point.deallocate() }
        _ = point.initialize(from: [0x04] + x + y)
        let key = try build(name: "EC", kind: .p256) { builder in
            OSSL_PARAM_BLD_push_utf8_string(builder, name("group"), name("prime256v1"), 0) == 1
                && OSSL_PARAM_BLD_push_octet_string(builder, name("pub"), point.baseAddress, point.count) == 1
        }
        // A point off the curve (or the point at infinity) is no key: a client sent it.
        guard let check = EVP_PKEY_CTX_new_from_pkey(nil, key.key, nil) else {
            throw .fromLibcrypto("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(check) }
        guard EVP_PKEY_public_check(check) == 1 else {
            ERR_clear_error()
            throw CryptoError(operation: "P-256 key", detail: "the point is not on the curve")
        }
        return key
    }

    /// A parameter's name for the builder, which keeps the pointer (not a copy) until it makes
    /// the parameters: a static string's bytes, never a temporary of Swift's.
    private static func name(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func build(name keyType: StaticString, kind: Kind, _ push: (OpaquePointer) -> Bool)
        throws(CryptoError)
        -> PublicKey
    {
        guard let builder = OSSL_PARAM_BLD_new() else { throw .fromLibcrypto("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let params = OSSL_PARAM_BLD_to_param(builder) else {
            throw .fromLibcrypto("OSSL_PARAM_BLD_push")
        }
        defer { OSSL_PARAM_free(params) }
        // The context keeps the key type's pointer: a static string's bytes, like the names above.
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name(keyType), nil) else {
            throw .fromLibcrypto("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &key, portero_evp_pkey_public_key_selection(), params) == 1, let key
        else { throw .fromLibcrypto("EVP_PKEY_fromdata") }
        return PublicKey(key: key, kind: kind)
    }

    /// True when `signature` is this key's signature of SHA-256(`message`).
    public func verifySHA256(signature: [UInt8], message: [UInt8]) -> Bool {
        switch kind {
        case .rsa: return verify(signature, message)
        case .p256:
            guard let der = Self.derSignature(signature) else { return false }
            return verify(der, message)
        }
    }

    private func verify(_ signature: [UInt8], _ message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in
                EVP_DigestVerify(
                    context, s.baseAddress, s.count, m.baseAddress ?? UnsafePointer(bitPattern: 1), m.count)
            }
        }
        ERR_clear_error()
        return result == 1
    }

    /// JOSE's r ‖ s (32 bytes each) as the DER `ECDSA-Sig-Value` libcrypto checks; nil when not 64 bytes.
    static func derSignature(_ raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let r = BN_bin2bn(Array(raw[0..<32]), 32, nil) else { return nil }
        guard let s = BN_bin2bn(Array(raw[32..<64]), 32, nil) else {
            BN_free(r)
            return nil
        }
        // ECDSA_SIG_set0 takes both numbers.
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? der : nil
    }
}
