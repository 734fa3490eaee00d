import CLinux
import Foundation
import LinuxSystem
#if canImport(Glibc)
import Glibc
#endif

/// A keyboard made through uinput: types what a keyboard-wedge reader or a QR scanner in keyboard
/// mode would, for the kernel-device tests; the daemon reads it like any other evdev device.
public final class VirtualKeyboard {
    public let descriptor: FileDescriptor
    /// `/dev/input/eventN` of the created device, found through sysfs.
    public private(set) var eventPath: String?

    /// Key codes it can type: digits, keypad, A–F, Enter, Shift, keypad `*`.
    static let keys: [UInt16] = Array(1...58) + Array(71...83) + [96, 98]

    public init(name: String = "Portero virtual wedge reader", uinputPath: String = "/dev/uinput") throws {
        descriptor = try FileDescriptor.open(uinputPath, flags: O_WRONLY | O_NONBLOCK)
        let fd = descriptor.rawValue
        try system("ioctl(UI_SET_EVBIT)", uinputPath) {
            portero_ioctl_int(fd, portero_UI_SET_EVBIT, Int32(InputEvent.typeKey))
        }
        for key in Self.keys {
            try system("ioctl(UI_SET_KEYBIT)", uinputPath) { portero_ioctl_int(fd, portero_UI_SET_KEYBIT, Int32(key)) }
        }
        var setup = uinput_setup()
        setup.id.bustype = 0x03  // BUS_USB
        setup.id.vendor = 0x1209
        setup.id.product = 0x0001
        withUnsafeMutableBytes(of: &setup.name) { buffer in
            for (index, byte) in name.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        try system("ioctl(UI_DEV_SETUP)", uinputPath) { portero_ioctl_ptr(fd, portero_UI_DEV_SETUP, &setup) }
        try system("ioctl(UI_DEV_CREATE)", uinputPath) { portero_ioctl_int(fd, portero_UI_DEV_CREATE, 0) }
        var sysname = [CChar](repeating: 0, count: 64)
        if (try? system(
            "ioctl(UI_GET_SYSNAME)", uinputPath,
            { sysname.withUnsafeMutableBytes { portero_ioctl_ptr(fd, portero_UI_GET_SYSNAME(64), $0.baseAddress) } }))
            != nil
        {
            let input = String(decoding: sysname.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let directory = "/sys/devices/virtual/input/\(input)"
            // The eventN node appears once udev (or devtmpfs) has made it; the test waits for it.
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: directory),
                let event = entries.first(where: { $0.hasPrefix("event") })
            {
                eventPath = "/dev/input/\(event)"
            }
        }
    }

    deinit {
        _ = portero_ioctl_int(descriptor.rawValue, portero_UI_DEV_DESTROY, 0)
    }

    /// Emits one key press and release, each followed by a sync report.
    public func tap(_ code: UInt16, shifted: Bool = false) throws {
        if shifted { try emit([InputEvent(type: InputEvent.typeKey, code: 42, value: 1)]) }
        try emit([InputEvent(type: InputEvent.typeKey, code: code, value: 1)])
        try emit([InputEvent(type: InputEvent.typeKey, code: code, value: 0)])
        if shifted { try emit([InputEvent(type: InputEvent.typeKey, code: 42, value: 0)]) }
    }

    /// Types digits and letters A–F as a wedge reader does, then Enter.
    public func type(_ text: String, enter: Bool = true) throws {
        let codes: [Character: UInt16] = [
            "1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "0": 11,
            "A": 30, "B": 48, "C": 46, "D": 32, "E": 18, "F": 33,
        ]
        for character in text.uppercased() {
            guard let code = codes[character] else { continue }
            try tap(code)
        }
        if enter { try tap(28) }
    }

    func emit(_ events: [InputEvent]) throws {
        for event in events + [InputEvent(type: InputEvent.typeSync, code: 0, value: 0)] {
            var raw = input_event()
            raw.type = event.type
            raw.code = event.code
            raw.value = event.value
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            try descriptor.write(bytes)
        }
    }
}

@available(*, unavailable, message: "Owned by one thread")
extension VirtualKeyboard: Sendable {}
