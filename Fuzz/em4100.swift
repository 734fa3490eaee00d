// libFuzzer target: the EM4100 frame parser and the serial scanner's lines, fed arbitrary bytes in
// arbitrary splits.
// Built by scripts/fuzz.sh into one module with PorteroModel and the Readers parsers.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEM4100(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    var parser = EM4100FrameParser(holdWindowMilliseconds: Int64(first % 4) * 100)
    // The first byte chooses the chunk size, so splits across reads are explored too.
    let chunk = max(1, Int(first % 17))
    var scanner = ScannerLineAssembler(acceptsCards: first & 1 == 1)
    var time: Int64 = 0
    var index = 1
    while index < bytes.count {
        let end = min(bytes.count, index + chunk)
        for case let .success(scan) in scanner.feed(bytes[index..<end]) {
            // A pass comes out only of a line of its exact length; a card only where cards are taken.
            switch scan {
            case let .pass(code): precondition(code.text.utf8.count == PassCode.length)
            case let .dayPass(code): precondition(code.text.utf8.count == DayPassCode.length)
            case .card: precondition(scanner.acceptsCards)
            }
        }
        for event in parser.feed(bytes[index..<end], at: .milliseconds(time)) {
            if case let .card(read) = event {
                // A card only comes out of a frame whose checksum held; its number fits 32 bits.
                precondition(read.number <= 0xFFFF_FFFF && read.credential.rawValue == read.number && read.bits == 40)
            }
        }
        time += 37
        index = end
    }
    _ = parser.flush()
    _ = scanner.flush()
    _ = EM4100FrameParser.decode(hex: String(decoding: bytes, as: UTF8.self))
    return 0
}
