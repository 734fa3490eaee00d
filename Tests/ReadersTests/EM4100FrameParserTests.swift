import PorteroModel
import Readers
import Testing

let tag: [UInt8] = [0x1A, 0x00, 0xBC, 0x61, 0x46]
func ms(_ value: Int64) -> MonotonicInstant { .milliseconds(value) }

@Suite struct EM4100FrameParserTests {
    @Test func decodesAFrameToTheNumberPrintedOnTheCard() {
        var parser = EM4100FrameParser()
        let frame = EM4100FrameParser.frame(tag: tag)
        #expect(frame.count == 14 && frame.first == 0x02 && frame.last == 0x03)
        #expect(String(decoding: frame[1..<13], as: UTF8.self) == "1A00BC614681")  // checksum 1A^00^BC^61^46 = 81
        let events = parser.feed(frame, at: ms(0))
        #expect(
            events == [
                .card(
                    CardRead(
                        format: .em4100, bits: 40, facility: nil, number: 0x00BC6146,
                        credential: CardNumber(rawValue: 12_345_670)))
            ])
    }

    @Test func acceptsAnySplitOfTheBytes() {
        let stream = EM4100FrameParser.frame(tag: tag)
        for split in 1..<stream.count {
            var parser = EM4100FrameParser()
            let events = parser.feed(stream[..<split], at: ms(0)) + parser.feed(stream[split...], at: ms(1))
            #expect(events.count == 1, "split at \(split)")
        }
    }

    @Test func resynchronisesAfterGarbage() {
        var parser = EM4100FrameParser()
        let events = parser.feed(Array("garbage!".utf8) + EM4100FrameParser.frame(tag: tag), at: ms(0))
        #expect(events.count == 2)
        #expect(events.first == .rejected(.noise(byteCount: 8)))
        if case .card = events.last {} else { Issue.record("no card after the noise") }
    }

    @Test func rejectsABadChecksumAndKeepsGoing() {
        var parser = EM4100FrameParser()
        var bad = EM4100FrameParser.frame(tag: tag)
        bad[12] = UInt8(ascii: "E")  // checksum 81 becomes 8E
        let events = parser.feed(bad + EM4100FrameParser.frame(tag: [1, 2, 3, 4, 5]), at: ms(0))
        #expect(events.first == .rejected(.badChecksum(expected: 0x81, received: 0x8E)))
        #expect(events.count == 2)
    }

    @Test func halfFrameFollowedByANewStartIsTruncated() {
        var parser = EM4100FrameParser()
        let half = Array(EM4100FrameParser.frame(tag: tag).prefix(6))
        let events = parser.feed(half + EM4100FrameParser.frame(tag: tag), at: ms(0))
        #expect(events.first == .rejected(.truncatedFrame(received: 6)))
        #expect(events.count == 2)
    }

    @Test func invalidCharacterAndMissingEndAreRejected() {
        var parser = EM4100FrameParser()
        #expect(
            parser.feed([0x02] + Array("1A00ZC614681".utf8) + [0x03], at: ms(0)).first
                == .rejected(.invalidCharacter(UInt8(ascii: "Z"))))
        var frame = EM4100FrameParser.frame(tag: tag)
        frame[13] = 0x04
        var other = EM4100FrameParser()
        #expect(other.feed(frame, at: ms(0)) == [.rejected(.missingEnd(found: 0x04))])
    }

    @Test func aCardHeldOnTheReaderIsReportedOnce() {
        var parser = EM4100FrameParser(holdWindowMilliseconds: 500)
        let frame = EM4100FrameParser.frame(tag: tag)
        var cards = 0
        // Repeats every 100 ms for three seconds: one presentation.
        for t in stride(from: Int64(0), to: 3_000, by: 100) {
            cards += parser.feed(frame, at: ms(t)).count
        }
        #expect(cards == 1)
        // Taken away for longer than the hold window, then shown again: a second presentation.
        #expect(parser.feed(frame, at: ms(3_600)).count == 1)
        // Another card right away is reported at once.
        #expect(parser.feed(EM4100FrameParser.frame(tag: [1, 2, 3, 4, 5]), at: ms(3_650)).count == 1)
    }

    @Test func flushReportsPendingNoiseAndHalfFrames() {
        var parser = EM4100FrameParser()
        _ = parser.feed(Array("xx".utf8) + [0x02, 0x31], at: ms(0))
        #expect(parser.flush() == [.rejected(.truncatedFrame(received: 2))])
    }

    @Test func hexTextDecodesWithOrWithoutChecksum() throws {
        #expect(try EM4100FrameParser.decode(hex: "1A00BC6146").get().number == 0xBC6146)
        #expect(try EM4100FrameParser.decode(hex: "1A00BC614681").get().credential == CardNumber(rawValue: 12_345_670))
        #expect(throws: ReadRejection.badChecksum(expected: 0x81, received: 0x82)) {
            try EM4100FrameParser.decode(hex: "1A00BC614682").get()
        }
        #expect(throws: ReadRejection.self) { try EM4100FrameParser.decode(hex: "1A00BC61").get() }
        #expect(throws: ReadRejection.self) { try EM4100FrameParser.decode(hex: "1A00BC61XY").get() }
    }

    @Test func randomBytesNeverCrashAndCardsStillGetThrough() {
        var generator = SplitMix64(seed: 7)
        var parser = EM4100FrameParser(holdWindowMilliseconds: 0)
        var cards = 0
        for round in 0..<2_000 {
            let noise = (0..<Int(generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = parser.feed(noise, at: ms(Int64(round) * 10))
            for event in parser.feed(EM4100FrameParser.frame(tag: tag), at: ms(Int64(round) * 10 + 5)) {
                if case .card = event { cards += 1 }
            }
        }
        // Noise ending in a half frame can swallow the next frame's start; most frames still arrive.
        #expect(cards > 1_500)
    }
}
