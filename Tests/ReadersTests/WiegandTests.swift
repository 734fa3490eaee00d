import PorteroModel
import Readers
import Testing

@Suite struct WiegandDecoderTests {
    @Test func h10301IssueVector() throws {
        let frame = try #require(WiegandFrame(string: "10111101100010001110101110"))
        let payload = try WiegandDecoder.decode(frame).get()
        #expect(
            payload
                == .card(
                    CardRead(
                        format: .h10301, bits: 26, facility: 123, number: 4567,
                        credential: CardNumber(rawValue: 123 << 16 | 4567))))
        #expect(WiegandDecoder.encode(.h10301, facility: 123, card: 4567) == frame)
    }

    @Test(arguments: [
        (CardFormat.h10301, UInt64(255), UInt64(65_535)), (.h10301, 0, 0), (.h10301, 1, 1),
        (.h10306, 65_535, 65_535), (.h10306, 1234, 54_321), (.h10306, 0, 0),
        (.corporate1000, 4095, 1_048_575), (.corporate1000, 1234, 567_890), (.corporate1000, 0, 0),
        (.corporate1000, 1, 2),
        (.h10304, 65_535, 524_287), (.h10304, 12_345, 123_456), (.h10304, 0, 0),
    ])
    func everyFormatRoundTrips(format: CardFormat, facility: UInt64, card: UInt64) throws {
        let frame = try #require(WiegandDecoder.encode(format, facility: facility, card: card))
        guard case let .card(read) = try WiegandDecoder.decode(frame).get() else {
            Issue.record("not a card")
            return
        }
        #expect(
            read.format == format && read.facility == facility && read.number == card && read.bits == frame.bits.count)
    }

    @Test(arguments: [CardFormat.h10301, .h10306, .corporate1000, .h10304])
    func everySingleBitFlipIsCaughtOrChangesTheCard(format: CardFormat) throws {
        let frame = try #require(WiegandDecoder.encode(format, facility: 77, card: 4242))
        for position in frame.bits.indices {
            var flipped = frame
            flipped.bits[position].toggle()
            switch WiegandDecoder.decode(flipped) {
            case .failure(.badParity): continue
            case let other: Issue.record("flip at \(position) gave \(other)")
            }
        }
    }

    @Test func parityFailureNamesTheCheck() throws {
        var frame = try #require(WiegandFrame(string: "10111101100010001110101110"))
        frame.bits[25].toggle()
        #expect(throws: ReadRejection.badParity(format: .h10301, check: "trailing odd (bits 13-24)")) {
            try WiegandDecoder.decode(frame).get()
        }
        frame.bits[25].toggle()
        frame.bits[0].toggle()
        #expect(throws: ReadRejection.badParity(format: .h10301, check: "leading even (bits 1-12)")) {
            try WiegandDecoder.decode(frame).get()
        }
    }

    @Test func keypadBurstsOfFourAndEightBits() throws {
        for key in Array("0123456789*#") {
            let four = try #require(WiegandDecoder.keypadBurst(key))
            #expect(try WiegandDecoder.decode(four).get() == .keys([key]))
            let eight = WiegandFrame(bits: four.bits.map { !$0 } + four.bits)
            #expect(try WiegandDecoder.decode(eight).get() == .keys([key]))
        }
        #expect(throws: ReadRejection.badKeypadBurst(0x55)) {
            try WiegandDecoder.decode(WiegandFrame(string: "01010101")!).get()
        }
        #expect(throws: ReadRejection.badKeypadBurst(0x0F)) {
            try WiegandDecoder.decode(WiegandFrame(string: "1111")!).get()
        }
    }

    @Test func unknownLengthsPassThroughRaw() throws {
        let frame = try #require(WiegandFrame(string: "1010101010101010101010101010101"))  // 31 bits
        guard case let .card(read) = try WiegandDecoder.decode(frame).get() else {
            Issue.record("not a card")
            return
        }
        #expect(read.format == .wiegandRaw && read.bits == 31 && read.number == 0x5555_5555 && read.facility == nil)
        #expect(throws: ReadRejection.tooLong(bits: 65)) {
            try WiegandDecoder.decode(WiegandFrame(bits: Array(repeating: true, count: 65))).get()
        }
        #expect(throws: ReadRejection.self) { try WiegandDecoder.decode(WiegandFrame(bits: [])).get() }
    }

    @Test func encodeRefusesFieldsThatDoNotFit() {
        #expect(WiegandDecoder.encode(.h10301, facility: 256, card: 1) == nil)
        #expect(WiegandDecoder.encode(.corporate1000, facility: 1, card: 1 << 20) == nil)
        #expect(WiegandDecoder.encode(.em4100, facility: 1, card: 1) == nil)
    }
}

@Suite struct WiegandAssemblerTests {
    static func us(_ value: Int64) -> MonotonicInstant { .microseconds(value) }

    /// Feeds a frame's bits 2 ms apart starting at `start` µs; returns what came out.
    static func send(_ frame: WiegandFrame, to assembler: inout WiegandAssembler, start: Int64, spacing: Int64 = 2_000)
        -> [Result<WiegandFrame, ReadRejection>]
    {
        var out: [Result<WiegandFrame, ReadRejection>] = []
        for (index, bit) in frame.bits.enumerated() {
            if let done = assembler.bit(bit, at: us(start + Int64(index) * spacing)) { out.append(done) }
        }
        return out
    }

    @Test func frameEndsAfterTheGap() throws {
        var assembler = WiegandAssembler(frameGapMilliseconds: 25)
        let frame = try #require(WiegandFrame(string: "10111101100010001110101110"))
        #expect(Self.send(frame, to: &assembler, start: 0).isEmpty)
        let last = Int64(25 * 2_000)
        #expect(assembler.deadline == Self.us(last + 25_000))
        #expect(assembler.poll(Self.us(last + 24_999)) == nil)
        #expect(assembler.poll(Self.us(last + 25_000)) == .success(frame))
        #expect(assembler.poll(Self.us(last + 90_000)) == nil)
    }

    @Test func backToBackFramesSplitOnTheGap() throws {
        var assembler = WiegandAssembler()
        let first = try #require(WiegandDecoder.encode(.h10301, facility: 1, card: 2))
        let second = try #require(WiegandDecoder.encode(.h10301, facility: 3, card: 4))
        _ = Self.send(first, to: &assembler, start: 0)
        let out = Self.send(second, to: &assembler, start: 200_000)
        #expect(out == [.success(first)])
        #expect(assembler.poll(Self.us(10_000_000)) == .success(second))
    }

    @Test func bitsTooCloseTogetherSpoilTheFrame() throws {
        var assembler = WiegandAssembler(minimumBitIntervalMicroseconds: 200)
        let frame = try #require(WiegandDecoder.encode(.h10301, facility: 1, card: 2))
        _ = Self.send(frame, to: &assembler, start: 0, spacing: 50)
        #expect(assembler.poll(Self.us(1_000_000)) == .failure(.glitch))
        // The next frame is clean again.
        _ = Self.send(frame, to: &assembler, start: 2_000_000)
        #expect(assembler.poll(Self.us(3_000_000)) == .success(frame))
    }

    @Test func endlessBitsAreCutAtTheMaximum() {
        var assembler = WiegandAssembler(maximumBits: 64)
        for index in 0..<1_000 { _ = assembler.bit(index % 2 == 0, at: Self.us(Int64(index) * 1_000)) }
        #expect(assembler.poll(Self.us(10_000_000)) == .failure(.tooLong(bits: 65)))
    }
}
