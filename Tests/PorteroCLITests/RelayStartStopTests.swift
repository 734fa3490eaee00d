import Foundation
import Testing

/// The relay never pulses at daemon start, stop or crash, proven on gpio-sim with the kernel's
/// own record of every value a consumer sets on a GPIO line (the `gpio_value` trace event). In
/// the vmtest VM only; lines 0 and 1 belong to this test.
@Suite(
    .serialized,
    .enabled(if: Built.directory != nil && ProcessInfo.processInfo.environment["GPIO_SIM_CHIP"] != nil))
struct RelayStartStopTests {
    let environment = ProcessInfo.processInfo.environment
    let tracing = "/sys/kernel/tracing"

    func value(_ line: Int) throws -> String {
        try String(contentsOfFile: "\(environment["GPIO_SIM_SYSFS"]!)/sim_gpio\(line)/value", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The global number of the simulator chip's first line (the trace names lines by it): the
    /// legacy class entry whose device is the chip's parent (the gpio-sim platform device).
    func base() throws -> Int {
        let chip = environment["GPIO_SIM_CHIP"]!
        let parent = URL(fileURLWithPath: "/sys/bus/gpio/devices/\(chip)").resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/sys/class/gpio")
        where entry.hasPrefix("gpiochip") {
            let device = URL(fileURLWithPath: "/sys/class/gpio/\(entry)/device").resolvingSymlinksInPath().path
            if device == parent || device.hasPrefix(parent + "/") {
                let text = try String(contentsOfFile: "/sys/class/gpio/\(entry)/base", encoding: .utf8)
                return try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "/sys/class/gpio entry of \(chip)"])
    }

    func write(_ text: String, _ file: String) throws {
        try text.write(toFile: "\(tracing)/\(file)", atomically: false, encoding: .utf8)
    }

    /// The values set on global line `gpio` since the trace was cleared.
    func traced(_ gpio: Int) throws -> [Int] {
        try String(contentsOfFile: "\(tracing)/trace", encoding: .utf8).split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "gpio_value: \(gpio) set ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test func theRelayHoldsItsLockedLevelThroughStartStopAndCrash() throws {
        if !FileManager.default.fileExists(atPath: "\(tracing)/trace") {
            #expect(mount("nodev", tracing, "tracefs", 0, nil) == 0, "tracefs: errno \(errno)")
        }
        try write("1", "events/gpio/gpio_value/enable")
        defer { try? write("0", "events/gpio/gpio_value/enable") }
        let first = try base()
        let chip = environment["GPIO_SIM_CHIP"]!
        let directory = (environment["TMPDIR"] ?? "/tmp") + "/porterod-relay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A strike (fail-secure: locked is de-energised, 0) and a maglock (fail-safe: locked is
        // energised, 1).
        let config = """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
             "status": {"socket": "\(directory)/status.sock"},
             "doors": [{"id": 1, "name": "Cerradero", "kind": "strike",
                        "relay": {"chip": "\(chip)", "line": 0, "kind": "fail_secure"}},
                       {"id": 2, "name": "Electroiman", "kind": "maglock",
                        "relay": {"chip": "\(chip)", "line": 1, "kind": "fail_safe"}}],
             "readers": []}
            """
        try config.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)

        for (ending, signal) in [("stop", SIGTERM), ("crash", SIGKILL)] {
            try write("", "trace")
            let daemon = try DaemonProcess(arguments: ["--config", directory + "/porterod.json"])
            #expect(daemon.waitFor("porterod "), "\(daemon.log)")
            #expect(try value(0) == "0" && value(1) == "1", "locked from the first instant")
            kill(daemon.process.processIdentifier, signal)
            daemon.process.waitUntilExit()
            let strike = try traced(first)
            let maglock = try traced(first + 1)
            #expect(strike.allSatisfy { $0 == 0 }, "\(ending): the strike was set to \(strike)")
            #expect(maglock.allSatisfy { $0 == 1 }, "\(ending): the maglock was set to \(maglock)")
            if ending == "stop" {
                // A stop drives each relay to its locked level before letting the line go.
                #expect(strike.last == 0 && maglock.last == 1, "stop: \(strike), \(maglock)")
            }
        }
    }
}
