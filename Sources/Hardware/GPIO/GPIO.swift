import PorteroModel

/// Pull resistor on an input line.
public enum Bias: String, Sendable, Codable, CaseIterable {
    /// Leave the line's bias as it is.
    case asIs = "as_is"
    case disabled
    case pullUp = "pull_up"
    case pullDown = "pull_down"
}

/// Which edges of an input line produce events.
public enum Edges: String, Sendable, Codable {
    case rising, falling, both
}

/// One edge on an input line, timestamped by the kernel on CLOCK_MONOTONIC.
public struct LineEvent: Hashable, Sendable {
    public var offset: UInt32
    /// True when the line's logical value went from inactive to active.
    public var rising: Bool
    public var at: MonotonicInstant

    public init(offset: UInt32, rising: Bool, at: MonotonicInstant) {
        self.offset = offset
        self.rising = rising
        self.at = at
    }
}

/// An output line held by this process: a relay, an LED, a buzzer.
public protocol OutputLine: AnyObject {
    var offset: UInt32 { get }
    /// Drives the line's logical value (active-low lines are inverted by the backend).
    func set(active: Bool) throws
    /// Gives the line back; the kernel then leaves it to the hardware's own pull.
    func release()
}

/// An input line held by this process: a door contact, an exit button, a Wiegand data line.
public protocol InputLine: AnyObject {
    var offset: UInt32 { get }
    /// A descriptor that polls readable when events wait; the daemon's loop watches it.
    var pollDescriptor: Int32 { get }
    /// The line's logical value now.
    func isActive() throws -> Bool
    /// The events waiting, oldest first; empty when none (never blocks).
    func readEvents() throws -> [LineEvent]
    func release()
}

/// A GPIO chip: the real one through libgpiod, or a simulated one for unit tests and the demo.
public protocol GPIOChip: AnyObject {
    var name: String { get }
    var label: String { get }
    var lineCount: Int { get }
    /// Requests `offset` as an output that starts at `initiallyActive`: pass the door's safe state.
    func requestOutput(offset: UInt32, consumer: String, initiallyActive: Bool, activeLow: Bool) throws
        -> any OutputLine
    /// Requests `offset` as an input with edge events.
    func requestInput(offset: UInt32, consumer: String, edges: Edges, bias: Bias, activeLow: Bool) throws
        -> any InputLine
}

/// Why a GPIO request failed, naming the chip and the line.
public struct GPIOError: Error, Hashable, Sendable, CustomStringConvertible {
    public let chip: String
    public let offset: UInt32?
    public let reason: String

    public init(chip: String, offset: UInt32?, reason: String) {
        self.chip = chip
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        offset.map { "GPIO \(chip) line \($0): \(reason)" } ?? "GPIO \(chip): \(reason)"
    }
}
