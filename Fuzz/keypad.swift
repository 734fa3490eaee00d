// libFuzzer target: evdev key events through the key map into the wedge assembler, PIN entry and
// card-then-PIN; and 4/8-bit keypad bursts.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeypad(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var keymap = EvdevKeyMap()
    var wedge = WedgeAssembler(base: bytes.first.map { $0 & 1 == 0 ? .decimal : .hexadecimal } ?? .decimal)
    var pin = PINEntry(minimumDigits: 4, maximumDigits: 8)
    var collector = CardThenPIN(windowMilliseconds: 500)
    var time: Int64 = 0
    var index = 0
    while index + 2 < bytes.count {
        let code = UInt16(bytes[index]) | UInt16(bytes[index + 1] & 0x01) << 8
        let value = Int32(bytes[index + 1] >> 1 & 0x03)
        time += Int64(bytes[index + 2])
        index += 3
        guard let key = keymap.key(code: code, value: value) else { continue }
        if case let .success(.card(read))? = wedge.key(key, at: .milliseconds(time)) {
            _ = collector.card(read, at: .milliseconds(time))
        }
        if case let .submitted(digits)? = pin.key(key, at: .milliseconds(time)) {
            precondition((4...8).contains(digits.count) && digits.allSatisfy(\.isNumber))
            _ = collector.pin(digits, at: .milliseconds(time))
        }
        _ = pin.poll(.milliseconds(time))
        _ = collector.poll(.milliseconds(time))
    }
    for byte in bytes.prefix(64) {
        _ = WiegandDecoder.decode(WiegandFrame(bits: (0..<4).map { byte >> $0 & 1 == 1 }))
        _ = WiegandDecoder.decode(WiegandFrame(bits: (0..<8).map { byte >> $0 & 1 == 1 }))
    }
    return 0
}
