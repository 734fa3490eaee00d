import Crypto
import Testing

@Suite struct OneTimePasswordTests {
    static let rfcSecret = Array("12345678901234567890".utf8)

    // RFC 4226 Appendix D: HOTP values for counts 0 to 9.
    @Test func rfc4226AppendixD() throws {
        let otp = try OneTimePassword(secret: Self.rfcSecret, digits: 6)
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
        ]
        #expect((0..<10).map { otp.hotp(counter: UInt64($0)) } == expected)
    }

    // RFC 6238 Appendix B: 8-digit TOTP with SHA-1, SHA-256 and SHA-512 seeds.
    @Test(arguments: [
        (
            Digest.Algorithm.sha1, "12345678901234567890",
            ["94287082", "07081804", "14050471", "89005924", "69279037", "65353130"]
        ),
        (
            .sha256, "12345678901234567890123456789012",
            ["46119246", "68084774", "67062674", "91819424", "90698825", "77737706"]
        ),
        (
            .sha512, "1234567890123456789012345678901234567890123456789012345678901234",
            ["90693936", "25091201", "99943326", "93441116", "38618901", "47863826"]
        ),
    ])
    func rfc6238AppendixB(algorithm: Digest.Algorithm, seed: String, expected: [String]) throws {
        let otp = try OneTimePassword(secret: Array(seed.utf8), digits: 8, algorithm: algorithm)
        let times: [Int64] = [59, 1_111_111_109, 1_111_111_111, 1_234_567_890, 2_000_000_000, 20_000_000_000]
        #expect(times.map { otp.totp(at: $0) } == expected)
    }

    @Test func verifyAcceptsOneStepOfDriftAndReturnsTheStep() throws {
        let otp = try OneTimePassword(secret: Self.rfcSecret)
        let now: Int64 = 1_234_567_890
        let previous = otp.totp(at: now - 30)
        #expect(otp.verify(previous, at: now) == otp.counter(at: now) - 1)
        #expect(otp.verify(otp.totp(at: now - 90), at: now) == nil)
    }

    @Test func verifyRefusesACodeAlreadyUsed() throws {
        let otp = try OneTimePassword(secret: Self.rfcSecret)
        let now: Int64 = 1_234_567_890
        let code = otp.totp(at: now)
        let step = try #require(otp.verify(code, at: now))
        #expect(otp.verify(code, at: now, lastUsedCounter: step) == nil)
    }

    @Test(arguments: ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
    func verifyRejectsMalformedCodes(code: String) throws {
        let otp = try OneTimePassword(secret: Self.rfcSecret)
        #expect(otp.verify(code, at: 59) == nil)
    }

    @Test func rejectsBadParameters() {
        #expect(throws: CryptoError.self) { try OneTimePassword(secret: [], digits: 6) }
        #expect(throws: CryptoError.self) { try OneTimePassword(secret: [1], digits: 5) }
        #expect(throws: CryptoError.self) { try OneTimePassword(secret: [1], period: 0) }
    }

    @Test func base32RoundTripsRFC4648Vectors() {
        // RFC 4648 §10, without padding.
        let vectors = [
            ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.decode("mzxw 6ytb oi==") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
    }
}
