import Hardware
import PorteroModel

/// An OSDP bus on a serial line (RS-485 adapter or USB serial): the I/O shell of `OSDPControlPanel`.
public final class OSDPBus {
    public let port: SerialPort
    public private(set) var panel: OSDPControlPanel

    public init(
        port: SerialPort, addresses: [UInt8], configuration: OSDPControlPanel.Configuration = .init(),
        now: MonotonicInstant = .now()
    ) {
        self.port = port
        self.panel = OSDPControlPanel(addresses: addresses, configuration: configuration, now: now)
    }

    public var pollDescriptor: Int32 { port.descriptor.rawValue }
    public var deadline: MonotonicInstant? { panel.deadline }

    /// Queues an LED or buzzer command for a reader.
    @discardableResult
    public func send(_ command: OSDPCommand, to address: UInt8) -> Bool { panel.send(command, to: address) }

    /// Reads and handles replies; then writes the next command if the bus became free.
    public func handleReadable(now: MonotonicInstant = .now()) -> [OSDPEvent] {
        var events: [OSDPEvent] = []
        while true {
            do {
                guard let bytes = try port.readAvailable() else { break }
                if bytes.isEmpty { return events + [.busFailure("\(port.path): hung up")] }
                events += panel.receive(bytes, now: now)
            } catch {
                return events + [.busFailure("\(error)")]
            }
        }
        return events + service(now: now)
    }

    /// Handles reply timeouts and sends what is due; call at `deadline`.
    public func service(now: MonotonicInstant = .now()) -> [OSDPEvent] {
        let (events, resend) = panel.poll(now: now)
        do {
            if let resend { try port.write(resend) }
            if let bytes = panel.transmission(now: now) { try port.write(bytes) }
        } catch {
            return events + [.busFailure("\(error)")]
        }
        return events
    }
}

@available(*, unavailable, message: "Owned by the daemon's loop thread")
extension OSDPBus: Sendable {}
