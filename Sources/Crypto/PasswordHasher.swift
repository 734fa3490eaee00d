import CCrypto
import Foundation

/// scrypt (RFC 7914) over libcrypto's `EVP_PBE_scrypt`.
public enum Scrypt {
    /// Derives `length` bytes from `password` and `salt` with cost `n` (a power of two),
    /// block size `r` and parallelism `p`.
    public static func derive(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) throws
        -> [UInt8]
    {
        guard n > 1, n & (n - 1) == 0 else {
            throw CryptoError(operation: "scrypt", detail: "N must be a power of two greater than 1, got \(n)")
        }
        guard r > 0, p > 0, length > 0 else {
            throw CryptoError(operation: "scrypt", detail: "r, p and length must be positive")
        }
        // Memory is 128·r·(N + p) bytes plus slack; libcrypto refuses above maxmem (32 MiB by default).
        let (product, overflow) = UInt64(128).multipliedReportingOverflow(by: r &* (n &+ p &+ 2))
        guard !overflow, product <= 1 << 31 else {
            throw CryptoError(operation: "scrypt", detail: "parameters need more than 2 GiB")
        }
        var output = [UInt8](repeating: 0, count: length)
        // libcrypto wants a char pointer for the password; an empty one still needs a valid address.
        let passwordChars = password.map { CChar(bitPattern: $0) } + [0]
        let ok = passwordChars.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                EVP_PBE_scrypt(
                    pw.baseAddress, password.count,
                    s.baseAddress ?? UnsafePointer(bitPattern: 1), s.count,
                    n, r, p, product + (1 << 20), &output, length)
            }
        }
        guard ok == 1 else { throw CryptoError.fromLibcrypto("EVP_PBE_scrypt") }
        return output
    }
}

/// Password hashing with scrypt in a self-describing string:
/// `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64 without padding, as in the PHC string format),
/// so stored hashes keep verifying after the defaults are raised, and can be re-hashed at next login.
public struct PasswordHasher: Sendable, Equatable {
    /// log2 of the CPU/memory cost N.
    public var logN: UInt8
    public var r: UInt32
    public var p: UInt32
    public var saltLength: Int
    public var hashLength: Int

    /// Defaults: N = 2^15, r = 8, p = 1 (32 MiB, about 50-100 ms on a small server).
    public init(logN: UInt8 = 15, r: UInt32 = 8, p: UInt32 = 1, saltLength: Int = 16, hashLength: Int = 32) {
        self.logN = logN
        self.r = r
        self.p = p
        self.saltLength = saltLength
        self.hashLength = hashLength
    }

    /// A stored hash, parsed.
    public struct Encoded: Equatable, Sendable {
        public var logN: UInt8
        public var r: UInt32
        public var p: UInt32
        public var salt: [UInt8]
        public var hash: [UInt8]
    }

    /// Hashes `password` with a fresh random salt.
    public func hash(_ password: String) throws -> String {
        let salt = try SecureRandom.bytes(saltLength)
        let derived = try Scrypt.derive(
            password: Array(password.utf8), salt: salt, n: 1 << UInt64(logN), r: UInt64(r), p: UInt64(p),
            length: hashLength)
        return Self.encode(Encoded(logN: logN, r: r, p: p, salt: salt, hash: derived))
    }

    /// True when `password` matches `stored`. A malformed `stored` throws, it never matches.
    public func verify(_ password: String, against stored: String) throws -> Bool {
        let encoded = try Self.decode(stored)
        let derived = try Scrypt.derive(
            password: Array(password.utf8), salt: encoded.salt, n: 1 << UInt64(encoded.logN), r: UInt64(encoded.r),
            p: UInt64(encoded.p), length: encoded.hash.count)
        return constantTimeEquals(derived, encoded.hash)
    }

    /// True when `stored` was made with other parameters than this hasher's: re-hash it after a successful login.
    public func needsRehash(_ stored: String) -> Bool {
        guard let encoded = try? Self.decode(stored) else { return true }
        return encoded.logN != logN || encoded.r != r || encoded.p != p || encoded.hash.count != hashLength
            || encoded.salt.count != saltLength
    }

    public static func encode(_ e: Encoded) -> String {
        "$scrypt$ln=\(e.logN),r=\(e.r),p=\(e.p)$\(base64NoPad(e.salt))$\(base64NoPad(e.hash))"
    }

    public static func decode(_ text: String) throws -> Encoded {
        func bad(_ why: String) -> CryptoError { CryptoError(operation: "password hash", detail: why) }
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { throw bad("not a $scrypt$ string") }
        var values: [Substring: UInt64] = [:]
        for item in parts[2].split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = UInt64(pair[1]) else { throw bad("bad parameter '\(item)'") }
            values[pair[0]] = value
        }
        guard values.count == 3, let ln = values["ln"], let r = values["r"], let p = values["p"],
            (1...30).contains(ln), (1...64).contains(r), (1...64).contains(p)
        else {
            throw bad("parameters must be ln (1-30), r (1-64) and p (1-64)")
        }
        guard let salt = unbase64(parts[3]), let hash = unbase64(parts[4]), !salt.isEmpty, hash.count >= 16 else {
            throw bad("salt or hash is not valid base64")
        }
        return Encoded(logN: UInt8(ln), r: UInt32(r), p: UInt32(p), salt: salt, hash: hash)
    }

    static func base64NoPad(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func unbase64(_ text: Substring) -> [UInt8]? {
        var padded = String(text)
        guard !padded.contains("=") else { return nil }
        while padded.count % 4 != 0 { padded.append("=") }
        return Data(base64Encoded: padded).map(Array.init)
    }
}
