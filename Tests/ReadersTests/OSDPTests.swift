import PorteroModel
import Readers
import TestSupport
import Testing

@Suite struct OSDPFramingTests {
    // Replies captured from libosdp's PD emulator (address 101).
    static let ack = bytes(hex: "53e508000440d296")
    static let rawCard = bytes(hex: "53e51000055000011a00bd88eb80bb52")
    static let identity = bytes(hex: "53e514000545c3b2a1010278563412010203baad")

    @Test func crcMatchesTheCapturedReplies() {
        let crc = OSDPChecks.crc16(Self.ack.dropLast(2))
        #expect(crc == 0x96D2)
        #expect(OSDPPacket(address: 101, isReply: true, sequence: 0, code: 0x40).encoded() == Self.ack)
    }

    @Test func decodesCapturedRepliesInAnySplit() {
        let stream = Self.ack + Self.rawCard + Self.identity
        for split in 1..<stream.count {
            var decoder = OSDPFrameDecoder()
            let events = decoder.feed(stream[..<split]) + decoder.feed(stream[split...])
            #expect(events.count == 3, "split at \(split)")
        }
        var decoder = OSDPFrameDecoder()
        guard case let .packet(packet) = decoder.feed(Self.rawCard).first else {
            Issue.record("no packet")
            return
        }
        #expect(packet.address == 101 && packet.isReply && packet.sequence == 1 && packet.code == 0x50)
        #expect(
            OSDPReply.parse(code: packet.code, data: packet.data)
                == .rawCard(reader: 0, format: 1, bitCount: 26, data: [0xBD, 0x88, 0xEB, 0x80]))
    }

    @Test func identityReplyParses() {
        var decoder = OSDPFrameDecoder()
        guard case let .packet(packet) = decoder.feed(Self.identity).first else {
            Issue.record("no packet")
            return
        }
        #expect(
            OSDPReply.parse(code: packet.code, data: packet.data)
                == .identity(
                    OSDPIdentity(
                        vendorCode: 0xA1B2C3, model: 1, version: 2, serialNumber: 0x1234_5678, firmware: "1.2.3")))
    }

    @Test func checksumPacketsRoundTrip() {
        let packet = OSDPPacket(address: 7, sequence: 2, useCRC: false, code: 0x61, data: [0])
        var decoder = OSDPFrameDecoder()
        #expect(decoder.feed(packet.encoded()) == [.packet(packet)])
    }

    @Test func garbageMarksAndBadChecksAreRejectedThenResynchronised() {
        var corrupted = Self.ack
        corrupted[5] ^= 0x01
        var decoder = OSDPFrameDecoder()
        let events = decoder.feed([0x00, 0x13, 0x37] + corrupted + [0xFF] + Self.ack)
        #expect(events.first == .rejected(.noise(byteCount: 3)))
        #expect(events.contains { if case .rejected(.badChecksum) = $0 { true } else { false } })
        #expect(events.last == .packet(OSDPPacket(address: 101, isReply: true, sequence: 0, code: 0x40)))
        // The mark byte before a packet is not noise.
        var clean = OSDPFrameDecoder()
        #expect(clean.feed([0xFF] + Self.ack).count == 1)
    }

    @Test func absurdLengthsDoNotWaitForever() {
        var decoder = OSDPFrameDecoder()
        let events = decoder.feed([0x53, 0x65, 0xFF, 0xFF, 0x04] + Self.ack)
        #expect(events.first == .rejected(.truncatedFrame(received: 0xFFFF)))
        #expect(events.last == .packet(OSDPPacket(address: 101, isReply: true, sequence: 0, code: 0x40)))
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 11)
        var decoder = OSDPFrameDecoder()
        for _ in 0..<5_000 {
            _ = decoder.feed(
                (0..<Int(generator.next() % 64)).map { _ in
                    UInt8(truncatingIfNeeded: generator.next() | (generator.next() % 3 == 0 ? 0x53 : 0))
                })
        }
        #expect(decoder.pendingCount <= OSDPPacket.maximumLengthForTests)
    }
}

extension OSDPPacket {
    static let maximumLengthForTests = 1_440
}

/// A scripted PD for the state machine: answers what the panel sends.
struct ScriptedPD {
    var address: UInt8 = 101
    var silent = false
    var pendingReply: OSDPPacket?

    mutating func hear(_ bytes: [UInt8]) {
        var decoder = OSDPFrameDecoder()
        guard !silent, case let .packet(command) = decoder.feed(bytes).first, command.address == address else { return }
        let reply: (UInt8, [UInt8])
        switch command.code {
        case 0x61: reply = (0x45, [0xC3, 0xB2, 0xA1, 1, 2, 0x78, 0x56, 0x34, 0x12, 1, 2, 3])
        case 0x62: reply = (0x46, [4, 1, 1])
        default: reply = (0x40, [])
        }
        pendingReply = OSDPPacket(
            address: address, isReply: true, sequence: command.sequence, code: reply.0, data: reply.1)
    }
}

@Suite struct OSDPControlPanelTests {
    static func ms(_ value: Int64) -> MonotonicInstant { .milliseconds(value) }

    @Test func identifiesThenPollsWithSequenceNumbersZeroThenOneToThree() {
        var panel = OSDPControlPanel(addresses: [101], now: Self.ms(0))
        var pd = ScriptedPD()
        var sequences: [UInt8] = []
        var codes: [UInt8] = []
        var events: [OSDPEvent] = []
        var t: Int64 = 0
        for _ in 0..<7 {
            guard let bytes = panel.transmission(now: Self.ms(t)) else {
                t += 10
                continue
            }
            var decoder = OSDPFrameDecoder()
            if case let .packet(packet) = decoder.feed(bytes).first {
                sequences.append(packet.sequence)
                codes.append(packet.code)
            }
            pd.hear(bytes)
            events += panel.receive(pd.pendingReply!.encoded(), now: Self.ms(t + 5))
            t += 60
        }
        #expect(codes.prefix(3) == [0x61, 0x62, 0x60])
        #expect(sequences == [0, 1, 2, 3, 1, 2, 3])
        #expect(events.first == .online(address: 101))
        #expect(events.contains { if case .identified(101, _) = $0 { true } else { false } })
    }

    @Test func aSilentPDIsResentThenDeclaredOfflineThenRecovered() {
        var configuration = OSDPControlPanel.Configuration()
        configuration.retries = 2
        var panel = OSDPControlPanel(addresses: [101], configuration: configuration, now: Self.ms(0))
        var pd = ScriptedPD()
        // Bring it online.
        var t: Int64 = 0
        for _ in 0..<3 {
            let bytes = panel.transmission(now: Self.ms(t))!
            pd.hear(bytes)
            _ = panel.receive(pd.pendingReply!.encoded(), now: Self.ms(t + 5))
            t += 100
        }
        #expect(panel.onlineAddresses == [101])
        // Now it goes quiet: the same packet is sent again twice, then the PD is offline.
        let poll = panel.transmission(now: Self.ms(t))!
        var resends: [[UInt8]] = []
        var events: [OSDPEvent] = []
        for step in 1...3 {
            let (found, resend) = panel.poll(now: Self.ms(t + Int64(step) * 200))
            events += found
            if let resend { resends.append(resend) }
        }
        #expect(resends == [poll, poll])
        #expect(events == [.offline(address: 101)])
        #expect(panel.onlineAddresses.isEmpty)
        // Nothing is sent before the offline retry interval; then a new conversation starts at sequence 0.
        #expect(panel.transmission(now: Self.ms(t + 700)) == nil)
        let retry = panel.transmission(now: Self.ms(t + 1_700))!
        var decoder = OSDPFrameDecoder()
        guard case let .packet(packet) = decoder.feed(retry).first else {
            Issue.record("no packet")
            return
        }
        #expect(packet.sequence == 0 && packet.code == 0x61)
        pd.hear(retry)
        #expect(panel.receive(pd.pendingReply!.encoded(), now: Self.ms(t + 1_705)).first == .online(address: 101))
    }

    @Test func queuedLEDGoesOutInsteadOfThePollAndOnlyOnce() {
        var panel = OSDPControlPanel(addresses: [101], now: Self.ms(0))
        var pd = ScriptedPD()
        var t: Int64 = 0
        for _ in 0..<2 {
            let bytes = panel.transmission(now: Self.ms(t))!
            pd.hear(bytes)
            _ = panel.receive(pd.pendingReply!.encoded(), now: Self.ms(t + 5))
            t += 100
        }
        let queued = panel.send(.led(OSDPLED(onColor: .green)), to: 101)
        let unknown = panel.send(.poll, to: 9)
        #expect(queued && !unknown)
        var codes: [UInt8] = []
        for _ in 0..<3 {
            let bytes = panel.transmission(now: Self.ms(t))!
            codes.append(bytes[5])
            pd.hear(bytes)
            _ = panel.receive(pd.pendingReply!.encoded(), now: Self.ms(t + 5))
            t += 100
        }
        #expect(codes == [0x69, 0x60, 0x60])
    }

    @Test func repliesOutOfTurnAndEchoesAreIgnored() {
        var panel = OSDPControlPanel(addresses: [101], now: Self.ms(0))
        let command = panel.transmission(now: Self.ms(0))!
        // Our own command echoed back (two-wire RS-485), and a reply from another address.
        #expect(panel.receive(command, now: Self.ms(1)).isEmpty)
        #expect(
            panel.receive(OSDPPacket(address: 5, isReply: true, sequence: 0, code: 0x40).encoded(), now: Self.ms(2))
                .isEmpty)
        #expect(panel.onlineAddresses.isEmpty)
    }

    @Test func aSequenceNAKRestartsTheConversation() {
        var panel = OSDPControlPanel(addresses: [101], now: Self.ms(0))
        _ = panel.transmission(now: Self.ms(0))
        let events = panel.receive(
            OSDPPacket(address: 101, isReply: true, sequence: 0, code: 0x41, data: [0x04]).encoded(), now: Self.ms(1))
        #expect(events == [.online(address: 101), .nak(address: 101, reason: 4)])
        let again = panel.transmission(now: Self.ms(100))!
        #expect(again[4] & 0x03 == 0 && again[5] == 0x61)
    }

    @Test func rawCardAndKeypadRepliesBecomeEvents() {
        var panel = OSDPControlPanel(addresses: [101], now: Self.ms(0))
        _ = panel.transmission(now: Self.ms(0))
        let card = panel.receive(
            OSDPPacket(
                address: 101, isReply: true, sequence: 0, code: 0x50, data: [0, 1, 26, 0, 0xBD, 0x88, 0xEB, 0x80]
            ).encoded(), now: Self.ms(1))
        #expect(
            card.last
                == .card(
                    address: 101,
                    CardRead(
                        format: .h10301, bits: 26, facility: 123, number: 4567,
                        credential: CardNumber(rawValue: 123 << 16 | 4567))))
        _ = panel.transmission(now: Self.ms(100))
        let keys = panel.receive(
            OSDPPacket(address: 101, isReply: true, sequence: 1, code: 0x53, data: [0, 5] + Array("1234#".utf8))
                .encoded(), now: Self.ms(101))
        #expect(keys == [.keys(address: 101, ["1", "2", "3", "4", "#"])])
    }
}

@Suite struct OSDPSeveralReadersTests {
    static func ms(_ value: Int64) -> MonotonicInstant { .milliseconds(value) }

    @Test func twoReadersShareTheBusAndOneFallingSilentLeavesTheOtherOnline() {
        var configuration = OSDPControlPanel.Configuration()
        configuration.retries = 1
        var panel = OSDPControlPanel(addresses: [1, 2], configuration: configuration, now: Self.ms(0))
        var pds = [UInt8(1): ScriptedPD(address: 1), 2: ScriptedPD(address: 2)]
        var addressed: [UInt8] = []
        var events: [OSDPEvent] = []
        var t: Int64 = 0
        for round in 0..<40 {
            if round == 12 { pds[2]?.silent = true }
            let (timeouts, resend) = panel.poll(now: Self.ms(t))
            events += timeouts
            guard let bytes = resend ?? panel.transmission(now: Self.ms(t)) else {
                t += 100
                continue
            }
            let address = bytes[1]
            addressed.append(address)
            pds[address]?.pendingReply = nil
            pds[address]?.hear(bytes)
            if let reply = pds[address]?.pendingReply {
                events += panel.receive(reply.encoded(), now: Self.ms(t + 5))
                t += 30
            } else {
                t += 250
            }
        }
        #expect(Array(addressed.prefix(4)) == [1, 2, 1, 2])
        #expect(events.contains(.online(address: 1)) && events.contains(.online(address: 2)))
        #expect(events.contains(.offline(address: 2)))
        #expect(!events.contains(.offline(address: 1)))
        #expect(panel.onlineAddresses == [1])
    }
}
