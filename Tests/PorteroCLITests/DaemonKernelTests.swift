import Foundation
import PorteroModel
import Readers
import Testing

/// porterod through the real libgpiod backend on gpio-sim, a reader on the USB-gadget serial line,
/// and the door inputs driven through the simulator's pull files. In the vmtest VM only.
@Suite(
    .serialized,
    .enabled(
        if: Built.directory != nil && ProcessInfo.processInfo.environment["GPIO_SIM_CHIP"] != nil
            && ProcessInfo.processInfo.environment["VMTEST_SERIAL_GADGET"] != nil))
struct DaemonKernelTests {
    let environment = ProcessInfo.processInfo.environment
    var sysfs: String { environment["GPIO_SIM_SYSFS"]! }

    func value(_ line: Int) throws -> String {
        try String(contentsOfFile: "\(sysfs)/sim_gpio\(line)/value", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    func pull(_ line: Int, up: Bool) throws {
        try (up ? "pull-up" : "pull-down").write(
            toFile: "\(sysfs)/sim_gpio\(line)/pull", atomically: false, encoding: .utf8)
    }

    /// Polls the simulator until `line` reads `expected` (10 s at most).
    func waitForValue(_ line: Int, _ expected: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try value(line) == expected { return true }
            var none = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&none, 0, 20)
        }
        return try value(line) == expected
    }

    @Test func cardsContactExitButtonHeldOpenAndKillNineThroughLibgpiod() throws {
        let directory = (environment["TMPDIR"] ?? "/tmp") + "/porterod-vm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try seedReplica(at: directory + "/data/replica.sqlite")
        let chip = environment["GPIO_SIM_CHIP"]!
        // Lines 12 to 15 belong to this test; the hardware tests use 2 to 11.
        for line in [13, 14] { try pull(line, up: false) }
        // Another program holds line 15: the door that wants it is out of service, the others work.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/gpioset")
        holder.arguments = ["--mode=signal", chip, "15=1"]
        try holder.run()
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        #expect(try waitForValue(15, "1"))
        let config = """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
             "doors": [{"id": 1, "name": "Puerta", "kind": "strike", "pulse_ms": 4000, "held_open_ms": 1000,
                        "relay": {"chip": "\(chip)", "line": 12, "kind": "fail_secure"},
                        "contact": {"chip": "\(chip)", "line": 13},
                        "exit_button": {"chip": "\(chip)", "line": 14}},
                       {"id": 2, "name": "Ocupada", "relay": {"chip": "\(chip)", "line": 15, "kind": "fail_secure"}}],
             "status": {"socket": "\(directory)/status.sock"},
             "readers": [{"name": "puerta", "kind": "em4100", "device": "\(environment["VMTEST_SERIAL_GADGET"]!)",
                          "door": 1}]}
            """
        try config.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--config", directory + "/porterod.json"])
        #expect(daemon.waitFor("1/1 reader(s) open"))
        #expect(daemon.occurrences("door Ocupada:") == 1 && daemon.log.contains("this door is out of service"))
        #expect(try value(12) == "0")  // fail-secure strike: locked is de-energised

        // A known card on the serial line releases the strike.
        let host = open(environment["VMTEST_SERIAL_HOST"]!, O_RDWR | O_NOCTTY)
        #expect(host >= 0)
        defer { close(host) }
        var attributes = termios()
        tcgetattr(host, &attributes)
        cfmakeraw(&attributes)
        tcsetattr(host, TCSANOW, &attributes)
        _ = EM4100FrameParser.frame(card: 111).withUnsafeBytes { write(host, $0.baseAddress, $0.count) }
        #expect(daemon.waitFor("card 111 granted"))
        #expect(try waitForValue(12, "1"))

        // The door opens and stays open: held-open alarm, cleared on close; closing relocks at once.
        try pull(13, up: true)
        #expect(daemon.waitFor("alarm held_open raised"))
        try pull(13, up: false)
        #expect(daemon.waitFor("alarm held_open cleared"))
        #expect(try waitForValue(12, "0"))

        // Opened with nothing to allow it: forced.
        try pull(13, up: true)
        #expect(daemon.waitFor("alarm forced raised"))
        try pull(13, up: false)
        #expect(daemon.waitFor("alarm forced cleared"))

        // The exit button releases the strike.
        try pull(14, up: true)
        #expect(try waitForValue(12, "1"))
        try pull(14, up: false)

        // An expired card does not; and kill -9 leaves the line at its safe, de-energised level.
        _ = EM4100FrameParser.frame(card: 222).withUnsafeBytes { write(host, $0.baseAddress, $0.count) }
        #expect(daemon.waitFor("card 222 subscription.expired"))
        _ = EM4100FrameParser.frame(card: 111).withUnsafeBytes { write(host, $0.baseAddress, $0.count) }
        #expect(daemon.waitFor("card 111 granted", count: 2))
        #expect(try waitForValue(12, "1"))
        kill(daemon.process.processIdentifier, SIGKILL)
        daemon.process.waitUntilExit()
        #expect(try waitForValue(12, "0"))
    }
}
