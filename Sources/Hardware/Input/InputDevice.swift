import CLinux
import LinuxSystem
import PorteroModel
#if canImport(Glibc)
import Glibc
#endif

/// One `struct input_event` from an evdev device.
public struct InputEvent: Hashable, Sendable {
    public var type: UInt16
    public var code: UInt16
    public var value: Int32
    /// The kernel's timestamp (CLOCK_REALTIME by default for evdev; kept for logs, not for timeouts).
    public var seconds: Int64
    public var microseconds: Int64

    public static let typeKey: UInt16 = 1  // EV_KEY
    public static let typeSync: UInt16 = 0  // EV_SYN
    public static let syncReport: UInt16 = 0  // SYN_REPORT
    /// The client's buffer overflowed and the kernel dropped events (SYN_DROPPED).
    public static let syncDropped: UInt16 = 3

    public init(type: UInt16, code: UInt16, value: Int32, seconds: Int64 = 0, microseconds: Int64 = 0) {
        self.type = type
        self.code = code
        self.value = value
        self.seconds = seconds
        self.microseconds = microseconds
    }
}

/// An evdev input device (`/dev/input/eventN`): a USB keyboard-wedge card reader or PIN pad.
///
/// Grabbed exclusively (EVIOCGRAB) so the digits of a card never reach a console or a login
/// prompt; read non-blocking from the daemon's poll loop.
public final class InputDevice {
    public let path: String
    public let descriptor: FileDescriptor
    /// The name the device reports (EVIOCGNAME).
    public let name: String
    public private(set) var grabbed = false

    public init(path: String, grab: Bool = true) throws(SystemCallError) {
        descriptor = try FileDescriptor.open(path, flags: O_RDONLY | O_NONBLOCK)
        self.path = path
        var buffer = [CChar](repeating: 0, count: 256)
        let fd = descriptor.rawValue
        _ = try? system("ioctl(EVIOCGNAME)", path) {
            buffer.withUnsafeMutableBytes { portero_ioctl_ptr(fd, portero_EVIOCGNAME(256), $0.baseAddress) }
        }
        name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if grab {
            try system("ioctl(EVIOCGRAB)", path) { portero_ioctl_int(fd, portero_EVIOCGRAB, 1) }
            grabbed = true
        }
    }

    /// The events waiting (never blocks). Throws ENODEV once the device was unplugged.
    public func readEvents() throws(SystemCallError) -> [InputEvent] {
        let size = MemoryLayout<input_event>.stride
        guard let bytes = try descriptor.read(maximum: size * 64) else { return [] }
        if bytes.isEmpty { throw SystemCallError("read", path, .noSuchDevice) }
        var events: [InputEvent] = []
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + size <= raw.count {
                let event = raw.loadUnaligned(fromByteOffset: offset, as: input_event.self)
                events.append(
                    InputEvent(
                        type: event.type, code: event.code, value: event.value,
                        seconds: Int64(event.time.tv_sec), microseconds: Int64(event.time.tv_usec)))
                offset += size
            }
        }
        return events
    }

    public func close() {
        if grabbed {
            _ = portero_ioctl_int(descriptor.rawValue, portero_EVIOCGRAB, 0)
            grabbed = false
        }
        descriptor.close()
    }

    deinit { close() }
}

@available(*, unavailable, message: "Owned by the daemon's loop thread")
extension InputDevice: Sendable {}
