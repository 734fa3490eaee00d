import CoreClient
import Foundation
import PorteroModel
import TestSupport
import Testing

/// PINs set at headquarters, typed at a branch's keypad over real processes: the PIN admits, the
/// duress PIN admits and reaches the core as an alarm naming the person, and unknown PINs lock
/// the keypad.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct PINEndToEndTests {
    @Test func aPINAndADuressPINSetAtTheCoreWorkAtTheKeypadAndUnknownPINsLockIt() throws {
        let core = try AdminCLITests.Core()
        let admin = try SyncEndToEndTests.rootClient(core)
        let (branch, member, _, code) = try SyncEndToEndTests.seedBranch(admin)
        try admin.send("PUT", "api/v1/users/\(member)/pin", json: ["pin": "4321"])
        try admin.send("PUT", "api/v1/users/\(member)/duress-pin", json: ["pin": "9876"])
        #expect(throws: CoreClientError.self, "a PIN is one person's alone") {
            try admin.send("PUT", "api/v1/users/\(member)/duress-pin", json: ["pin": "4321"])
        }

        let directory = core.directory.path
        let config = """
            {"branch": {"id": \(branch), "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
             "pin_key_file": "\(directory)/pin.key",
             "core": {"url": "http://127.0.0.1:\(core.port)/", "token_file": "\(directory)/device.token"},
             "status": {"socket": "\(directory)/status.sock"},
             "policy": {"keypad_max_wrong": 3, "keypad_window_s": 60, "keypad_lockout_s": 600},
             "silent_alarm": {"chip": "sim0", "line": 7, "hold_s": 30},
             "doors": [{"id": 1, "pulse_ms": 200,
                        "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
            """
        try config.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        let enrolled = try Built.run("porterod", ["enroll", "--config", directory + "/porterod.json", "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        defer {
            kill(daemon.process.processIdentifier, SIGTERM)
            daemon.process.waitUntilExit()
        }
        #expect(daemon.waitFor("sync: snapshot of"))
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))

        func type(_ digits: String) throws {
            try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada keys \(digits)#\n".utf8))
        }
        try type("4321")
        #expect(daemon.waitFor("PIN granted user \(member)"), "\(daemon.log)")
        try type("9876")
        #expect(daemon.waitFor("PIN granted.duress user \(member) DURESS"), "\(daemon.log)")
        #expect(daemon.waitFor("DURESS PIN keyed by user \(member)"))
        // The alarm reaches the core within seconds, naming whose PIN it was.
        #expect(
            try eventually(within: 10) {
                let audit = try admin.send("GET", "api/v1/audit", query: [("limit", "50")]).json() as? [String: Any]
                let entries = audit?["entries"] as? [[String: Any]] ?? []
                return entries.contains {
                    $0["action"] as? String == "alarm.door" && ($0["changes"] as? String)?.contains("duress") == true
                        && ($0["changes"] as? String)?.contains("\(member)") == true
                }
            }, "the duress alarm reaches the core's audit trail")

        for _ in 0..<3 { try type("0000") }
        #expect(daemon.waitFor("keypad locked for 600 s"), "\(daemon.log)")
        try type("4321")
        #expect(daemon.waitFor("keypad locked; PIN not tried"), "even the right PIN waits out the lockout")
    }
}
