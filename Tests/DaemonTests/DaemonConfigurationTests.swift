import Daemon
import Foundation
import PorteroModel
import Service
import Testing

enum Samples {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sample = root.appendingPathComponent("Config/porterod.json").path

    static let minimal = """
        {"branch": {"id": 3, "time_zone": "Europe/Madrid"},
         "doors": [{"id": 1, "name": "Puerta", "relay": {"chip": "gpiochip0", "line": 1, "kind": "fail_secure"}}]}
        """

    /// The minimal document with `replacement` substituted for `target`.
    static func variant(_ target: String, _ replacement: String) -> Data {
        Data(minimal.replacingOccurrences(of: target, with: replacement).utf8)
    }
}

@Suite struct DaemonConfigurationTests {
    @Test func theSampleInConfigIsValid() throws {
        let configuration = try DaemonConfiguration.load(path: Samples.sample)
        #expect(configuration.branchID == BranchID(1))
        #expect(configuration.doors.count == 2 && configuration.readers.count == 4)
        #expect(configuration.doors[0].door.confirmsPassage)
        #expect(
            configuration.doors.allSatisfy { !$0.door.registered },
            "an enrolled controller's doors take their settings from headquarters")
        #expect(configuration.doors[1].relay.kind == .failSafe)
        #expect(
            configuration.readers[1].transport
                == .wedge(device: .match(vendor: "ffff", model: "0035", serial: nil), base: .decimal, cards: true))
        #expect(
            configuration.readers[2].transport == .osdp(device: .path("/dev/portero/rs485-0"), address: 1, baud: 9600))
        #expect(configuration.status.httpPort == 9180)
    }

    /// QR scanners take passes; card numbers only where told (a wedge card reader takes them unless told not to).
    @Test func scannersTakeCardNumbersOnlyWhereTold() throws {
        let readers = #"""
            {"branch": {"id": 3, "time_zone": "Europe/Madrid"},
             "doors": [{"id": 1, "name": "Puerta", "relay": {"chip": "gpiochip0", "line": 1, "kind": "fail_secure"}}],
             "readers": [{"name": "qr", "kind": "wedge", "device": "/dev/input/event3", "cards": false, "door": 1},
                         {"name": "rfid", "kind": "wedge", "device": "/dev/input/event4", "door": 1},
                         {"name": "serie", "kind": "scanner", "device": "/dev/ttyACM0", "door": 1},
                         {"name": "codigos", "kind": "scanner", "device": "/dev/ttyACM1", "cards": true, "door": 1}]}
            """#
        let configuration = try DaemonConfiguration.parse(Data(readers.utf8), file: "t.json")
        #expect(
            configuration.readers.map(\.transport) == [
                .wedge(device: .path("/dev/input/event3"), base: .decimal, cards: false),
                .wedge(device: .path("/dev/input/event4"), base: .decimal, cards: true),
                .scanner(device: .path("/dev/ttyACM0"), baud: 9_600, cards: false),
                .scanner(device: .path("/dev/ttyACM1"), baud: 9_600, cards: true),
            ])
    }

    @Test func minimalDocumentGetsDefaults() throws {
        let configuration = try DaemonConfiguration.parse(Data(Samples.minimal.utf8), file: "t.json")
        #expect(configuration.dataDirectory == "/var/lib/portero")
        #expect(configuration.doors[0].pulseMilliseconds == 3_000)
        #expect(configuration.doors[0].door.kind == .turnstile && configuration.doors[0].door.mode == .normal)
        #expect(configuration.readers.isEmpty && configuration.core == nil)
    }

    @Test(arguments: [
        (#""doors""#, #""door""#, "t.json: door: unknown key"),
        (#""name": "Puerta""#, #""name": "Puerta", "pulse": 5"#, "t.json: doors[0].pulse: unknown key"),
        (#""line": 1"#, #""line": "1""#, "t.json: doors[0].relay.line: expected a whole number from 0 to 1023"),
        (#""line": 1"#, #""line": 1.5"#, "t.json: doors[0].relay.line: expected a whole number"),
        (#""line": 1"#, #""line": 5000"#, "t.json: doors[0].relay.line: 5000 is out of range: expected 0 to 1023"),
        (
            #""kind": "fail_secure""#, #""kind": "fail-secure""#,
            #"t.json: doors[0].relay.kind: "fail-secure" is not one of "fail_safe", "fail_secure""#
        ),
        (#""Europe/Madrid""#, #""Europe/Atlantis""#, "t.json: branch.time_zone: unknown time zone 'Europe/Atlantis'"),
        (
            #", "relay": {"chip": "gpiochip0", "line": 1, "kind": "fail_secure"}"#, "",
            "t.json: doors[0].relay: required"
        ),
        (
            #"{"id": 1, "name""#, #"{"id": 1, "schedule": "mon 25:00-26:00", "name""#,
            "t.json: doors[0].schedule: invalid schedule"
        ),
        (#""id": 3"#, #""id": true"#, "t.json: branch.id: expected a whole number"),
        (
            #""doors""#,
            #""core": {"url": "http://core.lan/", "token_file": "/t", "ca_file": "/etc/hostname"}, "doors""#,
            "t.json: core.ca_file: is for an https:// core"
        ),
        (
            #""doors""#,
            #""core": {"url": "https://core.lan/", "token_file": "/t", "ca_file": "/nonexistent/ca.pem"}, "doors""#,
            "t.json: core.ca_file: /nonexistent/ca.pem cannot be read"
        ),
        (
            #""doors""#, #""core": {"url": "http://192.0.2.1:8080/", "token_file": "/t"}, "doors""#,
            "t.json: core.url: plain http:// to 192.0.2.1 would carry the device token unencrypted"
        ),
        (
            #""doors""#, #""core": {"url": "http://core.lan/", "token_file": "/t", "allow_plain_http": 1}, "doors""#,
            "t.json: core.allow_plain_http: expected true or false"
        ),
        (
            #""doors""#,
            #""core": {"url": "https://core.lan/", "token_file": "/t", "allow_plain_http": true}, "doors""#,
            "t.json: core.allow_plain_http: is for an http:// core"
        ),
    ])
    func errorsNameTheFileTheKeyAndWhatWasExpected(target: String, replacement: String, message: String) {
        do {
            _ = try DaemonConfiguration.parse(Samples.variant(target, replacement), file: "t.json")
            Issue.record("accepted: \(replacement)")
        } catch {
            #expect("\(error)".hasPrefix(message), "got: \(error)")
        }
    }

    /// Plain HTTP carries the device token readable by anyone on the path, so it is refused
    /// unless the core is on this machine or the file opts in by name.
    @Test(arguments: [
        ("http://127.0.0.1:8080/", false, true),
        ("http://127.3.4.5/", false, true),
        ("http://localhost:8080/", false, true),
        ("http://LocalHost/", false, true),
        ("http://[::1]:8080/", false, true),
        ("http://[::ffff:127.0.0.1]/", false, true),
        ("https://192.0.2.1/", false, true),
        ("https://core.example.com/", false, true),
        ("http://192.0.2.1/", false, false),
        ("http://core.lan:8080/", false, false),
        ("http://[2001:db8::1]/", false, false),
        ("http://127.0.0.1.nip.io/", false, false),
        ("http://localhost.example/", false, false),
        ("http://0x7f000001/", false, false),
        ("http://192.0.2.1/", true, true),
        ("http://core.lan:8080/", true, true),
        ("http://127.0.0.1/", true, true),
    ])
    func plainHTTPOffLoopbackNeedsTheOptIn(url: String, optIn: Bool, accepted: Bool) {
        let core = #""core": {"url": "\#(url)", "token_file": "/t""# + (optIn ? #", "allow_plain_http": true}"# : "}")
        do {
            // An enrolled controller's doors hold only their wiring.
            let text = Samples.minimal.replacingOccurrences(of: #""doors""#, with: core + #", "doors""#)
                .replacingOccurrences(of: #""name": "Puerta", "#, with: "")
            let configuration = try DaemonConfiguration.parse(Data(text.utf8), file: "t.json")
            #expect(accepted, "accepted \(url)")
            #expect(configuration.core?.allowPlainHTTP == optIn)
        } catch {
            #expect(!accepted, "\(url): \(error)")
            #expect("\(error)".hasPrefix("t.json: core.url: plain http://"), "\(error)")
        }
    }

    @Test func malformedJSONIsReportedWithTheFile() {
        #expect(throws: ConfigError.self) { try DaemonConfiguration.parse(Data("{\"branch\": ".utf8), file: "t.json") }
        do {
            _ = try DaemonConfiguration.parse(Data("[1, 2]".utf8), file: "t.json")
        } catch {
            #expect("\(error)" == "t.json: expected an object")
        }
    }

    @Test func aMissingFileIsAClearError() {
        do {
            _ = try DaemonConfiguration.load(path: "/nonexistent/porterod.json")
            Issue.record("loaded a missing file")
        } catch {
            #expect("\(error)".hasPrefix("/nonexistent/porterod.json: cannot read the file"))
        }
    }

    @Test func readersMustNameAnExistingDoorAndADevice() {
        let noDoor = Samples.minimal.replacingOccurrences(
            of: "]}\n",
            with: "], \"readers\": [{\"name\": \"r\", \"kind\": \"em4100\", \"device\": \"/dev/ttyS0\", \"door\": 9}]}")
        do {
            _ = try DaemonConfiguration.parse(
                Data(
                    (Samples.minimal.dropLast(1)
                        + #", "readers": [{"name": "r", "kind": "em4100", "device": "/dev/ttyS0", "door": 9}]}"#).utf8),
                file: "t.json")
            Issue.record("accepted a reader for a missing door \(noDoor.count)")
        } catch {
            #expect("\(error)" == "t.json: readers[0].door: no door has id 9")
        }
        do {
            _ = try DaemonConfiguration.parse(
                Data(
                    (Samples.minimal.dropLast(1) + #", "readers": [{"name": "r", "kind": "em4100", "door": 1}]}"#)
                        .utf8),
                file: "t.json")
            Issue.record("accepted a reader without a device")
        } catch {
            #expect("\(error)".hasPrefix("t.json: readers[0].device: required"))
        }
    }

    @Test func aGPIOLineCannotServeTwoFunctions() {
        let document = Samples.minimal.dropLast(1) + #", "fire_alarm": {"chip": "gpiochip0", "line": 1}}"#
        do {
            _ = try DaemonConfiguration.parse(Data(document.utf8), file: "t.json")
            Issue.record("accepted a shared line")
        } catch {
            #expect("\(error)" == "t.json: fire_alarm: line 1 of gpiochip0 is already used by doors[0].relay")
        }
    }

    @Test func relayKindsMapUnlockToTheRightLevel() {
        #expect(RelayKind.failSafe.lineActive(unlocked: false) == true)  // a maglock holds while powered
        #expect(RelayKind.failSafe.lineActive(unlocked: true) == false)
        #expect(RelayKind.failSecure.lineActive(unlocked: true) == true)  // a strike releases while powered
        #expect(RelayKind.failSecure.lineActive(unlocked: false) == false)
    }
}
