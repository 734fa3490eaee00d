// libFuzzer target: OSDP frames from a PD, in arbitrary splits, through the frame decoder and the
// control panel's reply handling.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOSDP(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    var decoder = OSDPFrameDecoder()
    var panel = OSDPControlPanel(addresses: [1, 101], now: .milliseconds(0))
    let chunk = max(1, Int(first % 23))
    var time: Int64 = 0
    var index = 1
    while index < bytes.count {
        let end = min(bytes.count, index + chunk)
        for event in decoder.feed(bytes[index..<end]) {
            if case let .packet(packet) = event {
                // Whatever decodes must encode back to a packet that decodes the same.
                var again = OSDPFrameDecoder()
                precondition(again.feed(packet.encoded()) == [.packet(packet)])
                _ = OSDPReply.parse(code: packet.code, data: packet.data)
            }
        }
        precondition(decoder.pendingCount <= 1_440 + 64)
        // The panel sends, then hears the same bytes as if a PD (or noise) answered.
        _ = panel.transmission(now: .milliseconds(time))
        _ = panel.receive(bytes[index..<end], now: .milliseconds(time + 1))
        _ = panel.poll(now: .milliseconds(time + 250))
        time += 300
        index = end
    }
    return 0
}
