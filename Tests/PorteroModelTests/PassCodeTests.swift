import PorteroModel
import Testing

@Suite struct PassCodeTests {
    @Test func theCodeIsDigitsAndReadsBackWhole() throws {
        let signature = (0..<64).map { UInt8(truncatingIfNeeded: $0 * 37 + 255) }
        let code = PassCode(member: UserID(1_234), phone: PhoneID(56), issuedAt: 1_800_000_000, signature: signature)
        let text = code.text
        #expect(text.count == 196 && text.hasPrefix("71") && text.allSatisfy(\.isNumber))
        #expect(text.hasPrefix("71" + "000000001234" + "000000000056" + "1800000000"))
        #expect(PassCode(scanned: text) == code)
        #expect(code.message == Array(("portero-pass:" + text.prefix(36)).utf8))
        #expect(PassCode.looksLikePass(text) && !PassCode.looksLikePass("5551234"))
    }

    @Test func whatIsNotAPassIsNil() {
        let good = PassCode(
            member: UserID(1), phone: PhoneID(2), issuedAt: 3, signature: Array(repeating: 255, count: 64))
        #expect(PassCode(scanned: "5551234") == nil)
        #expect(PassCode(scanned: "72" + good.text.dropFirst(2)) == nil)
        #expect(PassCode(scanned: good.text.dropLast()) == nil)
        #expect(PassCode(scanned: good.text.dropLast() + "a") == nil)
        // A 10-digit group above 2^32 - 1 is no signature word.
        #expect(PassCode(scanned: good.text.prefix(36) + "9999999999" + good.text.dropFirst(46)) == nil)
    }

    @Test func theWindowIsThirtySecondsBackAndTenAhead() {
        let code = PassCode(member: UserID(1), phone: PhoneID(2), issuedAt: 1_000, signature: [])
        #expect(code.timing(at: Timestamp(seconds: 1_000)) == .current)
        #expect(code.timing(at: Timestamp(seconds: 1_030)) == .current)
        #expect(code.timing(at: Timestamp(seconds: 1_031)) == .expired)
        #expect(code.timing(at: Timestamp(seconds: 990)) == .current)
        #expect(code.timing(at: Timestamp(seconds: 989)) == .early)
    }
}
