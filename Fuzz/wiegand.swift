// libFuzzer target: Wiegand frames (decode, and re-encode what decoded) and the bit assembler.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWiegand(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Each byte's low bit is a Wiegand bit.
    let frame = WiegandFrame(bits: bytes.prefix(80).map { $0 & 1 == 1 })
    if case let .success(.card(read)) = WiegandDecoder.decode(frame), read.format != .wiegandRaw {
        // Whatever decodes with valid parity must encode back to the same bits.
        let again = WiegandDecoder.encode(read.format, facility: read.facility ?? 0, card: read.number)
        precondition(again == frame, "round trip failed for \(frame)")
    }
    // The same bytes as edge timings for the assembler: the high bits give the gap in µs.
    var assembler = WiegandAssembler(frameGapMilliseconds: 25, minimumBitIntervalMicroseconds: 200, maximumBits: 64)
    var time: Int64 = 0
    for byte in bytes {
        time += Int64(byte >> 1) * 400
        if let finished = assembler.bit(byte & 1 == 1, at: .microseconds(time)), case let .success(frame) = finished {
            precondition(frame.bits.count <= 64)
            _ = WiegandDecoder.decode(frame)
        }
    }
    _ = assembler.poll(.microseconds(time + 1_000_000))
    return 0
}
