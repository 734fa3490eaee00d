import CLinux
import LinuxSystem
#if canImport(Glibc)
import Glibc
#endif

/// How a serial line is set up.
public struct SerialSettings: Hashable, Sendable, Codable {
    public enum Parity: String, Sendable, Codable {
        case none, even, odd
    }

    /// RS-485 half duplex: the driver drives RTS to switch the transceiver around each send.
    public enum RS485: String, Sendable, Codable {
        /// Leave the driver as it is (RS-232, USB serial, or an adapter that switches by itself).
        case off
        /// Enable it where the driver supports TIOCSRS485; go on without it where not.
        case ifSupported = "if_supported"
        /// Enable it or fail: a bus whose transceiver is not switched would never hear a reply.
        case required
    }

    public var baud: Int
    public var parity: Parity
    public var dataBits: Int
    public var stopBits: Int
    public var rs485: RS485

    public init(baud: Int = 9600, parity: Parity = .none, dataBits: Int = 8, stopBits: Int = 1, rs485: RS485 = .off) {
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
        self.rs485 = rs485
    }

    static let speeds: [Int: speed_t] = [
        1200: speed_t(B1200), 2400: speed_t(B2400), 4800: speed_t(B4800), 9600: speed_t(B9600), 19200: speed_t(B19200),
        38400: speed_t(B38400), 57600: speed_t(B57600), 115_200: speed_t(B115200), 230_400: speed_t(B230400),
    ]
}

/// Why a serial port could not be used.
public enum SerialPortError: Error, Hashable, Sendable, CustomStringConvertible {
    case system(SystemCallError)
    case unsupportedSetting(path: String, setting: String)

    public var description: String {
        switch self {
        case let .system(error): "\(error)"
        case let .unsupportedSetting(path, setting): "\(path): \(setting)"
        }
    }
}

/// A serial line in raw mode, non-blocking, for the daemon's poll loop: card readers (RDM6300 at
/// 9600 8N1) and OSDP buses over RS-485.
///
/// Opened with `O_NOCTTY` (a reader must never become the daemon's controlling terminal) and
/// `TIOCEXCL` (a second program opening the same reader would steal half its bytes).
public final class SerialPort {
    public let path: String
    public let settings: SerialSettings
    public let descriptor: FileDescriptor
    /// True when RS-485 direction control was switched on in the driver.
    public private(set) var rs485Enabled = false

    public init(path: String, settings: SerialSettings = SerialSettings()) throws(SerialPortError) {
        guard let speed = SerialSettings.speeds[settings.baud] else {
            throw .unsupportedSetting(
                path: path, setting: "baud \(settings.baud) (use one of \(SerialSettings.speeds.keys.sorted()))")
        }
        guard (5...8).contains(settings.dataBits), (1...2).contains(settings.stopBits) else {
            throw .unsupportedSetting(
                path: path, setting: "\(settings.dataBits) data bits and \(settings.stopBits) stop bits")
        }
        do {
            descriptor = try FileDescriptor.open(path, flags: O_RDWR | O_NOCTTY | O_NONBLOCK)
        } catch {
            throw .system(error)
        }
        self.path = path
        self.settings = settings
        try configure(speed: speed)
    }

    private func configure(speed: speed_t) throws(SerialPortError) {
        do {
            try applySettings(speed: speed)
        } catch {
            throw .system(error)
        }
        if settings.rs485 != .off {
            var rs485 = serial_rs485()
            rs485.flags = UInt32(portero_SER_RS485_ENABLED | portero_SER_RS485_RTS_ON_SEND)
            let fd = descriptor.rawValue
            do {
                try system("ioctl(TIOCSRS485)", path) { portero_ioctl_ptr(fd, portero_TIOCSRS485, &rs485) }
                rs485Enabled = true
            } catch {
                if settings.rs485 == .required {
                    throw .unsupportedSetting(
                        path: path, setting: "the driver cannot switch RS-485 direction (\(error.errno))")
                }
            }
        }
    }

    private func applySettings(speed: speed_t) throws(SystemCallError) {
        let fd = descriptor.rawValue
        try system("ioctl(TIOCEXCL)", path) { portero_ioctl_int(fd, portero_TIOCEXCL, 0) }
        var attributes = termios()
        try system("tcgetattr", path) { tcgetattr(fd, &attributes) }
        cfmakeraw(&attributes)
        attributes.c_cflag &= ~(tcflag_t(CSIZE | PARENB | PARODD | CSTOPB) | tcflag_t(CRTSCTS))
        attributes.c_cflag |= tcflag_t(CLOCAL | CREAD)
        switch settings.dataBits {
        case 5: attributes.c_cflag |= tcflag_t(CS5)
        case 6: attributes.c_cflag |= tcflag_t(CS6)
        case 7: attributes.c_cflag |= tcflag_t(CS7)
        default: attributes.c_cflag |= tcflag_t(CS8)
        }
        switch settings.parity {
        case .none: break
        case .even: attributes.c_cflag |= tcflag_t(PARENB)
        case .odd: attributes.c_cflag |= tcflag_t(PARENB | PARODD)
        }
        if settings.stopBits == 2 { attributes.c_cflag |= tcflag_t(CSTOPB) }
        // VMIN 1, VTIME 0: with O_NONBLOCK an idle line answers EAGAIN. (VMIN 0 would make it
        // answer 0 bytes, which is indistinguishable from a hang-up.)
        withUnsafeMutableBytes(of: &attributes.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        try system("cfsetispeed", path) { cfsetispeed(&attributes, speed) }
        try system("cfsetospeed", path) { cfsetospeed(&attributes, speed) }
        try system("tcsetattr", path) { tcsetattr(fd, TCSANOW, &attributes) }
        try system("tcflush", path) { tcflush(fd, TCIOFLUSH) }
    }

    /// The termios settings in force, read back from the driver.
    public func currentAttributes() throws(SystemCallError) -> termios {
        var attributes = termios()
        try system("tcgetattr", path) { tcgetattr(descriptor.rawValue, &attributes) }
        return attributes
    }

    /// True when the driver holds the line in exclusive mode (TIOCGEXCL).
    public func isExclusive() throws(SystemCallError) -> Bool {
        var flag: Int32 = 0
        try system("ioctl(TIOCGEXCL)", path) { portero_ioctl_ptr(descriptor.rawValue, portero_TIOCGEXCL, &flag) }
        return flag != 0
    }

    /// Bytes waiting, without blocking: nil when none, empty when the device is gone (hang-up).
    public func readAvailable(maximum: Int = 512) throws(SystemCallError) -> [UInt8]? {
        try descriptor.read(maximum: maximum)
    }

    public func write(_ bytes: [UInt8]) throws(SystemCallError) {
        try descriptor.write(bytes)
    }

    /// Waits until every byte written has left the UART (before turning an RS-485 bus around by hand).
    public func drain() throws(SystemCallError) {
        try system("tcdrain", path) { tcdrain(descriptor.rawValue) }
    }

    public func close() { descriptor.close() }
}

@available(*, unavailable, message: "A serial port is owned by the daemon's loop thread")
extension SerialPort: Sendable {}
