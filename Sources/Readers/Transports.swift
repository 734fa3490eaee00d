import Hardware
import PorteroModel

/// What a reader transport produced after its descriptor was readable (or its timer fired).
public enum ReaderEvent: Hashable, Sendable {
    case card(CardRead)
    /// A member's phone pass, from a QR scanner.
    case pass(PassCode)
    /// A day or guest pass's printed code, from a QR scanner.
    case dayPass(DayPassCode)
    case keys([Character])
    case rejected(ReadRejection)
    /// The device went away (unplugged, hung up); the daemon reopens it when udev says it is back.
    case disconnected(String)
}

extension SerialPort {
    /// Reads all that arrived, through `feed`; an error or a hang-up ends what was pending
    /// (`flush`) and reports the reader gone.
    func readEvents(feed: ([UInt8]) -> [ReaderEvent], flush: () -> [ReaderEvent]) -> [ReaderEvent] {
        var events: [ReaderEvent] = []
        while true {
            let bytes: [UInt8]?
            do {
                bytes = try readAvailable()
            } catch {
                return events + flush() + [.disconnected("\(error)")]
            }
            guard let bytes else { break }
            if bytes.isEmpty { return events + flush() + [.disconnected("\(path): hung up")] }
            events += feed(bytes)
        }
        return events
    }
}

/// An RDM6300-style EM4100 reader on a serial line.
public final class SerialCardReader {
    public let port: SerialPort
    private var parser: EM4100FrameParser

    public init(port: SerialPort, holdWindowMilliseconds: Int64 = 1_000) {
        self.port = port
        self.parser = EM4100FrameParser(holdWindowMilliseconds: holdWindowMilliseconds)
    }

    public var pollDescriptor: Int32 { port.descriptor.rawValue }

    /// Reads what arrived and parses it.
    public func handleReadable(at now: MonotonicInstant = .now()) -> [ReaderEvent] {
        port.readEvents(
            feed: { parser.feed($0, at: now).map(Self.map) }, flush: { parser.flush().map(Self.map) })
    }

    static func map(_ event: EM4100FrameParser.Event) -> ReaderEvent {
        switch event {
        case let .card(read): .card(read)
        case let .rejected(rejection): .rejected(rejection)
        }
    }
}

@available(*, unavailable, message: "Owned by the daemon's loop thread")
extension SerialCardReader: Sendable {}

/// A Wiegand reader on two GPIO inputs: a falling edge on D0 is a 0, on D1 a 1.
public final class WiegandReader {
    public let d0: any InputLine
    public let d1: any InputLine
    private var assembler: WiegandAssembler

    /// Requests D0 and D1 on `chip` with falling-edge events and pull-ups (the lines idle high).
    public init(
        chip: any GPIOChip, d0 offset0: UInt32, d1 offset1: UInt32, consumer: String = "portero-wiegand",
        bias: Bias = .pullUp, assembler: WiegandAssembler = WiegandAssembler()
    ) throws {
        d0 = try chip.requestInput(offset: offset0, consumer: consumer, edges: .falling, bias: bias, activeLow: false)
        do {
            d1 = try chip.requestInput(
                offset: offset1, consumer: consumer, edges: .falling, bias: bias, activeLow: false)
        } catch {
            d0.release()
            throw error
        }
        self.assembler = assembler
    }

    public var pollDescriptors: [Int32] { [d0.pollDescriptor, d1.pollDescriptor] }

    /// When the shell must call `poll` to end the frame in progress.
    public var deadline: MonotonicInstant? { assembler.deadline }

    /// Reads the edges from both lines, in the order the kernel timestamped them.
    public func handleReadable() -> [ReaderEvent] {
        var edges: [(bit: Bool, at: MonotonicInstant)] = []
        do {
            edges += try d0.readEvents().map { (false, $0.at) }
            edges += try d1.readEvents().map { (true, $0.at) }
        } catch {
            return [.disconnected("\(error)")]
        }
        edges.sort { $0.at < $1.at }
        var events: [ReaderEvent] = []
        for edge in edges {
            if let finished = assembler.bit(edge.bit, at: edge.at) { events += Self.decode(finished) }
        }
        return events
    }

    /// Ends the frame in progress once its gap has passed.
    public func poll(_ now: MonotonicInstant = .now()) -> [ReaderEvent] {
        assembler.poll(now).map(Self.decode) ?? []
    }

    static func decode(_ frame: Result<WiegandFrame, ReadRejection>) -> [ReaderEvent] {
        switch frame.flatMap(WiegandDecoder.decode) {
        case let .success(.card(read)): [.card(read)]
        case let .success(.keys(keys)): [.keys(keys)]
        case let .failure(rejection): [.rejected(rejection)]
        }
    }
}

@available(*, unavailable, message: "Owned by the daemon's loop thread")
extension WiegandReader: Sendable {}

/// A USB keyboard-wedge reader or PIN pad on evdev.
public final class WedgeReader {
    public let device: InputDevice
    private var keymap = EvdevKeyMap()
    private var wedge: WedgeAssembler
    /// When set, keys go to PIN entry instead (a USB PIN pad).
    private var pinEntry: PINEntry?
    /// After SYN_DROPPED, events up to the next SYN_REPORT are skipped (the evdev protocol).
    private var resyncing = false

    public init(device: InputDevice, wedge: WedgeAssembler = WedgeAssembler(), pinPad: PINEntry? = nil) {
        self.device = device
        self.wedge = wedge
        self.pinEntry = pinPad
    }

    public var pollDescriptor: Int32 { device.descriptor.rawValue }

    public func handleReadable(at now: MonotonicInstant = .now()) -> [ReaderEvent] {
        let inputs: [InputEvent]
        do {
            inputs = try device.readEvents()
        } catch {
            return [.disconnected("\(error)")]
        }
        var events: [ReaderEvent] = []
        for input in inputs {
            if input.type == InputEvent.typeSync {
                if input.code == InputEvent.syncDropped {
                    // Keys were lost: the line being typed, or the PIN being keyed, is not whole.
                    resyncing = true
                    keymap.reset()
                    wedge.keysLost(at: now)
                    if pinEntry != nil { _ = pinEntry?.key(.star, at: now) }
                } else if input.code == InputEvent.syncReport {
                    resyncing = false
                }
                continue
            }
            guard !resyncing, input.type == InputEvent.typeKey,
                let key = keymap.key(code: input.code, value: input.value)
            else { continue }
            if pinEntry != nil {
                switch pinEntry?.key(key, at: now) {
                case let .submitted(digits)?: events.append(.keys(Array(digits) + ["#"]))
                case let .rejected(reason)?: events.append(.rejected(.badDigits(reason)))
                case .cleared?, nil: break
                }
                continue
            }
            switch wedge.key(key, at: now) {
            case let .success(.card(read))?: events.append(.card(read))
            case let .success(.pass(code))?: events.append(.pass(code))
            case let .success(.dayPass(code))?: events.append(.dayPass(code))
            case let .failure(rejection)?: events.append(.rejected(rejection))
            case nil: break
            }
        }
        return events
    }
}

@available(*, unavailable, message: "Owned by the daemon's loop thread")
extension WedgeReader: Sendable {}

/// A QR or barcode scanner on a serial line (USB CDC-ACM or RS-232), sending a code a line.
public final class SerialScannerReader {
    public let port: SerialPort
    private var assembler: ScannerLineAssembler

    public init(port: SerialPort, acceptsCards: Bool = false) {
        self.port = port
        assembler = ScannerLineAssembler(acceptsCards: acceptsCards)
    }

    public var pollDescriptor: Int32 { port.descriptor.rawValue }

    public func handleReadable() -> [ReaderEvent] {
        port.readEvents(feed: { assembler.feed($0).map(Self.map) }, flush: { assembler.flush().map(Self.map) })
    }

    static func map(_ result: Result<Scan, ReadRejection>) -> ReaderEvent {
        switch result {
        case let .success(.card(read)): .card(read)
        case let .success(.pass(code)): .pass(code)
        case let .success(.dayPass(code)): .dayPass(code)
        case let .failure(rejection): .rejected(rejection)
        }
    }
}

@available(*, unavailable, message: "Owned by the daemon's loop thread")
extension SerialScannerReader: Sendable {}
