import Foundation
import Hardware
import LinuxSystem
import PorteroModel
import Readers
import Testing

/// Real kernel devices in the vmtest VM: a gpio-sim chip, uinput, and a USB-gadget serial pair.
/// GPIO lines 2 to 7 belong to these tests (the bridge tests use 10 and 11), so suites never share a line.
/// Outside the VM these suites are skipped (scripts/test.sh says so and runs them in the VM).
enum VM {
    static let environment = ProcessInfo.processInfo.environment
    static let chip = environment["GPIO_SIM_CHIP"]
    static let sysfs = environment["GPIO_SIM_SYSFS"]
    static let serialGadget = environment["VMTEST_SERIAL_GADGET"]
    static let serialHost = environment["VMTEST_SERIAL_HOST"]

    /// Sets the simulator's pull on a line: what a signal on the pin would do.
    static func pull(_ offset: UInt32, up: Bool) throws {
        try (up ? "pull-up" : "pull-down").write(
            toFile: "\(sysfs!)/sim_gpio\(offset)/pull", atomically: false, encoding: .utf8)
    }

    /// What the consumer drives on a line, as the simulator sees it.
    static func value(_ offset: UInt32) throws -> String {
        try String(contentsOfFile: "\(sysfs!)/sim_gpio\(offset)/value", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    /// Polls `descriptors` and hands each readable turn to `handle` until it says done or 10 s pass.
    static func pump(_ descriptors: [Int32], until done: () throws -> Bool, handle: () throws -> Void) throws {
        let deadline = MonotonicInstant.now().adding(milliseconds: 10_000)
        while MonotonicInstant.now() < deadline {
            if try done() { return }
            if try !Poller.ready(among: descriptors, timeoutMilliseconds: 100).isEmpty { try handle() }
        }
        _ = try done()
    }
}

@Suite(.serialized, .enabled(if: VM.chip != nil)) struct GPIOKernelTests {
    @Test func outputRequestedThroughLibgpiodReachesTheSimulator() throws {
        let chip = try LibgpiodChip(lookup: VM.chip!)
        #expect(chip.lineCount == Int(VM.environment["GPIO_SIM_LINES"] ?? "") ?? -1)
        let relay = try chip.requestOutput(
            offset: 2, consumer: "portero-test", initiallyActive: false, activeLow: false)
        #expect(try VM.value(2) == "0")
        try relay.set(active: true)
        #expect(try VM.value(2) == "1")
        relay.release()
        // Active low: the inactive (safe) state is a high level.
        let lock = try chip.requestOutput(offset: 4, consumer: "portero-test", initiallyActive: false, activeLow: true)
        #expect(try VM.value(4) == "1")
        try lock.set(active: true)
        #expect(try VM.value(4) == "0")
        lock.release()
    }

    @Test func chipOpensByNamePathAndLabel() throws {
        let byName = try LibgpiodChip(lookup: VM.chip!)
        let byPath = try LibgpiodChip(lookup: "/dev/\(VM.chip!)")
        let byLabel = try LibgpiodChip(lookup: byName.label)
        #expect(byPath.name == byName.name && byLabel.name == byName.name)
        #expect(throws: GPIOError.self) { try LibgpiodChip(lookup: "no-such-chip") }
    }

    @Test func anInputEdgeArrivesAsATimestampedEvent() throws {
        let chip = try LibgpiodChip(lookup: VM.chip!)
        try VM.pull(5, up: false)
        let contact = try chip.requestInput(
            offset: 5, consumer: "portero-test", edges: .both, bias: .asIs, activeLow: false)
        defer { contact.release() }
        #expect(try contact.readEvents().isEmpty)
        let before = MonotonicInstant.now()
        try VM.pull(5, up: true)
        var events: [LineEvent] = []
        try VM.pump([contact.pollDescriptor], until: { !events.isEmpty }) { events += try contact.readEvents() }
        let event = try #require(events.first)
        #expect(event.rising && event.offset == 5)
        #expect(event.at >= before && event.at <= MonotonicInstant.now())
        #expect(try contact.isActive())
    }

    @Test func biasAndActiveLowReachTheKernel() throws {
        let chip = try LibgpiodChip(lookup: VM.chip!)
        // gpio-sim applies a consumer's bias as the line's pull.
        try VM.pull(3, up: false)
        let pulledUp = try chip.requestInput(
            offset: 3, consumer: "portero-test", edges: .both, bias: .pullUp, activeLow: false)
        #expect(try pulledUp.isActive())
        pulledUp.release()
        // An exit button to ground with a pull-up reads active when pressed (low) if active-low.
        try VM.pull(3, up: true)
        let button = try chip.requestInput(
            offset: 3, consumer: "portero-test", edges: .both, bias: .asIs, activeLow: true)
        defer { button.release() }
        #expect(try !button.isActive())
        try VM.pull(3, up: false)
        var events: [LineEvent] = []
        try VM.pump([button.pollDescriptor], until: { !events.isEmpty }) { events += try button.readEvents() }
        #expect(events.first?.rising == true)  // the logical value went active
        #expect(try button.isActive())
    }

    @Test func wiegandBitsOnTwoSimulatedLinesDecodeToTheCard() throws {
        let chip = try LibgpiodChip(lookup: VM.chip!)
        try VM.pull(6, up: true)
        try VM.pull(7, up: true)
        // Under emulation each sysfs write takes a while, longer while other tests load the
        // machine (a CI run once saw a pause over 1.5 s between two bits), so the frame gap is
        // generous here.
        let reader = try WiegandReader(
            chip: chip, d0: 6, d1: 7, bias: .asIs,
            assembler: WiegandAssembler(frameGapMilliseconds: 5_000, minimumBitIntervalMicroseconds: 0))
        defer {
            reader.d0.release()
            reader.d1.release()
        }
        let frame = try #require(WiegandFrame(string: "10111101100010001110101110"))
        var events: [ReaderEvent] = []
        for bit in frame.bits {
            let line: UInt32 = bit ? 7 : 6
            try VM.pull(line, up: false)
            try VM.pull(line, up: true)
            // Read as the daemon does, while the bits come: the kernel keeps only 16 events a line.
            if try !Poller.ready(among: reader.pollDescriptors, timeoutMilliseconds: 0).isEmpty {
                events += reader.handleReadable()
            }
        }
        let deadline = MonotonicInstant.now().adding(milliseconds: 15_000)
        while events.isEmpty, MonotonicInstant.now() < deadline {
            if try !Poller.ready(among: reader.pollDescriptors, timeoutMilliseconds: 100).isEmpty {
                events += reader.handleReadable()
            }
            events += reader.poll()
        }
        #expect(
            events == [
                .card(
                    CardRead(
                        format: .h10301, bits: 26, facility: 123, number: 4567,
                        credential: CardNumber(rawValue: 123 << 16 | 4567)))
            ])
    }

    @Test func udevListsTheChip() throws {
        let devices = try Udev().devices(subsystem: "gpio")
        #expect(devices.contains { $0.devnode == "/dev/\(VM.chip!)" })
    }
}

@Suite(.serialized, .enabled(if: VM.chip != nil && FileManager.default.fileExists(atPath: "/dev/uinput")))
struct WedgeKernelTests {
    @Test func aUinputKeyboardTypingACardReachesTheWedgeReader() throws {
        let keyboard = try VirtualKeyboard()
        let path = try #require(keyboard.eventPath)
        var device: InputDevice?
        let deadline = MonotonicInstant.now().adding(milliseconds: 10_000)
        while device == nil, MonotonicInstant.now() < deadline {
            device = try? InputDevice(path: path, grab: true)
        }
        let input = try #require(device)
        #expect(input.grabbed)
        #expect(input.name == "Portero virtual wedge reader")
        let reader = WedgeReader(device: input, wedge: WedgeAssembler(interKeyTimeoutMilliseconds: 5_000))
        try keyboard.type("0012345670")
        var events: [ReaderEvent] = []
        try VM.pump([reader.pollDescriptor], until: { !events.isEmpty }) { events += reader.handleReadable() }
        #expect(
            events == [
                .card(
                    CardRead(
                        format: .wedge, bits: 0, facility: nil, number: 12_345_670,
                        credential: CardNumber(rawValue: 12_345_670)))
            ])
    }

    static let pass = PassCode(
        member: UserID(42), phone: PhoneID(7), issuedAt: 1_800_000_000,
        signature: (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 97) })

    /// A virtual scanner and the wedge reader on its event node.
    static func scanner() throws -> (VirtualKeyboard, WedgeReader) {
        let keyboard = try VirtualKeyboard(name: "Portero virtual QR scanner")
        let path = try #require(keyboard.eventPath)
        var device: InputDevice?
        let deadline = MonotonicInstant.now().adding(milliseconds: 10_000)
        while device == nil, MonotonicInstant.now() < deadline {
            device = try? InputDevice(path: path, grab: true)
        }
        let reader = WedgeReader(
            device: try #require(device), wedge: WedgeAssembler(interKeyTimeoutMilliseconds: 5_000))
        return (keyboard, reader)
    }

    /// A QR scanner in keyboard mode types a member's phone pass: 196 digits, then Enter, read as
    /// they come (a USB scanner sends a key every few milliseconds; the daemon reads between them).
    @Test func aUinputScannerTypingAPhonePassReachesTheWedgeReader() throws {
        let (keyboard, reader) = try Self.scanner()
        var events: [ReaderEvent] = []
        var rest = Substring(Self.pass.text)
        while !rest.isEmpty {
            try keyboard.type(String(rest.prefix(8)), enter: false)
            rest = rest.dropFirst(8)
            while try !Poller.ready(among: [reader.pollDescriptor], timeoutMilliseconds: 20).isEmpty {
                events += reader.handleReadable()
            }
        }
        try keyboard.tap(28)
        try VM.pump([reader.pollDescriptor], until: { !events.isEmpty }) { events += reader.handleReadable() }
        #expect(events == [.pass(Self.pass)])
    }

    /// Typed all at once with nobody reading, the pass overflows the device's buffer and the kernel
    /// drops keys (SYN_DROPPED): the reader reports a cut line, never the tail as a card number.
    @Test func keysTheKernelDroppedNeverMakeACard() throws {
        let (keyboard, reader) = try Self.scanner()
        try keyboard.type(Self.pass.text)
        var events: [ReaderEvent] = []
        try VM.pump([reader.pollDescriptor], until: { !events.isEmpty }) { events += reader.handleReadable() }
        #expect(events == [.rejected(.truncatedFrame(received: 0))])
    }
}

@Suite(.serialized, .enabled(if: VM.chip != nil && FileManager.default.fileExists(atPath: "/dev/uinput")))
struct HotplugKernelTests {
    @Test func theMonitorSeesAReaderArriveAndGoAway() throws {
        // The VM runs no udev daemon, so the monitor listens to the kernel's own events.
        let monitor = try DeviceMonitor(udev: try Udev(), subsystems: ["input"], source: "kernel")
        var changes: [DeviceChange] = []
        var keyboard: VirtualKeyboard? = try VirtualKeyboard(name: "Portero hotplug test")
        try VM.pump([monitor.pollDescriptor], until: { changes.contains { $0.action == .add } }) {
            changes += monitor.receive()
        }
        #expect(changes.contains { $0.action == .add && $0.device.subsystem == "input" })
        #expect(keyboard != nil)
        keyboard = nil  // unplugged
        try VM.pump([monitor.pollDescriptor], until: { changes.contains { $0.action == .remove } }) {
            changes += monitor.receive()
        }
        #expect(changes.contains { $0.action == .remove && $0.device.subsystem == "input" })
    }
}

@Suite(.serialized, .enabled(if: VM.serialGadget != nil && VM.serialHost != nil))
struct SerialKernelTests {
    @Test func em4100FramesOverTheUSBSerialLineReachTheParser() throws {
        // The receiving end is opened first: bytes reaching the gadget before that are dropped.
        let reader = SerialCardReader(port: try SerialPort(path: VM.serialGadget!))
        let cardSide = try SerialPort(path: VM.serialHost!)
        try cardSide.write(Array("~~".utf8) + EM4100FrameParser.frame(tag: [0x1A, 0x00, 0xBC, 0x61, 0x46]))
        var events: [ReaderEvent] = []
        try VM.pump([reader.pollDescriptor], until: { events.contains { if case .card = $0 { true } else { false } } })
        {
            events += reader.handleReadable()
        }
        #expect(
            events.contains(
                .card(
                    CardRead(
                        format: .em4100, bits: 40, facility: nil, number: 0xBC6146,
                        credential: CardNumber(rawValue: 12_345_670)))))
        #expect(events.first == .rejected(.noise(byteCount: 2)))
    }

    @Test func parityAndCharacterSizeAreSetOnARealSerialDriver() throws {
        let port = try SerialPort(
            path: VM.serialHost!, settings: SerialSettings(baud: 19200, parity: .even, dataBits: 7, stopBits: 2))
        let attributes = try port.currentAttributes()
        #expect(attributes.c_cflag & tcflag_t(PARENB) != 0)
        #expect(attributes.c_cflag & tcflag_t(PARODD) == 0)
        #expect(attributes.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS7))
        #expect(attributes.c_cflag & tcflag_t(CSTOPB) != 0)
    }
}
