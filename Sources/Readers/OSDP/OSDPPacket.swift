/// One OSDP packet (IEC 60839-11-5): SOM 0x53, address, length, control, code, data, and a
/// CRC-16 or an 8-bit checksum. Replies carry the PD's address with the high bit set.
public struct OSDPPacket: Hashable, Sendable {
    public var address: UInt8
    public var isReply: Bool
    /// Sequence number 0–3; 0 (re)starts a conversation.
    public var sequence: UInt8
    /// CRC-16 when true, the 8-bit checksum when false.
    public var useCRC: Bool
    public var code: UInt8
    public var data: [UInt8]

    public init(
        address: UInt8, isReply: Bool = false, sequence: UInt8, useCRC: Bool = true, code: UInt8, data: [UInt8] = []
    ) {
        self.address = address & 0x7F
        self.isReply = isReply
        self.sequence = sequence & 0x03
        self.useCRC = useCRC
        self.code = code
        self.data = data
    }

    static let startOfMessage: UInt8 = 0x53
    static let mark: UInt8 = 0xFF
    /// The largest packet we accept; PDs advertise less (osdp_PDCAP receive buffer), 1,440 is generous.
    static let maximumLength = 1_440

    /// The bytes on the wire, with the 0xFF mark byte first when `mark` is set (OSDP 2.2).
    public func encoded(mark: Bool = false) -> [UInt8] {
        let length = 6 + data.count + (useCRC ? 2 : 1)
        var bytes: [UInt8] =
            [
                Self.startOfMessage, address | (isReply ? 0x80 : 0), UInt8(length & 0xFF), UInt8(length >> 8),
                sequence | (useCRC ? 0x04 : 0), code,
            ] + data
        if useCRC {
            let crc = OSDPChecks.crc16(bytes)
            bytes += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        } else {
            bytes.append(OSDPChecks.checksum(bytes))
        }
        return mark ? [Self.mark] + bytes : bytes
    }
}

/// The integrity checks of OSDP.
public enum OSDPChecks {
    /// CRC-16/AUG-CCITT: polynomial 0x1021, initial value 0x1D0F, no reflection, sent little-endian.
    public static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0x1D0F
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    /// The 8-bit checksum: the two's complement of the sum of every byte before it.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt8 {
        UInt8(truncatingIfNeeded: 0 &- bytes.reduce(0) { $0 &+ Int($1) })
    }
}

/// Splits a byte stream into OSDP packets, checking length and CRC or checksum. Pure and
/// incremental; on garbage or a failed check it drops one byte and looks for the next SOM.
public struct OSDPFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var noise = 0

    public enum Event: Hashable, Sendable {
        case packet(OSDPPacket)
        case rejected(ReadRejection)
    }

    public init() {}

    /// Bytes held while a packet is incomplete.
    public var pendingCount: Int { buffer.count }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        while true {
            // Resynchronise on SOM; mark bytes (0xFF) between packets are not noise.
            guard let start = buffer.firstIndex(of: OSDPPacket.startOfMessage) else {
                noise += buffer.filter { $0 != OSDPPacket.mark }.count
                buffer.removeAll(keepingCapacity: true)
                break
            }
            if start > 0 {
                noise += buffer[..<start].filter { $0 != OSDPPacket.mark }.count
                buffer.removeFirst(start)
            }
            if noise > 0 {
                events.append(.rejected(.noise(byteCount: noise)))
                noise = 0
            }
            guard buffer.count >= 5 else { break }
            let length = Int(buffer[2]) | Int(buffer[3]) << 8
            let control = buffer[4]
            let minimum = 7 + (control & 0x04 != 0 ? 1 : 0)
            guard length >= minimum, length <= OSDPPacket.maximumLength else {
                events.append(.rejected(.truncatedFrame(received: length)))
                buffer.removeFirst()
                continue
            }
            guard buffer.count >= length else { break }
            let packet = Array(buffer[0..<length])
            if control & 0x04 != 0 {
                let expected = OSDPChecks.crc16(packet[0..<(length - 2)])
                let received = UInt16(packet[length - 2]) | UInt16(packet[length - 1]) << 8
                guard expected == received else {
                    events.append(
                        .rejected(.badChecksum(expected: UInt8(expected & 0xFF), received: UInt8(received & 0xFF))))
                    buffer.removeFirst()
                    continue
                }
            } else {
                let expected = OSDPChecks.checksum(packet[0..<(length - 1)])
                guard expected == packet[length - 1] else {
                    events.append(.rejected(.badChecksum(expected: expected, received: packet[length - 1])))
                    buffer.removeFirst()
                    continue
                }
            }
            buffer.removeFirst(length)
            if control & 0x08 != 0 {
                // A secure channel block: this control panel runs OSDP in the clear (see ARCHITECTURE.md).
                events.append(.rejected(.invalidCharacter(control)))
                continue
            }
            let trailer = control & 0x04 != 0 ? 2 : 1
            events.append(
                .packet(
                    OSDPPacket(
                        address: packet[1] & 0x7F, isReply: packet[1] & 0x80 != 0, sequence: control & 0x03,
                        useCRC: control & 0x04 != 0, code: packet[5], data: Array(packet[6..<(length - trailer)]))))
        }
        return events
    }
}
