import Foundation
import Hardware
import LinuxSystem
import PorteroModel
import Readers
import TestSupport
import Testing

@Suite(
    .serialized,
    .enabled(if: OSDPPeer.available, "needs Python with libosdp (scripts/test.sh installs it in .build-venv)"))
struct OSDPPeerTests {
    /// Runs the bus until `done` holds or 10 s pass; returns every event seen.
    static func run(_ bus: OSDPBus, _ peer: PeripheralProcess, until done: ([OSDPEvent]) -> Bool) throws -> [OSDPEvent]
    {
        var events: [OSDPEvent] = []
        let deadline = MonotonicInstant.now().adding(milliseconds: 10_000)
        while !done(events), MonotonicInstant.now() < deadline {
            let now = MonotonicInstant.now()
            let wait = bus.deadline.map { max(0, min(100, $0.nanoseconds(since: now) / 1_000_000)) } ?? 100
            let ready = try Poller.ready(
                among: [bus.pollDescriptor, peer.outputDescriptor], timeoutMilliseconds: Int32(wait))
            if ready.contains(bus.pollDescriptor) { events += bus.handleReadable() } else { events += bus.service() }
            peer.drain()
        }
        return events
    }

    @Test func cardsKeysLEDBuzzerSilenceAndRecoveryAgainstLibosdp() throws {
        let peer = try PeripheralProcess(address: 101)
        let ptyLine = try #require(peer.waitForLine(prefix: "PTY "))
        let port = try SerialPort(path: String(ptyLine.dropFirst(4)), settings: SerialSettings(baud: 9600))
        let bus = OSDPBus(port: port, addresses: [101])

        var events = try Self.run(bus, peer) { $0.contains { if case .capabilities = $0 { true } else { false } } }
        #expect(events.first == .online(address: 101))
        #expect(
            events.contains(
                .identified(
                    address: 101,
                    OSDPIdentity(
                        vendorCode: 0xA1B2C3, model: 1, version: 2, serialNumber: 0x1234_5678, firmware: "1.2.3"))))

        // A card read at the PD arrives as a decoded card.
        try peer.tell("CARD 26 bd88eb80")
        let expectedCard = OSDPEvent.card(
            address: 101,
            CardRead(
                format: .h10301, bits: 26, facility: 123, number: 4567,
                credential: CardNumber(rawValue: 123 << 16 | 4567)))
        events = try Self.run(bus, peer) { $0.contains(expectedCard) }
        #expect(events.contains(expectedCard))

        // Keypad presses arrive as keys.
        try peer.tell("KEYS 1234#")
        events = try Self.run(bus, peer) { $0.contains { if case .keys = $0 { true } else { false } } }
        #expect(events.contains(.keys(address: 101, ["1", "2", "3", "4", "#"])))

        // LED and buzzer commands reach the PD.
        bus.send(.led(OSDPLED(onColor: .green, onTime: 10, duration: 30)), to: 101)
        bus.send(.buzzer(OSDPBuzzer(onTime: 2, offTime: 1, count: 2)), to: 101)
        _ = try Self.run(bus, peer) { _ in peer.lines.contains { $0.contains(#""name": "buzzer""#) } }
        let led = try #require(peer.lines.first { $0.contains(#""name": "led""#) })
        #expect(led.contains(#""on_color": 2"#))
        #expect(peer.lines.contains { $0.contains(#""name": "buzzer""#) })

        // The PD goes silent: detected as offline; it comes back: online again and re-identified.
        try peer.tell("STOP")
        events = try Self.run(bus, peer) { $0.contains(.offline(address: 101)) }
        #expect(events.contains(.offline(address: 101)))
        #expect(bus.panel.onlineAddresses.isEmpty)
        try peer.tell("START")
        events = try Self.run(bus, peer) { $0.contains { if case .identified = $0 { true } else { false } } }
        #expect(events.contains(.online(address: 101)))
        #expect(bus.panel.onlineAddresses == [101])
    }
}
