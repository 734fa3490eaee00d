@testable import HTTP
import Testing

/// The decoder's word-at-a-time scans against the byte-by-byte rules they stand for.
@Suite struct DecoderScanTests {
    /// Bytes that sit at the edges of the rules (NUL, LF, CR, 13/14, SP, DEL, obs-text, 0xFF),
    /// in every position of a word, and random words.
    static func words() -> [UInt64] {
        let edges: [UInt8] = [0, 1, 9, 10, 12, 13, 14, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0x8D, 0xFF]
        var words: [UInt64] = []
        for edge in edges {
            for filler in [UInt8(0x41), 0x80, 0xFF, 0x20] {
                for position in 0..<8 {
                    var word = UInt64(0)
                    for index in 0..<8 { word |= UInt64(index == position ? edge : filler) << (8 * UInt64(index)) }
                    words.append(word)
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { words.append(generator.next()) }
        return words
    }

    static func bytes(_ word: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) } }

    @Test func aWordHasAByteBelowALimitExactlyWhenOneOfItsBytesIs() {
        for word in Self.words() {
            let bytes = Self.bytes(word)
            for limit: UInt8 in [1, 14, 0x20, 0x80] {
                #expect(HTTPRequestDecoder.hasByte(below: limit, word) == bytes.contains { $0 < limit })
            }
            #expect(HTTPRequestDecoder.hasByte(0x7F, word) == bytes.contains(0x7F))
        }
    }

    @Test func lineEndsAndFieldValuesAreFoundAsByteByByte() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("abcXYZ019 :;,-".utf8) + [9, 0x7F, 0x80, 0xC3, 0xA9, 0x1F, 0, 10, 13]
        for _ in 0..<5_000 {
            let length = Int(generator.next() % 40)
            // Mostly plain text, now and then one of the bytes the rules are about.
            var bytes = (0..<length).map { _ in
                generator.next() % 4 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(ascii: "a")
            }
            if generator.next() % 2 == 0 { bytes += [13, 10] }
            bytes.withUnsafeBufferPointer { buffer in
                let start = Int(generator.next() % UInt64(buffer.count + 1))
                #expect(
                    Self.outcome { try HTTPRequestDecoder.line(in: buffer, from: start) }
                        == Self.outcome { try Self.lineByteByByte(buffer, start) })
                let end = start + Int(generator.next() % UInt64(buffer.count - start + 1))
                let allowed = buffer[start..<end].allSatisfy { $0 == 9 || ($0 >= 0x20 && $0 != 0x7F) }
                #expect(HTTPRequestDecoder.isFieldValue(buffer, start..<end) == allowed)
            }
        }
    }

    /// The one-pass survey of a target against its definition: the first `?`, any `#`, and a
    /// path with no `%`, no backslash and no `.` or `..` segment.
    @Test func aTargetsSurveyMatchesItsDefinition() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("/./a%\\?#.".utf8)
        for _ in 0..<20_000 {
            let target =
                [UInt8(ascii: "/")]
                + (0..<Int(generator.next() % 12)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let mark = target.firstIndex(of: UInt8(ascii: "?")) ?? target.count
            let path = target[..<mark]
            let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            let dotSegment = segments.contains { Array($0) == Array(".".utf8) || Array($0) == Array("..".utf8) }
            let plain = !path.contains(UInt8(ascii: "%")) && !path.contains(UInt8(ascii: "\\")) && !dotSegment
            let fragment = target.contains(UInt8(ascii: "#"))
            target.withUnsafeBufferPointer { bytes in
                let survey = HTTPRequestDecoder.survey(bytes)
                #expect(survey.fragment == fragment, "\(String(decoding: target, as: UTF8.self))")
                if !fragment {
                    #expect(survey.mark == mark && survey.plain == plain, "\(String(decoding: target, as: UTF8.self))")
                }
            }
        }
    }

    static func outcome(_ body: () throws -> Range<Int>?) -> String {
        do { return "\(String(describing: try body()))" } catch {
            return (error as? HTTPParseError)?.rule ?? "\(error)"
        }
    }

    /// RFC 9112's line rules, one byte at a time.
    static func lineByteByByte(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) throws(HTTPParseError) -> Range<Int>?
    {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 10: throw HTTPParseError(status: 400, rule: "bare-lf")
            case 13:
                guard index + 1 < bytes.count else { return nil }
                guard bytes[index + 1] == 10 else { throw HTTPParseError(status: 400, rule: "bare-cr") }
                return start..<index
            case 0: throw HTTPParseError(status: 400, rule: "nul-byte")
            default: index += 1
            }
        }
        return nil
    }
}
