import PorteroModel
import Readers
import Testing

@Suite struct ScannerLineTests {
    static let pass = PassCode(
        member: UserID(7), phone: PhoneID(8), issuedAt: 1_800_000_000, signature: Array(repeating: 9, count: 64))

    @Test func aLineIsACardOrAPassWhateverItsEnding() throws {
        var scanner = ScannerLineAssembler(acceptsCards: true)
        let out = scanner.feed(Array("5551234\r\n\(Self.pass.text)\r".utf8))
        #expect(out.count == 2)
        #expect(try out[0].get().card?.credential == CardNumber(rawValue: 5_551_234))
        #expect(try out[1].get() == .pass(Self.pass))
        // Split across reads, as a serial line delivers it.
        let text = Array((Self.pass.text + "\n").utf8)
        #expect(scanner.feed(text[0..<100]).isEmpty)
        #expect(try scanner.feed(text[100...]).first?.get() == .pass(Self.pass))
    }

    @Test func cardNumbersOnlyWhereTheReaderTakesThem() {
        var scanner = ScannerLineAssembler()
        #expect(scanner.feed(Array("5551234\n".utf8)) == [.failure(.badDigits("5551234"))])
    }

    @Test func garbageIsRejectedAndAnOverlongLineSkippedWhole() {
        var scanner = ScannerLineAssembler()
        #expect(scanner.feed(Array("HELLO\n".utf8)) == [.failure(.badDigits("HELLO"))])
        let long = scanner.feed(Array(String(repeating: "7", count: 300).utf8) + [10])
        #expect(long == [.failure(.badDigits("a line longer than 256 characters"))])
        #expect(scanner.feed(Array("\r\n\n".utf8)).isEmpty, "blank lines are nothing")
        #expect(scanner.feed(Array("123".utf8)).isEmpty)
        #expect(scanner.flush() == [.failure(.truncatedFrame(received: 3))])
    }

    @Test func aWedgeScannerTypesAPassLikeACard() throws {
        var wedge = WedgeAssembler()
        var out: [Result<Scan, ReadRejection>] = []
        for (index, character) in Self.pass.text.enumerated() {
            if let result = wedge.key(.character(character), at: .milliseconds(Int64(index))) { out.append(result) }
        }
        if let result = wedge.key(.enter, at: .milliseconds(200)) { out.append(result) }
        #expect(out.count == 1)
        #expect(try out[0].get() == .pass(Self.pass))
    }

    /// A QR scanner in keyboard mode told not to take cards: a barcode of a card number is refused,
    /// a pass still read.
    @Test func aWedgeScannerWithoutCardsRefusesACardNumberBarcode() throws {
        func typed(_ text: String, into wedge: inout WedgeAssembler) -> [Result<Scan, ReadRejection>] {
            var out: [Result<Scan, ReadRejection>] = []
            for (index, character) in text.enumerated() {
                if let result = wedge.key(.character(character), at: .milliseconds(Int64(index))) {
                    out.append(result)
                }
            }
            if let result = wedge.key(.enter, at: .milliseconds(Int64(text.count))) { out.append(result) }
            return out
        }
        var scanner = WedgeAssembler(acceptsCards: false)
        #expect(typed("0012345678", into: &scanner) == [.failure(.badDigits("0012345678"))])
        #expect(try typed(Self.pass.text, into: &scanner).first?.get() == .pass(Self.pass))
        var reader = WedgeAssembler()
        #expect(try typed("0012345678", into: &reader).first?.get().card?.number == 12_345_678)

        // Keys lost mid-line (the kernel's SYN_DROPPED): the tail up to Enter is no card; the next line is.
        _ = reader.key(.character("7"), at: .milliseconds(0))
        reader.keysLost(at: .milliseconds(1))
        var tail: [Result<Scan, ReadRejection>] = []
        for (index, character) in "12345".enumerated() {
            if let result = reader.key(.character(character), at: .milliseconds(Int64(2 + index))) {
                tail.append(result)
            }
        }
        if let result = reader.key(.enter, at: .milliseconds(8)) { tail.append(result) }
        #expect(tail == [.failure(.truncatedFrame(received: 0))])
        #expect(try typed("42", into: &reader).first?.get().card?.number == 42)
    }
}

@Suite struct DayPassScanTests {
    @Test func aPrintedDayPassIsReadByLineAndByWedge() throws {
        let pass = DayPassCode(subscription: SubscriptionID(900), signature: Array(repeating: 200, count: 64))
        var scanner = ScannerLineAssembler()
        #expect(try scanner.feed(Array((pass.text + "\r\n").utf8)).first?.get() == .dayPass(pass))
        var wedge = WedgeAssembler()
        var out: [Result<Scan, ReadRejection>] = []
        for (index, character) in pass.text.enumerated() {
            if let result = wedge.key(.character(character), at: .milliseconds(Int64(index))) { out.append(result) }
        }
        if let result = wedge.key(.enter, at: .milliseconds(200)) { out.append(result) }
        #expect(try out.first?.get() == .dayPass(pass))
    }
}
