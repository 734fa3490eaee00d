/// Commands a control panel sends (the subset a door controller needs).
public enum OSDPCommand: Hashable, Sendable {
    case poll
    case id
    case capabilities
    case led(OSDPLED)
    case buzzer(OSDPBuzzer)

    public var code: UInt8 {
        switch self {
        case .poll: 0x60
        case .id: 0x61
        case .capabilities: 0x62
        case .led: 0x69
        case .buzzer: 0x6A
        }
    }

    public var data: [UInt8] {
        switch self {
        case .poll: []
        case .id, .capabilities: [0x00]
        case let .led(led): led.encoded
        case let .buzzer(buzzer): buzzer.encoded
        }
    }
}

/// LED colours of osdp_LED.
public enum OSDPColor: UInt8, Sendable, Codable {
    case black = 0, red, green, amber, blue, magenta, cyan, white
}

/// A temporary LED pattern (osdp_LED with the temporary control code 2): `onColor` for
/// `onTime`, `offColor` for `offTime`, repeated for `duration`; the permanent state is left alone.
public struct OSDPLED: Hashable, Sendable {
    public var reader: UInt8 = 0
    public var led: UInt8 = 0
    public var onColor: OSDPColor
    public var offColor: OSDPColor = .black
    /// Units of 100 ms.
    public var onTime: UInt8
    public var offTime: UInt8 = 0
    /// Units of 100 ms.
    public var duration: UInt16

    public init(
        onColor: OSDPColor, onTime: UInt8 = 10, offColor: OSDPColor = .black, offTime: UInt8 = 0, duration: UInt16 = 20
    ) {
        self.onColor = onColor
        self.onTime = onTime
        self.offColor = offColor
        self.offTime = offTime
        self.duration = duration
    }

    var encoded: [UInt8] {
        [
            reader, led, 0x02, onTime, offTime, onColor.rawValue, offColor.rawValue, UInt8(duration & 0xFF),
            UInt8(duration >> 8),
            0x00, 0, 0, 0, 0,
        ]
    }
}

/// A buzzer pattern (osdp_BUZ): the default tone `count` times, `onTime`/`offTime` in 100 ms units.
public struct OSDPBuzzer: Hashable, Sendable {
    public var reader: UInt8 = 0
    public var onTime: UInt8
    public var offTime: UInt8
    public var count: UInt8

    public init(onTime: UInt8 = 2, offTime: UInt8 = 1, count: UInt8 = 2) {
        self.onTime = onTime
        self.offTime = offTime
        self.count = count
    }

    var encoded: [UInt8] { [reader, 0x02, onTime, offTime, count] }
}

/// The identity a PD reports (osdp_PDID).
public struct OSDPIdentity: Hashable, Sendable {
    public var vendorCode: UInt32
    public var model: UInt8
    public var version: UInt8
    public var serialNumber: UInt32
    public var firmware: String

    public init(vendorCode: UInt32, model: UInt8, version: UInt8, serialNumber: UInt32, firmware: String) {
        self.vendorCode = vendorCode
        self.model = model
        self.version = version
        self.serialNumber = serialNumber
        self.firmware = firmware
    }
}

/// Replies from a PD.
public enum OSDPReply: Hashable, Sendable {
    case ack
    case nak(reason: UInt8)
    case identity(OSDPIdentity)
    /// (function code, compliance level, number of items) triples.
    case capabilities([[UInt8]])
    /// osdp_RAW: card data as bits.
    case rawCard(reader: UInt8, format: UInt8, bitCount: Int, data: [UInt8])
    /// osdp_KEYPAD: keys as ASCII.
    case keypad(reader: UInt8, keys: [UInt8])
    case busy
    case other(code: UInt8, data: [UInt8])

    /// Parses a reply's code and data; malformed data becomes `.other` for the caller to count.
    public static func parse(code: UInt8, data: [UInt8]) -> OSDPReply {
        switch code {
        case 0x40: return .ack
        case 0x41: return .nak(reason: data.first ?? 0)
        case 0x45 where data.count >= 12:
            let vendor = UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16
            let serial = UInt32(data[5]) | UInt32(data[6]) << 8 | UInt32(data[7]) << 16 | UInt32(data[8]) << 24
            return .identity(
                OSDPIdentity(
                    vendorCode: vendor, model: data[3], version: data[4], serialNumber: serial,
                    firmware: "\(data[9]).\(data[10]).\(data[11])"))
        case 0x46 where data.count % 3 == 0:
            return .capabilities(stride(from: 0, to: data.count, by: 3).map { Array(data[$0..<($0 + 3)]) })
        case 0x50 where data.count >= 4:
            let bits = Int(data[2]) | Int(data[3]) << 8
            let payload = Array(data[4...])
            guard bits <= payload.count * 8 else { return .other(code: code, data: data) }
            return .rawCard(reader: data[0], format: data[1], bitCount: bits, data: payload)
        case 0x53 where data.count >= 2:
            let count = Int(data[1])
            guard data.count >= 2 + count else { return .other(code: code, data: data) }
            return .keypad(reader: data[0], keys: Array(data[2..<(2 + count)]))
        case 0x79: return .busy
        default: return .other(code: code, data: data)
        }
    }
}
