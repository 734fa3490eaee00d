import CCrypto
import CGPIOD
import CSQLite
import CUDev
import Foundation
import Testing

/// Each system-library target links and answers: the version the package was built against.
@Suite struct LibraryBridgeTests {
    @Test func libgpiodIsTheV1API() {
        let version = String(cString: gpiod_version_string())
        #expect(version.hasPrefix("1."), "libgpiod \(version): the hardware layer uses the v1.6 API")
    }

    @Test func sqliteIsRecentEnoughForStrictTables() {
        #expect(sqlite3_libversion_number() >= 3_037_000)  // STRICT tables arrived in 3.37
        #expect(sqlite3_threadsafe() != 0)
    }

    @Test func libcryptoIsOpenSSL3() {
        #expect(OpenSSL_version_num() >= 0x3000_0000)
    }

    @Test func udevEnumeratesTheTTYSubsystem() throws {
        let udev = try #require(udev_new())
        defer { udev_unref(udev) }
        let enumerate = try #require(udev_enumerate_new(udev))
        defer { udev_enumerate_unref(enumerate) }
        #expect(udev_enumerate_add_match_subsystem(enumerate, "tty") == 0)
        #expect(udev_enumerate_scan_devices(enumerate) == 0)
    }
}

/// The real libgpiod calls against a real kernel GPIO chip (gpio-sim), in the VM harness only.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["GPIO_SIM_CHIP"] != nil))
struct GPIOSimBridgeTests {
    let environment = ProcessInfo.processInfo.environment

    @Test func outputLineDrivesTheSimulatedPin() throws {
        let chipName = try #require(environment["GPIO_SIM_CHIP"])
        let sysfs = try #require(environment["GPIO_SIM_SYSFS"])
        let chip = try #require(gpiod_chip_open_by_name(chipName))
        defer { gpiod_chip_close(chip) }
        #expect(Int(gpiod_chip_num_lines(chip)) == Int(environment["GPIO_SIM_LINES"] ?? "") ?? -1)
        let line = try #require(gpiod_chip_get_line(chip, 10))
        #expect(gpiod_line_request_output(line, "portero-test", 1) == 0)
        defer { gpiod_line_release(line) }
        let value = try String(contentsOfFile: sysfs + "/sim_gpio10/value", encoding: .utf8)
        #expect(value.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(gpiod_line_set_value(line, 0) == 0)
        let after = try String(contentsOfFile: sysfs + "/sim_gpio10/value", encoding: .utf8)
        #expect(after.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func inputLineReadsTheSimulatedPull() throws {
        let chipName = try #require(environment["GPIO_SIM_CHIP"])
        let sysfs = try #require(environment["GPIO_SIM_SYSFS"])
        let chip = try #require(gpiod_chip_open_by_name(chipName))
        defer { gpiod_chip_close(chip) }
        let line = try #require(gpiod_chip_get_line(chip, 11))
        #expect(gpiod_line_request_input(line, "portero-test") == 0)
        defer { gpiod_line_release(line) }
        try "pull-up".write(toFile: sysfs + "/sim_gpio11/pull", atomically: false, encoding: .utf8)
        #expect(gpiod_line_get_value(line) == 1)
        try "pull-down".write(toFile: sysfs + "/sim_gpio11/pull", atomically: false, encoding: .utf8)
        #expect(gpiod_line_get_value(line) == 0)
    }
}
