import PorteroModel

/// What the control panel learned from the bus.
public enum OSDPEvent: Hashable, Sendable {
    /// The PD answered after being unknown or offline.
    case online(address: UInt8)
    /// The PD stopped answering (its retries ran out); it is polled again now and then.
    case offline(address: UInt8)
    case identified(address: UInt8, OSDPIdentity)
    case capabilities(address: UInt8, [[UInt8]])
    case card(address: UInt8, CardRead)
    case keys(address: UInt8, [Character])
    /// The PD refused a command (osdp_NAK with its reason code).
    case nak(address: UInt8, reason: UInt8)
    case rejected(ReadRejection)
    /// The serial line itself failed (unplugged adapter); the shell reopens it.
    case busFailure(String)
}

/// An OSDP control panel for the readers on one RS-485 bus, as a pure clock-driven state machine.
///
/// One command is outstanding at a time (the bus is half duplex). Each PD is identified (osdp_ID,
/// osdp_CAP), then polled; queued LED and buzzer commands go out in place of its next poll. A
/// command without a valid reply in `replyTimeout` is sent again with the same sequence number;
/// after `retries` resends the PD is offline and is tried again every `offlineRetry`, starting a
/// new conversation (sequence 0). The I/O shell writes `transmission(now:)`, feeds what it reads
/// to `receive`, and calls `poll` at `deadline`.
public struct OSDPControlPanel: Sendable {
    public struct Configuration: Hashable, Sendable {
        public var replyTimeoutMilliseconds: Int64 = 200
        public var retries: Int = 3
        public var pollIntervalMilliseconds: Int64 = 50
        public var offlineRetryMilliseconds: Int64 = 1_000
        public var useCRC = true
        /// Send the 0xFF mark byte before each packet (OSDP 2.2).
        public var mark = false
        public init() {}
    }

    struct Device: Sendable {
        var address: UInt8
        var sequence: UInt8 = 0
        var online = false
        var identified = false
        var capabilitiesKnown = false
        var queue: [OSDPCommand] = []
        var failures = 0
        var due: MonotonicInstant
    }

    struct Outstanding: Sendable {
        var device: Int
        var command: OSDPCommand
        var bytes: [UInt8]
        var sequence: UInt8
        var sentAt: MonotonicInstant
        var resends: Int
    }

    public let configuration: Configuration
    private var devices: [Device]
    private var outstanding: Outstanding?
    private var decoder = OSDPFrameDecoder()
    private var next = 0

    public init(addresses: [UInt8], configuration: Configuration = Configuration(), now: MonotonicInstant) {
        self.configuration = configuration
        self.devices = addresses.map { Device(address: $0 & 0x7F, due: now) }
    }

    /// Addresses currently answering.
    public var onlineAddresses: [UInt8] { devices.filter(\.online).map(\.address) }

    /// Queues a command (LED, buzzer) for the PD at `address`; false when no such PD is configured.
    @discardableResult
    public mutating func send(_ command: OSDPCommand, to address: UInt8) -> Bool {
        guard let index = devices.firstIndex(where: { $0.address == address }) else { return false }
        devices[index].queue.append(command)
        return true
    }

    /// When the shell should call `poll` (a reply timeout) or ask for the next transmission.
    public var deadline: MonotonicInstant? {
        if let outstanding { return outstanding.sentAt.adding(milliseconds: configuration.replyTimeoutMilliseconds) }
        return devices.map(\.due).min()
    }

    /// The next packet to write, when the bus is free and a PD is due.
    public mutating func transmission(now: MonotonicInstant) -> [UInt8]? {
        guard outstanding == nil, !devices.isEmpty else { return nil }
        for step in 0..<devices.count {
            let index = (next + step) % devices.count
            guard devices[index].due <= now else { continue }
            next = (index + 1) % devices.count
            let device = devices[index]
            let command: OSDPCommand
            if !device.identified {
                command = .id
            } else if !device.capabilitiesKnown {
                command = .capabilities
            } else if let queued = device.queue.first {
                command = queued
            } else {
                command = .poll
            }
            let packet = OSDPPacket(
                address: device.address, sequence: device.sequence, useCRC: configuration.useCRC, code: command.code,
                data: command.data)
            let bytes = packet.encoded(mark: configuration.mark)
            outstanding = Outstanding(
                device: index, command: command, bytes: bytes, sequence: device.sequence, sentAt: now, resends: 0)
            return bytes
        }
        return nil
    }

    /// Handles a reply timeout: resend, or declare the PD offline.
    public mutating func poll(now: MonotonicInstant) -> (events: [OSDPEvent], resend: [UInt8]?) {
        guard var pending = outstanding,
            now.nanoseconds(since: pending.sentAt) >= configuration.replyTimeoutMilliseconds * 1_000_000
        else {
            return ([], nil)
        }
        let index = pending.device
        if devices[index].online, pending.resends < configuration.retries {
            pending.resends += 1
            pending.sentAt = now
            outstanding = pending
            return ([], pending.bytes)
        }
        outstanding = nil
        var events: [OSDPEvent] = []
        if devices[index].online {
            events.append(.offline(address: devices[index].address))
        }
        devices[index].online = false
        devices[index].identified = false
        devices[index].capabilitiesKnown = false
        devices[index].sequence = 0
        devices[index].due = now.adding(milliseconds: configuration.offlineRetryMilliseconds)
        return (events, nil)
    }

    /// Feeds bytes read from the bus.
    public mutating func receive(_ bytes: some Sequence<UInt8>, now: MonotonicInstant) -> [OSDPEvent] {
        var events: [OSDPEvent] = []
        for event in decoder.feed(bytes) {
            switch event {
            case let .rejected(rejection):
                events.append(.rejected(rejection))
            case let .packet(packet):
                // On a two-wire bus the panel hears its own commands: only replies count.
                guard packet.isReply else { continue }
                events += handle(packet, now: now)
            }
        }
        return events
    }

    private mutating func handle(_ packet: OSDPPacket, now: MonotonicInstant) -> [OSDPEvent] {
        guard let pending = outstanding, devices[pending.device].address == packet.address,
            packet.sequence == pending.sequence
        else {
            // A late reply to a command given up on, or a PD answering out of turn.
            return []
        }
        let index = pending.device
        let address = devices[index].address
        outstanding = nil
        var events: [OSDPEvent] = []
        if !devices[index].online {
            devices[index].online = true
            events.append(.online(address: address))
        }
        devices[index].failures = 0
        devices[index].due = now.adding(milliseconds: configuration.pollIntervalMilliseconds)
        let reply = OSDPReply.parse(code: packet.code, data: packet.data)
        if case .busy = reply {
            // Same command, same sequence, a little later.
            return events
        }
        devices[index].sequence = pending.sequence == 3 ? 1 : pending.sequence + 1
        if ![.poll, .id, .capabilities].contains(pending.command), devices[index].queue.first == pending.command {
            devices[index].queue.removeFirst()
        }
        switch reply {
        case .ack, .busy:
            break
        case let .nak(reason):
            events.append(.nak(address: address, reason: reason))
            if reason == 0x04 {
                // Sequence error: start the conversation again.
                devices[index].sequence = 0
                devices[index].identified = false
                devices[index].capabilitiesKnown = false
            }
        case let .identity(identity):
            devices[index].identified = true
            events.append(.identified(address: address, identity))
        case let .capabilities(list):
            devices[index].capabilitiesKnown = true
            events.append(.capabilities(address: address, list))
        case let .rawCard(_, _, bitCount, data):
            let bits = (0..<bitCount).map { data[$0 / 8] >> (7 - UInt8($0 % 8)) & 1 == 1 }
            switch WiegandDecoder.decode(WiegandFrame(bits: bits)) {
            case let .success(.card(read)): events.append(.card(address: address, read))
            case let .success(.keys(keys)): events.append(.keys(address: address, keys))
            case let .failure(rejection): events.append(.rejected(rejection))
            }
        case let .keypad(_, keys):
            events.append(.keys(address: address, keys.compactMap(Self.key)))
        case let .other(code, _):
            if code != 0x48 && code != 0x49 && code != 0x4A {  // status reports are fine to ignore here
                events.append(.rejected(.invalidCharacter(code)))
            }
        }
        // Any answer but a sequence error settles the identity and capability steps; they are
        // asked again only when the PD comes back from offline.
        if reply != .nak(reason: 0x04) {
            if pending.command == .id { devices[index].identified = true }
            if pending.command == .capabilities { devices[index].capabilitiesKnown = true }
        }
        return events
    }

    /// Keypad bytes as keys: ASCII digits, `*` (or DEL, 0x7F) and `#` (or CR, 0x0D).
    static func key(_ byte: UInt8) -> Character? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Character(UnicodeScalar(byte))
        case UInt8(ascii: "*"), 0x7F: "*"
        case UInt8(ascii: "#"), 0x0D: "#"
        default: nil
        }
    }
}
