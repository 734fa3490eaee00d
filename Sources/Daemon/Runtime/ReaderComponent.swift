import Hardware
import LinuxSystem
import PorteroModel
import Readers
import Service

/// One configured reader: opens its transport, reopens it with backoff when it fails or goes away.
final class ReaderComponent {
    let configuration: ReaderConfiguration
    private let chips: GPIOChipPool
    private let simulated: Bool
    private let log: Log
    private(set) var transport: Transport?
    private(set) var lastFrame: MonotonicInstant?
    private(set) var errors = 0
    private var retryAt: MonotonicInstant?
    private var backoffMilliseconds: Int64 = 1_000

    enum Transport {
        case serial(SerialCardReader)
        case scanner(SerialScannerReader)
        case wedge(WedgeReader)
        case wiegand(WiegandReader)
        case osdp(OSDPBus)
        /// `--simulate`: cards come from the simulator's input instead.
        case simulated
    }

    init(configuration: ReaderConfiguration, chips: GPIOChipPool, simulated: Bool, log: Log) {
        self.configuration = configuration
        self.chips = chips
        self.simulated = simulated
        self.log = log
    }

    var name: String { configuration.name }
    var isOpen: Bool { transport != nil }

    /// Opens the transport, or schedules a retry; never throws, a reader that is missing at
    /// start must not keep the other doors from working.
    func open(now: MonotonicInstant) {
        do {
            transport = try makeTransport(now: now)
            backoffMilliseconds = 1_000
            retryAt = nil
            log(.notice, "reader \(name): open")
        } catch {
            errors += 1
            retryAt = now.adding(milliseconds: backoffMilliseconds)
            log(.warning, "reader \(name): cannot open (\(error)); retrying in \(backoffMilliseconds / 1000) s")
            backoffMilliseconds = min(backoffMilliseconds * 2, 30_000)
        }
    }

    func close(reason: String, now: MonotonicInstant) {
        guard transport != nil else { return }
        releaseTransport()
        errors += 1
        retryAt = now.adding(milliseconds: backoffMilliseconds)
        log(.warning, "reader \(name): \(reason); reopening in \(backoffMilliseconds / 1000) s")
    }

    func releaseTransport() {
        switch transport {
        case let .wiegand(reader)?:
            reader.d0.release()
            reader.d1.release()
        case let .serial(reader)?: reader.port.close()
        case let .scanner(reader)?: reader.port.close()
        case let .wedge(reader)?: reader.device.close()
        case let .osdp(bus)?: bus.port.close()
        case .simulated?, nil: break
        }
        transport = nil
    }

    private func makeTransport(now: MonotonicInstant) throws -> Transport {
        if simulated { return .simulated }
        switch configuration.transport {
        case let .em4100(device):
            return .serial(SerialCardReader(port: try SerialPort(path: try resolve(device, subsystem: "tty"))))
        case let .scanner(device, baud, cards):
            let port = try SerialPort(path: try resolve(device, subsystem: "tty"), settings: SerialSettings(baud: baud))
            return .scanner(SerialScannerReader(port: port, acceptsCards: cards))
        case let .wedge(device, base, cards):
            return .wedge(
                WedgeReader(
                    device: try InputDevice(path: try resolve(device, subsystem: "input")),
                    wedge: WedgeAssembler(base: base, acceptsCards: cards)))
        case let .pinPad(device):
            return .wedge(
                WedgeReader(device: try InputDevice(path: try resolve(device, subsystem: "input")), pinPad: PINEntry()))
        case let .wiegand(d0, d1):
            let chip = try chips.chip(d0.chip)
            return .wiegand(
                try WiegandReader(chip: chip, d0: d0.line, d1: d1.line, consumer: "porterod:\(name)", bias: d0.bias))
        case let .osdp(device, address, baud):
            let port = try SerialPort(
                path: try resolve(device, subsystem: "tty"), settings: SerialSettings(baud: baud, rs485: .ifSupported))
            return .osdp(OSDPBus(port: port, addresses: [address], now: now))
        }
    }

    /// A path as configured, or the device udev finds for a vendor/model/serial match.
    private func resolve(_ selector: DeviceSelector, subsystem: String) throws -> String {
        switch selector {
        case let .path(path):
            return path
        case let .match(vendor, model, serial):
            let found = try Udev().devices(subsystem: subsystem).first { device in
                (vendor == nil || device.vendor == vendor) && (model == nil || device.model == model)
                    && (serial == nil || device.serial == serial)
            }
            guard let node = found?.devnode else { throw SystemCallError("udev match", name, .noSuchDevice) }
            return node
        }
    }

    var descriptors: [Int32] {
        switch transport {
        case let .serial(reader)?: [reader.pollDescriptor]
        case let .scanner(reader)?: [reader.pollDescriptor]
        case let .wedge(reader)?: [reader.pollDescriptor]
        case let .wiegand(reader)?: reader.pollDescriptors
        case let .osdp(bus)?: [bus.pollDescriptor]
        case .simulated?, nil: []
        }
    }

    var deadline: MonotonicInstant? {
        switch transport {
        case let .wiegand(reader)?: reader.deadline
        case let .osdp(bus)?: bus.deadline
        case nil: retryAt
        default: nil
        }
    }

    /// Reader events from a readable descriptor.
    func handleReadable(now: MonotonicInstant) -> [ReaderEvent] {
        let events: [ReaderEvent]
        switch transport {
        case let .serial(reader)?: events = reader.handleReadable(at: now)
        case let .scanner(reader)?: events = reader.handleReadable()
        case let .wedge(reader)?: events = reader.handleReadable(at: now)
        case let .wiegand(reader)?: events = reader.handleReadable()
        case let .osdp(bus)?: events = bus.handleReadable(now: now).compactMap(Self.map)
        case .simulated?, nil: events = []
        }
        return noteFrames(events, now: now)
    }

    /// Timers: Wiegand frame ends, OSDP polls and timeouts, reopen retries.
    func tick(now: MonotonicInstant) -> [ReaderEvent] {
        switch transport {
        case let .wiegand(reader)?: return noteFrames(reader.poll(now), now: now)
        case let .osdp(bus)?: return noteFrames(bus.service(now: now).compactMap(Self.map), now: now)
        case nil:
            if let retry = retryAt, now >= retry { open(now: now) }
            return []
        default: return []
        }
    }

    private func noteFrames(_ events: [ReaderEvent], now: MonotonicInstant) -> [ReaderEvent] {
        for event in events {
            switch event {
            case .card, .pass, .dayPass, .keys: lastFrame = now
            case .rejected: errors += 1
            case .disconnected: break
            }
        }
        return events
    }

    static func map(_ event: OSDPEvent) -> ReaderEvent? {
        switch event {
        case let .card(_, read): .card(read)
        case let .keys(_, keys): .keys(keys)
        case let .rejected(rejection): .rejected(rejection)
        case let .busFailure(reason): .disconnected(reason)
        case .online, .offline, .identified, .capabilities, .nak: nil
        }
    }

    /// Green on grant, red and a beep on denial, on OSDP readers (GPIO feedback is the door's).
    func feedback(granted: Bool) {
        guard case let .osdp(bus)? = transport, case let .osdp(_, address, _) = configuration.transport else { return }
        if granted {
            bus.send(.led(OSDPLED(onColor: .green, onTime: 10, duration: 20)), to: address)
        } else {
            bus.send(.led(OSDPLED(onColor: .red, onTime: 10, duration: 20)), to: address)
            bus.send(.buzzer(OSDPBuzzer(onTime: 2, offTime: 1, count: 2)), to: address)
        }
    }
}

/// GPIO chips by configured name, opened once; simulated chips under `--simulate`.
final class GPIOChipPool {
    let simulated: Bool
    private var chips: [String: any GPIOChip] = [:]

    init(simulated: Bool) { self.simulated = simulated }

    func chip(_ name: String) throws -> any GPIOChip {
        if let chip = chips[name] { return chip }
        let chip: any GPIOChip =
            simulated
            ? SimulatedGPIOChip(name: name, label: "simulated", lineCount: 1024) : try LibgpiodChip(lookup: name)
        chips[name] = chip
        return chip
    }
}
