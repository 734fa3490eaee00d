import Foundation
import Testing
@testable import HTTP

@Suite struct JSONBytesEncoderTests {
    /// Foundation's encoder configured as `HTTPResponse.json` was before: the reference.
    static func foundation<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func ours<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONBytesEncoder.encode(value), as: UTF8.self)
    }

    struct Inner: Codable, Equatable {
        var zeta: Int
        var alpha: String
        var middle: [Int]
    }

    struct Outer: Codable, Equatable {
        var name: String
        var id: Int64
        var inner: Inner
        var list: [Inner]
        var missing: String?
        var present: String?
        var flag: Bool
        var ratio: Double
        var byName: [String: Int]
        var byNumber: [Int: String]
        var nested: [[String: [Int?]]]
    }

    static let sample = Outer(
        name: "Ana Pérez \"la jefa\" \\ a/b\ttab\nnewline 🏋️", id: 9_007_199_254_740_993,
        inner: Inner(zeta: -1, alpha: "", middle: []),
        list: [Inner(zeta: 1, alpha: "x", middle: [1, 2, 3]), Inner(zeta: Int.min, alpha: "y", middle: [Int.max])],
        missing: nil, present: "sí", flag: true, ratio: 0.25,
        byName: ["b": 2, "a": 1, "c": 3, "aa": 11, "B": 0, "é": 5],
        byNumber: [10: "ten", 2: "two", 1: "one"],
        nested: [["z": [1, nil, 3], "a": []], [:]])

    @Test func writesWhatFoundationWritesForStructsArraysDictionariesAndOptionals() throws {
        #expect(try Self.ours(Self.sample) == Self.foundation(Self.sample))
        let decoded = try JSONDecoder().decode(Outer.self, from: Data(try JSONBytesEncoder.encode(Self.sample)))
        #expect(decoded == Self.sample)
    }

    @Test func keysAreInByteOrderWhateverOrderTheTypeDeclares() throws {
        let text = try Self.ours(Inner(zeta: 1, alpha: "a", middle: [2]))
        #expect(text == #"{"alpha":"a","middle":[2],"zeta":1}"#)
        // Already in order: written as it comes, no reordering pass.
        struct Ordered: Encodable {
            let a = 1
            let b = [true, false]
            let c: String? = nil
        }
        #expect(try Self.ours(Ordered()) == #"{"a":1,"b":[true,false]}"#)
        // Byte order, as Swift's own comparison of UTF-8 views: prefixes first, empty first, non-ASCII last.
        let keys = ["", "a", "ab", "b", "B", "é", "e", "ea", "z\u{0}", "z"]
        for first in keys {
            for second in keys {
                #expect(
                    JSONSink.precedes(first, second) == first.utf8.lexicographicallyPrecedes(second.utf8),
                    "\(first) \(second)")
            }
        }
        let dictionary = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, $0.offset) })
        #expect(try Self.ours(dictionary) == (try Self.foundation(dictionary)))
    }

    @Test func numbersAreExactOrShortest() throws {
        let doubles: [Double] = [
            0, 3, -2.25, 0.1, 1e20, 123_456.789, 1e-7, -0.5, 4_503_599_627_370_496.5, 1e15, 1e16, -9.5e15,
            123_456_789_012.5,
        ]
        #expect(try Self.ours(doubles) == Self.foundation(doubles))
        let integers: [Int64] = [0, -1, 10, Int64.max, Int64.min]
        #expect(try Self.ours(integers) == "[0,-1,10,9223372036854775807,-9223372036854775808]")
        #expect(try Self.ours([UInt64.max, 0]) == "[18446744073709551615,0]")
        #expect(try Self.ours([Int8.min, 7]) == "[-128,7]")
    }

    @Test func listsOfStringsAndNumbersTakeTheShortPathWithTheSameBytes() throws {
        struct Lists: Encodable {
            let names = ["b\"q", "", "ñ"]
            let ids: [Int64] = [3, -1]
            let counts: [Int] = []
            let nested = [["x"], []]
        }
        #expect(try Self.ours(Lists()) == Self.foundation(Lists()))
        #expect(try Self.ours(["a", "b"]) == #"["a","b"]"#)
    }

    @Test func nonFiniteNumbersAreRefused() {
        #expect(throws: EncodingError.self) { try JSONBytesEncoder.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONBytesEncoder.encode(["x": Double.infinity]) }
    }

    @Test func controlCharactersAreEscapedAndReadBack() throws {
        let text = "a\u{0}b\u{1}c\u{1F}d\u{7F}e\u{8}\u{C}\r\"\\/"
        let bytes = try JSONBytesEncoder.encode([text])
        #expect(String(decoding: bytes, as: UTF8.self) == #"["a\u0000b\u0001c\u001fd"# + "\u{7F}" + #"e\b\f\r\"\\/"]"#)
        #expect(try JSONDecoder().decode([String].self, from: Data(bytes)) == [text])
    }

    @Test func datesDataAndURLsAsFoundationWritesThem() throws {
        struct Things: Codable, Equatable {
            let when: Date
            let before: Date
            let blob: Data
            let link: URL
        }
        let things = Things(
            when: Date(timeIntervalSince1970: 1_795_413_906.75), before: Date(timeIntervalSince1970: -86_401),
            blob: Data([0, 1, 2, 250, 255]), link: URL(string: "https://club.mx/a?b=c")!)
        #expect(try Self.ours(things) == Self.foundation(things))
        #expect(try Self.ours(things).contains(#""when":"2026-11-23T"#))
        // 2000-02-29, 2100-02-28 23:59:59, 1582-10-15
        for seconds in [0.0, 951_782_400, 4_107_542_399, -12_219_292_800] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(try Self.ours([date]) == Self.foundation([date]))
        }
    }

    /// Hand-written coding with nested containers and super encoders, which write beside their
    /// parent container rather than inside it.
    struct Handmade: Encodable {
        enum Keys: String, CodingKey { case zone, address, tags, base }
        enum AddressKeys: String, CodingKey { case street, city }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var address = container.nestedContainer(keyedBy: AddressKeys.self, forKey: .address)
            try container.encode("America/Tijuana", forKey: .zone)
            try address.encode("Reforma 1", forKey: .street)
            var tags = container.nestedUnkeyedContainer(forKey: .tags)
            try tags.encode("gym")
            var inner = tags.nestedContainer(keyedBy: AddressKeys.self)
            try inner.encode("CDMX", forKey: .city)
            try tags.encode(42)
            try address.encode("Ciudad de México", forKey: .city)
            try Inner(zeta: 2, alpha: "b", middle: [1]).encode(to: container.superEncoder(forKey: .base))
            var single = container.superEncoder().singleValueContainer()
            try single.encode(7)
        }
    }

    @Test func nestedContainersAndSuperEncodersAreSplicedIntoPlace() throws {
        #expect(try Self.ours(Handmade()) == Self.foundation(Handmade()))
    }

    @Test func singleValuesAndEmptyValues() throws {
        struct Wrapped: Encodable {
            let value: Int
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(value)
            }
        }
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(try Self.ours([Wrapped(value: 5)]) == "[5]")
        #expect(try Self.ours(["a": Nothing()]) == Self.foundation(["a": Nothing()]))
        #expect(try Self.ours("top") == #""top""#)
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(1)
                try container.encode(2)
            }
        }
        #expect(throws: EncodingError.self) { try JSONBytesEncoder.encode([Twice()]) }
    }

    @Test func responsesUseIt() throws {
        let response = HTTPResponse.json(Inner(zeta: 1, alpha: "a/b", middle: []))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"alpha":"a/b","middle":[],"zeta":1}"#)
        #expect(HTTPResponse.json([Double.nan]).status == 500)
    }
}
