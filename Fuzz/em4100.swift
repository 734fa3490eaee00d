// libFuzzer target: the EM4100 frame parser, fed arbitrary bytes in arbitrary splits.
// Built by scripts/fuzz.sh into one module with PorteroModel and the Readers parsers.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEM4100(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    var parser = EM4100FrameParser(holdWindowMilliseconds: Int64(first % 4) * 100)
    // The first byte chooses the chunk size, so splits across reads are explored too.
    let chunk = max(1, Int(first % 17))
    var time: Int64 = 0
    var index = 1
    while index < bytes.count {
        let end = min(bytes.count, index + chunk)
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
    _ = EM4100FrameParser.decode(hex: String(decoding: bytes, as: UTF8.self))
    return 0
}
