import CGPIOD
import CLinux
import LinuxSystem
import PorteroModel
#if canImport(Glibc)
import Glibc
#endif

/// A GPIO chip through libgpiod 1.6, the API Debian 12 and Raspberry Pi OS ship.
///
/// Input events are read from the line's event descriptor, made non-blocking, when the daemon's
/// poll loop says it is readable; no thread ever waits in `gpiod_line_event_wait`.
public final class LibgpiodChip: GPIOChip {
    let handle: OpaquePointer
    public let name: String
    public let label: String
    public let lineCount: Int

    /// Opens a chip by name (`gpiochip0`), path (`/dev/gpiochip0`), label (`pinctrl-bcm2711`) or number.
    public init(lookup: String) throws {
        guard let chip = gpiod_chip_open_lookup(lookup) else {
            throw GPIOError(chip: lookup, offset: nil, reason: "cannot open the chip: \(Errno.current)")
        }
        handle = chip
        name = String(cString: gpiod_chip_name(chip))
        label = String(cString: gpiod_chip_label(chip))
        lineCount = Int(gpiod_chip_num_lines(chip))
    }

    deinit { gpiod_chip_close(handle) }

    func line(_ offset: UInt32) throws -> OpaquePointer {
        guard offset < lineCount else {
            throw GPIOError(chip: name, offset: offset, reason: "the chip has \(lineCount) lines")
        }
        guard let line = gpiod_chip_get_line(handle, offset) else {
            throw GPIOError(chip: name, offset: offset, reason: "cannot get the line: \(Errno.current)")
        }
        return line
    }

    public func requestOutput(offset: UInt32, consumer: String, initiallyActive: Bool, activeLow: Bool) throws
        -> any OutputLine
    {
        let line = try line(offset)
        let flags = activeLow ? portero_gpiod_flag_active_low() : 0
        let rc = consumer.withCString { name in
            var config = gpiod_line_request_config(
                consumer: name, request_type: Int32(GPIOD_LINE_REQUEST_DIRECTION_OUTPUT), flags: flags)
            return gpiod_line_request(line, &config, initiallyActive ? 1 : 0)
        }
        guard rc == 0 else {
            throw GPIOError(chip: name, offset: offset, reason: "cannot request it as an output: \(Errno.current)")
        }
        return LibgpiodOutput(chip: self, line: line, offset: offset)
    }

    public func requestInput(offset: UInt32, consumer: String, edges: Edges, bias: Bias, activeLow: Bool) throws
        -> any InputLine
    {
        let line = try line(offset)
        var flags: Int32 = activeLow ? portero_gpiod_flag_active_low() : 0
        switch bias {
        case .asIs: break
        case .disabled: flags |= portero_gpiod_flag_bias_disable()
        case .pullUp: flags |= portero_gpiod_flag_bias_pull_up()
        case .pullDown: flags |= portero_gpiod_flag_bias_pull_down()
        }
        let rc: Int32 = consumer.withCString { name in
            switch edges {
            case .rising: gpiod_line_request_rising_edge_events_flags(line, name, flags)
            case .falling: gpiod_line_request_falling_edge_events_flags(line, name, flags)
            case .both: gpiod_line_request_both_edges_events_flags(line, name, flags)
            }
        }
        guard rc == 0 else {
            throw GPIOError(chip: name, offset: offset, reason: "cannot request it for edge events: \(Errno.current)")
        }
        let fd = gpiod_line_event_get_fd(line)
        guard fd >= 0 else {
            gpiod_line_release(line)
            throw GPIOError(chip: name, offset: offset, reason: "no event descriptor: \(Errno.current)")
        }
        let flagsNow = portero_fcntl_getfl(fd)
        guard flagsNow >= 0, portero_fcntl_setfl(fd, flagsNow | O_NONBLOCK) == 0 else {
            gpiod_line_release(line)
            throw GPIOError(
                chip: name, offset: offset, reason: "cannot make the event descriptor non-blocking: \(Errno.current)")
        }
        return LibgpiodInput(chip: self, line: line, offset: offset, descriptor: fd)
    }
}

@available(*, unavailable, message: "libgpiod handles are used from the daemon's loop thread only")
extension LibgpiodChip: Sendable {}

final class LibgpiodOutput: OutputLine {
    let chip: LibgpiodChip  // keeps the chip open while the line is held
    private var line: OpaquePointer?
    let offset: UInt32

    init(chip: LibgpiodChip, line: OpaquePointer, offset: UInt32) {
        self.chip = chip
        self.line = line
        self.offset = offset
    }

    func set(active: Bool) throws {
        guard let line else { throw GPIOError(chip: chip.name, offset: offset, reason: "the line was released") }
        guard gpiod_line_set_value(line, active ? 1 : 0) == 0 else {
            throw GPIOError(chip: chip.name, offset: offset, reason: "cannot set the value: \(Errno.current)")
        }
    }

    func release() {
        if let line { gpiod_line_release(line) }
        line = nil
    }

    deinit { release() }
}

final class LibgpiodInput: InputLine {
    let chip: LibgpiodChip
    private var line: OpaquePointer?
    let offset: UInt32
    let pollDescriptor: Int32

    init(chip: LibgpiodChip, line: OpaquePointer, offset: UInt32, descriptor: Int32) {
        self.chip = chip
        self.line = line
        self.offset = offset
        self.pollDescriptor = descriptor
    }

    func isActive() throws -> Bool {
        guard let line else { throw GPIOError(chip: chip.name, offset: offset, reason: "the line was released") }
        let value = gpiod_line_get_value(line)
        guard value >= 0 else {
            throw GPIOError(chip: chip.name, offset: offset, reason: "cannot read the value: \(Errno.current)")
        }
        return value == 1
    }

    func readEvents() throws -> [LineEvent] {
        guard line != nil else { throw GPIOError(chip: chip.name, offset: offset, reason: "the line was released") }
        var events: [LineEvent] = []
        var buffer = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
        while true {
            let count = gpiod_line_event_read_fd_multiple(pollDescriptor, &buffer, UInt32(buffer.count))
            if count < 0 {
                let error = Errno.current
                if error == .wouldBlock { break }
                if error == .interrupted { continue }
                throw GPIOError(chip: chip.name, offset: offset, reason: "cannot read events: \(error)")
            }
            for event in buffer.prefix(Int(count)) {
                events.append(
                    LineEvent(
                        offset: offset, rising: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE),
                        at: MonotonicInstant(
                            nanoseconds: Int64(event.ts.tv_sec) * 1_000_000_000 + Int64(event.ts.tv_nsec))))
            }
            if Int(count) < buffer.count { break }
        }
        return events
    }

    func release() {
        if let line { gpiod_line_release(line) }
        line = nil
    }

    deinit { release() }
}
