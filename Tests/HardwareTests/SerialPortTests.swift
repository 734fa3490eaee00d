import CLinux
import Hardware
import LinuxSystem
import PorteroModel
import Readers
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair: the master plays the card reader, the slave's path is the "device".
final class PTYPair {
    let master: Int32
    let slave: Int32
    let slavePath: String

    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else { throw Errno.current }
        self.master = master
        self.slave = slave
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    func closeMaster() { close(master) }

    deinit {
        close(master)
        close(slave)
    }
}

/// Polls the reader's descriptor until `count` events arrived or 5 s passed.
func collect(_ reader: SerialCardReader, count: Int) throws -> [ReaderEvent] {
    var events: [ReaderEvent] = []
    let deadline = MonotonicInstant.now().adding(milliseconds: 5_000)
    while events.count < count, MonotonicInstant.now() < deadline {
        if try Poller.wait(for: reader.port.descriptor, timeoutMilliseconds: 100) {
            events += reader.handleReadable()
        }
    }
    return events
}

@Suite(.serialized) struct SerialPortTests {
    @Test func framesFromAPTYReachTheParser() throws {
        let pty = try PTYPair()
        let reader = SerialCardReader(port: try SerialPort(path: pty.slavePath))
        pty.send(Array("noise".utf8) + EM4100FrameParser.frame(tag: [0x1A, 0x00, 0xBC, 0x61, 0x46]))
        let events = try collect(reader, count: 2)
        #expect(events.first == .rejected(.noise(byteCount: 5)))
        #expect(
            events.contains(
                .card(
                    CardRead(
                        format: .em4100, bits: 40, facility: nil, number: 0xBC6146,
                        credential: CardNumber(rawValue: 12_345_670)))))
    }

    // A pty keeps its own character size and parity (the kernel copies the hardware bits back),
    // so those are checked on the USB serial line in the VM; raw mode and speed are checked here.
    @Test func rawModeAndBaudAreApplied() throws {
        let pty = try PTYPair()
        let port = try SerialPort(path: pty.slavePath, settings: SerialSettings(baud: 19200))
        let attributes = try port.currentAttributes()
        #expect(attributes.c_lflag & tcflag_t(ICANON | ECHO | ISIG) == 0)
        #expect(attributes.c_iflag & tcflag_t(ICRNL | IXON) == 0)
        #expect(attributes.c_oflag & tcflag_t(OPOST) == 0)
        var copy = attributes
        #expect(cfgetispeed(&copy) == speed_t(B19200))
    }

    @Test func nonBlockingReadReturnsNothingWhenIdle() throws {
        let pty = try PTYPair()
        let port = try SerialPort(path: pty.slavePath)
        #expect(try port.readAvailable() == nil)
    }

    @Test func rs485IsOptionalOrRequired() throws {
        let pty = try PTYPair()
        let optional = try SerialPort(path: pty.slavePath, settings: SerialSettings(rs485: .ifSupported))
        #expect(!optional.rs485Enabled)
        optional.close()
        #expect(throws: SerialPortError.self) {
            try SerialPort(path: pty.slavePath, settings: SerialSettings(rs485: .required))
        }
    }

    // TIOCEXCL keeps other programs out, except root's; so the test reads the flag back.
    @Test func theLineIsHeldExclusively() throws {
        let pty = try PTYPair()
        let port = try SerialPort(path: pty.slavePath)
        #expect(try port.isExclusive())
    }

    @Test func badSettingsAndMissingDevicesAreClearErrors() {
        #expect(
            throws: SerialPortError.unsupportedSetting(
                path: "/dev/null",
                setting: "baud 12345 (use one of [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400])")
        ) {
            try SerialPort(path: "/dev/null", settings: SerialSettings(baud: 12345))
        }
        do {
            _ = try SerialPort(path: "/dev/portero/no-such-reader")
            Issue.record("opened a missing device")
        } catch let SerialPortError.system(error) {
            #expect(error.errno == .noSuchFile)
            #expect(error.description.contains("/dev/portero/no-such-reader"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        // Not a terminal at all.
        #expect(throws: SerialPortError.self) { try SerialPort(path: "/dev/null") }
    }

    @Test func aReaderHangingUpIsReportedNotCrashed() throws {
        let pty = try PTYPair()
        let reader = SerialCardReader(port: try SerialPort(path: pty.slavePath))
        pty.send([0x02, 0x31, 0x41])  // half a frame...
        #expect(try Poller.wait(for: reader.port.descriptor, timeoutMilliseconds: 5_000))
        #expect(reader.handleReadable().isEmpty)
        pty.closeMaster()  // ...then the reader goes away
        #expect(try Poller.wait(for: reader.port.descriptor, timeoutMilliseconds: 5_000))
        let events = reader.handleReadable()
        #expect(events.first == .rejected(.truncatedFrame(received: 3)))
        #expect(events.count == 2)
        if case .disconnected = events.last {} else { Issue.record("no disconnection in \(events)") }
    }
}
