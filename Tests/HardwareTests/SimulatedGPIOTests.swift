import Hardware
import LinuxSystem
import PorteroModel
import Readers
import Testing

@Suite struct SimulatedGPIOTests {
    @Test func outputStartsAtItsSafeValueAndFollowsActiveLow() throws {
        let chip = SimulatedGPIOChip()
        let relay = try chip.requestOutput(offset: 3, consumer: "test", initiallyActive: false, activeLow: true)
        #expect(chip.level(of: 3) == true)  // inactive on an active-low line is a high level
        try relay.set(active: true)
        #expect(chip.level(of: 3) == false)
        relay.release()
        #expect(!chip.isRequested(3))
        #expect(throws: GPIOError.self) { try relay.set(active: false) }
    }

    @Test func aLineCannotBeRequestedTwiceOrOutOfRange() throws {
        let chip = SimulatedGPIOChip(lineCount: 8)
        let held = try chip.requestOutput(offset: 1, consumer: "a", initiallyActive: false, activeLow: false)
        #expect(throws: GPIOError.self) {
            try chip.requestInput(offset: 1, consumer: "b", edges: .both, bias: .asIs, activeLow: false)
        }
        #expect(throws: GPIOError.self) {
            try chip.requestOutput(offset: 8, consumer: "c", initiallyActive: false, activeLow: false)
        }
        held.release()
    }

    @Test func inputEdgesArriveThroughAPollableDescriptor() throws {
        let chip = SimulatedGPIOChip()
        let contact = try chip.requestInput(offset: 5, consumer: "door", edges: .both, bias: .pullUp, activeLow: true)
        #expect(try contact.isActive() == false)  // pulled up, active low: closed contact reads inactive
        #expect(try Poller.ready(among: [contact.pollDescriptor], timeoutMilliseconds: 0).isEmpty)
        chip.drive(5, level: false, at: .milliseconds(10))
        #expect(try Poller.ready(among: [contact.pollDescriptor], timeoutMilliseconds: 0) == [contact.pollDescriptor])
        #expect(try contact.readEvents() == [LineEvent(offset: 5, rising: true, at: .milliseconds(10))])
        #expect(try contact.readEvents().isEmpty)
        #expect(try contact.isActive())
    }

    @Test func wiegandOverSimulatedLinesDecodesTheIssueVector() throws {
        let chip = SimulatedGPIOChip()
        let reader = try WiegandReader(chip: chip, d0: 6, d1: 7)
        let frame = try #require(WiegandFrame(string: "10111101100010001110101110"))
        var t: Int64 = 1_000_000
        for bit in frame.bits {
            let line: UInt32 = bit ? 7 : 6
            chip.drive(line, level: false, at: .microseconds(t))  // 50 µs low pulse
            chip.drive(line, level: true, at: .microseconds(t + 50))
            t += 2_000
        }
        #expect(reader.handleReadable().isEmpty)
        #expect(
            reader.poll(.microseconds(t + 30_000)) == [
                .card(
                    CardRead(
                        format: .h10301, bits: 26, facility: 123, number: 4567,
                        credential: CardNumber(rawValue: 123 << 16 | 4567)))
            ])
    }
}

@Suite struct UdevTests {
    @Test func enumeratesTTYDevicesWithProperties() throws {
        let udev = try Udev()
        let devices = try udev.devices(subsystem: "tty")
        // Every Linux machine has at least /dev/tty and /dev/console in the tty subsystem.
        #expect(!devices.isEmpty)
        #expect(devices.allSatisfy { $0.subsystem == "tty" && $0.devnode != nil })
    }

    @Test func aMonitorOpensAndHasNothingWhenNothingChanged() throws {
        let monitor = try DeviceMonitor(udev: try Udev(), subsystems: ["tty", "input"], source: "kernel")
        #expect(monitor.pollDescriptor >= 0)
        #expect(monitor.receive().isEmpty)
    }
}
