import CLinux
import LinuxSystem
import PorteroModel
#if canImport(Glibc)
import Glibc
#endif

/// A GPIO chip in memory, behind the same protocol as `LibgpiodChip`: for unit tests and the demo's
/// simulated branch. Outputs record what the daemon drove; inputs are driven by the test (or the
/// simulator) and deliver edge events through an eventfd, so the daemon's poll loop treats them
/// exactly like the kernel's.
public final class SimulatedGPIOChip: GPIOChip {
    public let name: String
    public let label: String
    public let lineCount: Int

    /// Physical level of each line (before any active-low inversion), and who holds it.
    private var levels: [Bool]
    private var requested: [UInt32: Request] = [:]

    enum Request {
        case output(activeLow: Bool)
        case input(SimulatedInput)
    }

    public init(name: String = "gpiochip-sim", label: String = "portero-sim", lineCount: Int = 32) {
        self.name = name
        self.label = label
        self.lineCount = lineCount
        self.levels = Array(repeating: false, count: lineCount)
    }

    // MARK: The simulator's side

    /// The physical level of a line (what a meter on the pin would show).
    public func level(of offset: UInt32) -> Bool { levels[Int(offset)] }

    /// True while a consumer holds the line.
    public func isRequested(_ offset: UInt32) -> Bool { requested[offset] != nil }

    /// Drives an input line's physical level at `at`, producing an edge event where one is requested.
    public func drive(_ offset: UInt32, level: Bool, at: MonotonicInstant = .now()) {
        guard Int(offset) < lineCount, levels[Int(offset)] != level else { return }
        levels[Int(offset)] = level
        if case let .input(input) = requested[offset] {
            input.edge(physicalLevel: level, at: at)
        }
    }

    // MARK: GPIOChip

    func checkFree(_ offset: UInt32) throws {
        guard Int(offset) < lineCount else {
            throw GPIOError(chip: name, offset: offset, reason: "the chip has \(lineCount) lines")
        }
        guard requested[offset] == nil else {
            throw GPIOError(chip: name, offset: offset, reason: "cannot request it: \(Errno.busy)")
        }
    }

    public func requestOutput(offset: UInt32, consumer: String, initiallyActive: Bool, activeLow: Bool) throws
        -> any OutputLine
    {
        try checkFree(offset)
        requested[offset] = .output(activeLow: activeLow)
        levels[Int(offset)] = initiallyActive != activeLow
        return SimulatedOutput(chip: self, offset: offset, activeLow: activeLow)
    }

    public func requestInput(offset: UInt32, consumer: String, edges: Edges, bias: Bias, activeLow: Bool) throws
        -> any InputLine
    {
        try checkFree(offset)
        switch bias {
        case .pullUp: levels[Int(offset)] = true
        case .pullDown: levels[Int(offset)] = false
        case .asIs, .disabled: break
        }
        let input = try SimulatedInput(chip: self, offset: offset, edges: edges, activeLow: activeLow)
        requested[offset] = .input(input)
        return input
    }

    func set(_ offset: UInt32, level: Bool) { levels[Int(offset)] = level }

    func release(_ offset: UInt32) { requested[offset] = nil }
}

@available(*, unavailable, message: "Used from one thread, like the real chip")
extension SimulatedGPIOChip: Sendable {}

final class SimulatedOutput: OutputLine {
    weak var chip: SimulatedGPIOChip?
    let offset: UInt32
    let activeLow: Bool
    private var released = false

    init(chip: SimulatedGPIOChip, offset: UInt32, activeLow: Bool) {
        self.chip = chip
        self.offset = offset
        self.activeLow = activeLow
    }

    func set(active: Bool) throws {
        guard !released, let chip else {
            throw GPIOError(chip: "gpiochip-sim", offset: offset, reason: "the line was released")
        }
        chip.set(offset, level: active != activeLow)
    }

    func release() {
        guard !released else { return }
        released = true
        chip?.release(offset)
    }

    deinit { release() }
}

final class SimulatedInput: InputLine {
    weak var chip: SimulatedGPIOChip?
    let offset: UInt32
    let edges: Edges
    let activeLow: Bool
    let pollDescriptor: Int32
    private var queue: [LineEvent] = []
    private var released = false

    init(chip: SimulatedGPIOChip, offset: UInt32, edges: Edges, activeLow: Bool) throws {
        let fd: Int32
        do {
            fd = try system("eventfd", "\(chip.name) line \(offset)") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
        } catch {
            throw GPIOError(chip: chip.name, offset: offset, reason: "\(error)")
        }
        self.chip = chip
        self.offset = offset
        self.edges = edges
        self.activeLow = activeLow
        self.pollDescriptor = fd
    }

    func edge(physicalLevel: Bool, at: MonotonicInstant) {
        let rising = physicalLevel != activeLow
        switch edges {
        case .rising where !rising, .falling where rising: return
        default: break
        }
        queue.append(LineEvent(offset: offset, rising: rising, at: at))
        var one: UInt64 = 1
        _ = write(pollDescriptor, &one, 8)
    }

    func isActive() throws -> Bool {
        guard !released, let chip else {
            throw GPIOError(chip: "gpiochip-sim", offset: offset, reason: "the line was released")
        }
        return chip.level(of: offset) != activeLow
    }

    func readEvents() throws -> [LineEvent] {
        var counter: UInt64 = 0
        _ = read(pollDescriptor, &counter, 8)  // clears readability; EAGAIN when nothing was signalled
        defer { queue.removeAll() }
        return queue
    }

    func release() {
        guard !released else { return }
        released = true
        chip?.release(offset)
        close(pollDescriptor)
    }

    deinit { release() }
}
