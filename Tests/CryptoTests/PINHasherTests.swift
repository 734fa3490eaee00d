import Crypto
import Testing

@Suite struct PINHasherTests {
    let hasher = try! PINHasher(key: Array(repeating: 7, count: 32))  // safe: a 32-byte key

    @Test func sameKeySameDigestOtherKeyOtherDigest() throws {
        let other = try PINHasher(key: Array(repeating: 8, count: 32))
        #expect(try hasher.digest("1234") == hasher.digest("1234"))
        #expect(try hasher.digest("1234") != hasher.digest("1235"))
        #expect(try hasher.digest("1234") != other.digest("1234"))
        #expect(try hasher.digest("1234").count == 32)
    }

    @Test(arguments: ["", "123", "1234567890123", "12a4", "１２３４", "12 34"])
    func rejectsWhatIsNotAPIN(pin: String) {
        #expect(throws: PINHasher.InvalidPIN.self) { try hasher.digest(pin) }
    }

    @Test func rejectsAShortKey() {
        #expect(throws: PINHasher.InvalidPIN.self) { try PINHasher(key: [1, 2, 3]) }
    }
}
