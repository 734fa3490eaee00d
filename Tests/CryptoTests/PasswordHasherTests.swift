import Crypto
import Testing

@Suite struct ScryptTests {
    // RFC 7914 §12 test vectors.
    @Test(arguments: [
        (
            "", "", UInt64(16), UInt64(1), UInt64(1),
            """
            77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442\
            fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906
            """
        ),
        (
            "password", "NaCl", UInt64(1024), UInt64(8), UInt64(16),
            """
            fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162\
            2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640
            """
        ),
        (
            "pleaseletmein", "SodiumChloride", UInt64(16384), UInt64(8), UInt64(1),
            """
            7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2\
            d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887
            """
        ),
    ])
    func rfc7914Vectors(password: String, salt: String, n: UInt64, r: UInt64, p: UInt64, expected: String) throws {
        let derived = try Scrypt.derive(
            password: Array(password.utf8), salt: Array(salt.utf8), n: n, r: r, p: p, length: 64)
        #expect(hex(derived) == expected)
    }

    @Test func rejectsCostThatIsNotAPowerOfTwo() {
        #expect(throws: CryptoError.self) {
            try Scrypt.derive(password: [1], salt: [1], n: 1000, r: 8, p: 1, length: 32)
        }
    }

    @Test func rejectsParametersNeedingTooMuchMemory() {
        #expect(throws: CryptoError.self) {
            try Scrypt.derive(password: [1], salt: [1], n: 1 << 30, r: 64, p: 1, length: 32)
        }
    }
}

@Suite struct PasswordHasherTests {
    // Small parameters keep the suite fast; the format and logic are the same as the defaults.
    let hasher = PasswordHasher(logN: 10, r: 8, p: 1)

    @Test func hashVerifiesTheRightPasswordOnly() throws {
        let stored = try hasher.hash("Secreto123")
        #expect(stored.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(try hasher.verify("Secreto123", against: stored))
        #expect(try !hasher.verify("secreto123", against: stored))
        #expect(try !hasher.verify("", against: stored))
    }

    @Test func sameSaltlessPasswordHashesDifferentlyEachTime() throws {
        #expect(try hasher.hash("Secreto123") != hasher.hash("Secreto123"))
    }

    @Test func storedHashKeepsVerifyingAfterDefaultsChange() throws {
        let stored = try hasher.hash("Secreto123")
        let stronger = PasswordHasher(logN: 11, r: 8, p: 1)
        #expect(try stronger.verify("Secreto123", against: stored))
        #expect(stronger.needsRehash(stored))
        #expect(!hasher.needsRehash(stored))
    }

    @Test(arguments: [
        "", "plain", "$bcrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA", "$scrypt$ln=10,r=8$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$scrypt$ln=99,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA", "$scrypt$ln=10,r=8,p=1$***$aGFzaGhhc2hoYXNoaGFzaA",
        "$scrypt$ln=10,r=8,p=1$c2FsdA$", "$scrypt$ln=10,r=8,p=1,x=2$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
    ])
    func malformedStoredHashIsAnErrorNotAMatch(stored: String) {
        #expect(throws: CryptoError.self) { try hasher.verify("anything", against: stored) }
        #expect(hasher.needsRehash(stored))
    }

    @Test func encodingRoundTrips() throws {
        let stored = try hasher.hash("Secreto123")
        let decoded = try PasswordHasher.decode(stored)
        #expect(PasswordHasher.encode(decoded) == stored)
        #expect(decoded.salt.count == 16 && decoded.hash.count == 32)
    }
}
