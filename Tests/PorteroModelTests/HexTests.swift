import PorteroModel
import Testing

@Suite struct HexTests {
    @Test func bytesGoToHexAndBackAndAnythingElseIsRefused() {
        #expect(Hex.encode([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        #expect(Hex.decode("000fA5ff") == [0x00, 0x0F, 0xA5, 0xFF])
        #expect(Hex.decode("") == [])
        for bad in ["abc", "+f", "-1", "0g", " 0f", "0f\n", "٠١"] {
            #expect(Hex.decode(bad) == nil, "\(bad)")
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(all)) == all)
    }
}
