import PorteroModel
import Readers
import Testing

@Suite struct EvdevKeyMapTests {
    @Test func digitRowKeypadEnterAndHexLetters() {
        var map = EvdevKeyMap()
        #expect(map.key(code: 2, value: 1) == .character("1"))
        #expect(map.key(code: 11, value: 1) == .character("0"))
        #expect(map.key(code: 82, value: 1) == .character("0"))
        #expect(map.key(code: 73, value: 1) == .character("9"))
        #expect(map.key(code: 28, value: 1) == .enter)
        #expect(map.key(code: 96, value: 1) == .enter)
        #expect(map.key(code: 30, value: 1) == .character("A"))
        #expect(map.key(code: 55, value: 1) == .star)
    }

    @Test func releasesAndAutorepeatProduceNothing() {
        var map = EvdevKeyMap()
        #expect(map.key(code: 2, value: 0) == nil)
        #expect(map.key(code: 2, value: 2) == nil)
    }

    @Test func shiftGivesHashAndStarAndKeepsLettersUpperCase() {
        var map = EvdevKeyMap()
        _ = map.key(code: 42, value: 1)
        #expect(map.key(code: 4, value: 1) == .hash)
        #expect(map.key(code: 9, value: 1) == .star)
        #expect(map.key(code: 30, value: 1) == .character("A"))
        #expect(map.key(code: 2, value: 1) == nil)  // '!' is nothing a reader sends
        _ = map.key(code: 42, value: 0)
        #expect(map.key(code: 4, value: 1) == .character("3"))
    }
}

@Suite struct WedgeAssemblerTests {
    func type(_ text: String, into wedge: inout WedgeAssembler, start: Int64 = 0, spacing: Int64 = 10) -> [Result<
        Scan, ReadRejection
    >] {
        var out: [Result<Scan, ReadRejection>] = []
        for (index, character) in text.enumerated() {
            let key: KeyInput = character == "\n" ? .enter : .character(character)
            if let result = wedge.key(key, at: .milliseconds(start + Int64(index) * spacing)) { out.append(result) }
        }
        return out
    }

    @Test func digitsThenEnterMakeACard() throws {
        var wedge = WedgeAssembler()
        let out = type("0012345670\n", into: &wedge)
        #expect(out.count == 1)
        #expect(try out[0].get().card?.credential == CardNumber(rawValue: 12_345_670))
        #expect(try out[0].get().card?.format == .wedge)
    }

    @Test func hexadecimalReaders() throws {
        var wedge = WedgeAssembler(base: .hexadecimal)
        #expect(try type("BC6146\n", into: &wedge)[0].get().card?.number == 0xBC6146)
    }

    @Test func aPauseDiscardsWhatWasTyped() throws {
        var wedge = WedgeAssembler(interKeyTimeoutMilliseconds: 100)
        _ = type("123", into: &wedge)
        let out = type("456\n", into: &wedge, start: 1_000)
        #expect(out.first == .failure(.truncatedFrame(received: 3)))
        #expect(try out.last?.get().card?.number == 456)
    }

    @Test func tooManyDigitsOrForeignKeysAreRejected() throws {
        var wedge = WedgeAssembler(maximumLength: 20)
        let out = type(String(repeating: "9", count: 25) + "\n", into: &wedge, spacing: 1)
        #expect(out.contains(.failure(.badDigits("more than 20 characters"))))
        var hex = WedgeAssembler(base: .decimal)
        #expect(type("12A4\n", into: &hex) == [.failure(.badDigits("12A4"))])
        // Longer than a pass: the line's tail is never read as a card number.
        var long = WedgeAssembler()
        let tail = type(String(repeating: "7", count: 197) + "12345678\n", into: &long, spacing: 1)
        #expect(tail == [.failure(.badDigits("more than 196 characters")), .failure(.truncatedFrame(received: 0))])
        #expect(try type("42\n", into: &long, start: 1_000).first?.get().card?.number == 42)
    }

    @Test func aThousandKeysASecondNeverCrash() {
        var wedge = WedgeAssembler()
        var generator = SplitMix64(seed: 3)
        let keys: [KeyInput] = [.enter, .star, .hash, .backspace] + Array("0123456789ABCDEF").map { .character($0) }
        var cards = 0
        for index in 0..<10_000 {
            if case .success = wedge.key(
                keys[Int(generator.next() % UInt64(keys.count))], at: .milliseconds(Int64(index)))
            {
                cards += 1
            }
        }
        #expect(cards > 0)
    }
}

@Suite struct PINEntryTests {
    func press(_ keys: String, into entry: inout PINEntry, start: Int64 = 0) -> [PINEntry.Outcome] {
        keys.enumerated().compactMap { index, character in
            let key: KeyInput = character == "#" ? .hash : character == "*" ? .star : .character(character)
            return entry.key(key, at: .milliseconds(start + Int64(index) * 300))
        }
    }

    @Test func hashSubmits() {
        var entry = PINEntry()
        #expect(press("2468#", into: &entry) == [.submitted("2468")])
    }

    @Test func starClears() {
        var entry = PINEntry()
        #expect(press("99*2468#", into: &entry) == [.cleared, .submitted("2468")])
    }

    @Test func tooShortOrTooLongIsRejected() {
        var entry = PINEntry(minimumDigits: 4, maximumDigits: 6)
        #expect(press("12#", into: &entry) == [.rejected("fewer than 4 digits")])
        #expect(press("1234567", into: &entry) == [.rejected("more than 6 digits")])
    }

    @Test func aPauseClears() {
        var entry = PINEntry(interKeyTimeoutMilliseconds: 5_000)
        _ = press("12", into: &entry)
        #expect(entry.count == 2)
        #expect(entry.poll(.milliseconds(6_000)) == .cleared)
        #expect(entry.count == 0)
        #expect(press("3456#", into: &entry, start: 7_000) == [.submitted("3456")])
    }
}

@Suite struct CardThenPINTests {
    let card = CardRead(format: .em4100, bits: 40, facility: 0, number: 42, credential: CardNumber(rawValue: 42))

    @Test func pinWithinTheWindowPairs() {
        var collector = CardThenPIN(windowMilliseconds: 10_000)
        #expect(collector.card(card, at: .milliseconds(0)) == nil)
        #expect(collector.isWaiting)
        #expect(collector.pin("2468", at: .milliseconds(9_000)) == .cardWithPIN(.card(card), "2468"))
        #expect(!collector.isWaiting)
    }

    @Test func windowClosingDecidesTheCardAlone() {
        var collector = CardThenPIN(windowMilliseconds: 10_000)
        _ = collector.card(card, at: .milliseconds(0))
        #expect(collector.poll(.milliseconds(10_000)) == nil)
        #expect(collector.poll(.milliseconds(10_001)) == .cardWithoutPIN(.card(card)))
        #expect(collector.pin("2468", at: .milliseconds(10_002)) == nil)
    }

    @Test func aSecondCardFlushesTheFirst() {
        var collector = CardThenPIN()
        let other = CardRead(format: .em4100, bits: 40, facility: 0, number: 7, credential: CardNumber(rawValue: 7))
        _ = collector.card(card, at: .milliseconds(0))
        #expect(collector.card(other, at: .milliseconds(100)) == .cardWithoutPIN(.card(card)))
        #expect(collector.pin("1111", at: .milliseconds(200)) == .cardWithPIN(.card(other), "1111"))
    }
}
