import Foundation
import Hardware
import PorteroModel
import Readers
import Service

/// A GPIO line as configured: a relay, an LED, an input.
public struct LineConfiguration: Hashable, Sendable {
    /// Chip by name, path or label (`gpiochip0`, `/dev/gpiochip0`, `pinctrl-bcm2711`).
    public var chip: String
    public var line: UInt32
    public var activeLow: Bool
    public var bias: Bias
}

/// How a lock relay fails when power or the daemon goes away.
public enum RelayKind: String, Sendable, Codable, CaseIterable {
    /// A maglock: released when de-energised, so the door opens on power loss (life safety).
    case failSafe = "fail_safe"
    /// An electric strike: locked when de-energised.
    case failSecure = "fail_secure"

    /// The line level that releases the lock.
    public func lineActive(unlocked: Bool) -> Bool {
        switch self {
        case .failSafe: !unlocked  // energised holds the maglock
        case .failSecure: unlocked  // energised releases the strike
        }
    }
}

public struct RelayConfiguration: Hashable, Sendable {
    public var line: LineConfiguration
    public var kind: RelayKind
}

/// Reader feedback on GPIO lines (readers without OSDP).
public struct FeedbackConfiguration: Hashable, Sendable {
    public var green: LineConfiguration?
    public var red: LineConfiguration?
    public var buzzer: LineConfiguration?
}

public struct DoorConfiguration: Hashable, Sendable {
    public var door: Door
    public var pulseMilliseconds: Int64
    public var heldOpenMilliseconds: Int64
    public var relay: RelayConfiguration
    public var contact: LineConfiguration?
    public var exitButton: LineConfiguration?
    public var passageSensor: LineConfiguration?
    public var feedback: FeedbackConfiguration
}

/// How a reader reaches the daemon.
public enum ReaderTransport: Hashable, Sendable {
    case em4100(device: DeviceSelector)
    case wedge(device: DeviceSelector, base: WedgeAssembler.Base, cards: Bool)
    case pinPad(device: DeviceSelector)
    case wiegand(d0: LineConfiguration, d1: LineConfiguration)
    case osdp(device: DeviceSelector, address: UInt8, baud: Int)
    /// A QR or barcode scanner on a serial line, a code a line: passes, and card numbers when `cards`.
    case scanner(device: DeviceSelector, baud: Int, cards: Bool)
}

/// A device by path, or by what udev knows of it (so the same reader keeps working on another port).
public enum DeviceSelector: Hashable, Sendable {
    case path(String)
    case match(vendor: String?, model: String?, serial: String?)
}

public struct ReaderConfiguration: Hashable, Sendable {
    public var name: String
    public var transport: ReaderTransport
    public var doorID: DoorID
    public var direction: Direction
}

public struct StatusConfiguration: Hashable, Sendable {
    public var socketPath: String
    /// `127.0.0.1:PORT`, optional loopback HTTP for Prometheus.
    public var httpPort: UInt16?
}

/// `/etc/portero/porterod.json`, validated.
public struct DaemonConfiguration: Hashable, Sendable {
    public var branchID: BranchID
    public var timeZone: String
    public var dataDirectory: String
    public var pinKeyFile: String?
    public var core: CoreConfiguration?
    public var status: StatusConfiguration
    public var policy: AccessPolicy
    public var doors: [DoorConfiguration]
    public var readers: [ReaderConfiguration]
    public var fireAlarm: LineConfiguration?
    /// An output driven for `silentAlarmSeconds` when a duress PIN is keyed (to a monitoring panel).
    public var silentAlarm: LineConfiguration?
    public var silentAlarmSeconds = 60
    /// Unknown PINs at one keypad: this many within the window lock it for the lockout.
    public var keypad = KeypadPolicy()
    /// How long the journal keeps events the core has acknowledged (days; 35 at least, so a
    /// month's visit counts and presence always have their history).
    public var journalRetentionDays = 90

    public static let defaultPath = "/etc/portero/porterod.json"

    static let topLevelKeys = [
        "branch", "data_directory", "pin_key_file", "core", "status", "policy", "doors", "readers", "fire_alarm",
        "silent_alarm", "journal",
    ]

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws -> DaemonConfiguration {
        try read(ConfigObject.load(path: path, allowed: topLevelKeys))
    }

    /// Validates a configuration document; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> DaemonConfiguration {
        try read(ConfigObject.parse(data, file: file, allowed: topLevelKeys))
    }

    static func read(_ root: ConfigObject) throws -> DaemonConfiguration {
        guard let branch = try root.object("branch", allowed: ["id", "time_zone"]) else {
            throw root.error("branch", "required: expected an object with id and time_zone")
        }
        let branchID = BranchID(try branch.integer("id", in: 1...Int64(Int32.max)))
        let timeZone = try branch.string("time_zone")
        do { _ = try ZoneRules(identifier: timeZone) } catch { throw branch.error("time_zone", "\(error)") }

        let dataDirectory = try root.optionalString("data_directory") ?? "/var/lib/portero"
        let pinKeyFile = try root.optionalString("pin_key_file")

        let core = try parseCore(root)

        var status = StatusConfiguration(socketPath: "/run/portero/porterod.sock", httpPort: nil)
        if let object = try root.object("status", allowed: ["socket", "http_port"]) {
            status.socketPath = try object.optionalString("socket") ?? status.socketPath
            status.httpPort = try object.optionalInteger("http_port", in: 1...65_535).map { UInt16($0) }
        }

        var policy = AccessPolicy()
        var keypad = KeypadPolicy()
        if let object = try root.object(
            "policy",
            allowed: ["pin_max_failures", "pin_lockout_s", "keypad_max_wrong", "keypad_window_s", "keypad_lockout_s"])
        {
            keypad = KeypadPolicy(
                maximumWrong: Int(try object.optionalInteger("keypad_max_wrong", in: 1...100) ?? 5),
                windowSeconds: Int(try object.optionalInteger("keypad_window_s", in: 1...86_400) ?? 300),
                lockoutSeconds: Int(try object.optionalInteger("keypad_lockout_s", in: 1...86_400) ?? 300))
            policy = AccessPolicy(
                pinMaxFailures: Int(try object.optionalInteger("pin_max_failures", in: 1...100) ?? 5),
                pinLockoutSeconds: try object.optionalInteger("pin_lockout_s", in: 1...86_400) ?? 900)
        }

        var doors: [DoorConfiguration] = []
        for object in try root.array("doors", allowed: doorKeys) {
            doors.append(try parseDoor(object, branch: branchID, managed: core != nil))
        }
        guard !doors.isEmpty else { throw root.error("doors", "required: expected at least one door") }
        var seenDoors = Set<DoorID>()
        for (index, door) in doors.enumerated() where !seenDoors.insert(door.door.id).inserted {
            throw ConfigError(
                file: root.file, key: "doors[\(index)].id", problem: "door id \(door.door.id) is used twice")
        }

        var readers: [ReaderConfiguration] = []
        for object in try root.array("readers", allowed: readerKeys) {
            let reader = try parseReader(object)
            guard seenDoors.contains(reader.doorID) else {
                throw object.error("door", "no door has id \(reader.doorID)")
            }
            readers.append(reader)
        }

        var fireAlarm: LineConfiguration?
        fireAlarm = try parseOptionalLine(root, "fire_alarm")
        var silentAlarm: LineConfiguration?
        var silentAlarmSeconds = 60
        if let object = try root.object("silent_alarm", allowed: lineKeys + ["hold_s"]) {
            silentAlarm = try parseLine(object)
            silentAlarmSeconds = Int(try object.optionalInteger("hold_s", in: 1...3_600) ?? 60)
        }

        var configuration = DaemonConfiguration(
            branchID: branchID, timeZone: timeZone, dataDirectory: dataDirectory, pinKeyFile: pinKeyFile,
            core: core, status: status, policy: policy, doors: doors, readers: readers, fireAlarm: fireAlarm)
        configuration.silentAlarm = silentAlarm
        configuration.silentAlarmSeconds = silentAlarmSeconds
        configuration.keypad = keypad
        if let object = try root.object("journal", allowed: ["retention_days"]) {
            configuration.journalRetentionDays = Int(try object.integer("retention_days", in: 35...3_650))
        }
        try configuration.checkLinesAreUsedOnce(file: root.file)
        return configuration
    }

    static let lineKeys = ["chip", "line", "active_low", "bias"]
    static let doorKeys = [
        "id", "name", "kind", "mode", "schedule", "card_and_pin", "pulse_ms", "held_open_ms", "anti_passback",
        "relay", "contact", "exit_button", "passage_sensor", "feedback",
    ]
    static let readerKeys = [
        "name", "kind", "device", "match", "base", "d0", "d1", "address", "baud", "cards", "door", "direction",
    ]

    static func parseLine(_ object: ConfigObject) throws -> LineConfiguration {
        LineConfiguration(
            chip: try object.string("chip"), line: UInt32(try object.integer("line", in: 0...1023)),
            activeLow: try object.bool("active_low", default: false), bias: try object.choice("bias", default: .asIs))
    }

    static func parseOptionalLine(_ parent: ConfigObject, _ name: String) throws -> LineConfiguration? {
        guard let object = try parent.object(name, allowed: lineKeys) else { return nil }
        return try parseLine(object)
    }

    /// What headquarters sets for an enrolled controller's doors; only a stand-alone controller
    /// (no `core`) reads them here.
    static let managedDoorKeys = ["name", "kind", "mode", "schedule", "card_and_pin", "anti_passback"]

    /// A door's wiring and, for a stand-alone controller, its settings. An enrolled controller's
    /// door starts unregistered: its settings come from the core through the feed.
    static func parseDoor(_ object: ConfigObject, branch: BranchID, managed: Bool) throws -> DoorConfiguration {
        let id = DoorID(try object.integer("id", in: 1...Int64(Int32.max)))
        if managed, let key = managedDoorKeys.first(where: { object.values[$0] != nil }) {
            throw object.error(
                key,
                "set at headquarters for a controller with a core (the Doors page, or portero doors); "
                    + "this file keeps only the door's id and wiring")
        }
        let name = managed ? "door \(id)" : try object.string("name")
        let kind: DoorKind = try object.choice("kind", default: .turnstile)
        let mode: DoorMode = try object.choice("mode", default: .normal)
        var schedule: WeeklySchedule?
        if let text = try object.optionalString("schedule") {
            do { schedule = try WeeklySchedule(parsing: text) } catch { throw object.error("schedule", "\(error)") }
        }
        var antiPassback = AntiPassbackRule.off
        if let rule = try object.object("anti_passback", allowed: ["in_out", "reentry_delay_s", "presence_expiry_s"]) {
            antiPassback = AntiPassbackRule(
                inOut: try rule.bool("in_out", default: false),
                reentryDelaySeconds: try rule.optionalInteger("reentry_delay_s", in: 1...86_400),
                presenceExpirySeconds: try rule.optionalInteger("presence_expiry_s", in: 60...604_800) ?? 12 * 3600)
        }
        let passage = try parseOptionalLine(object, "passage_sensor")
        let door = Door(
            id: id, branchID: branch, name: name, kind: kind, mode: mode, schedule: schedule,
            requiresPIN: try object.bool("card_and_pin", default: false), antiPassback: antiPassback,
            confirmsPassage: passage != nil, registered: !managed)
        guard let relayObject = try object.object("relay", allowed: lineKeys + ["kind"]) else {
            throw object.error("relay", "required: expected the lock relay's chip, line and kind")
        }
        let relayLine = try parseLine(relayObject)
        let relayKind: RelayKind = try relayObject.choice("kind")
        var feedback = FeedbackConfiguration()
        if let lines = try object.object("feedback", allowed: ["green", "red", "buzzer"]) {
            feedback = FeedbackConfiguration(
                green: try parseOptionalLine(lines, "green"), red: try parseOptionalLine(lines, "red"),
                buzzer: try parseOptionalLine(lines, "buzzer"))
        }
        return DoorConfiguration(
            door: door, pulseMilliseconds: try object.optionalInteger("pulse_ms", in: 100...60_000) ?? 3_000,
            heldOpenMilliseconds: try object.optionalInteger("held_open_ms", in: 1_000...3_600_000) ?? 30_000,
            relay: RelayConfiguration(line: relayLine, kind: relayKind),
            contact: try parseOptionalLine(object, "contact"), exitButton: try parseOptionalLine(object, "exit_button"),
            passageSensor: passage, feedback: feedback)
    }

    enum ReaderKind: String, CaseIterable {
        case em4100, wedge, pinPad = "pin_pad", wiegand, osdp, scanner
    }

    static func parseDevice(_ object: ConfigObject) throws -> DeviceSelector {
        let path = try object.optionalString("device")
        let match = try object.object("match", allowed: ["vendor", "model", "serial"])
        switch (path, match) {
        case let (path?, nil):
            return .path(path)
        case (nil, let match?):
            let selector = DeviceSelector.match(
                vendor: try match.optionalString("vendor"), model: try match.optionalString("model"),
                serial: try match.optionalString("serial"))
            guard selector != .match(vendor: nil, model: nil, serial: nil) else {
                throw object.error("match", "expected at least one of vendor, model, serial")
            }
            return selector
        case (.some, .some):
            throw object.error("device", "give either device or match, not both")
        case (nil, nil):
            throw object.error("device", "required: expected a device path (or a udev match)")
        }
    }

    static func parseReader(_ object: ConfigObject) throws -> ReaderConfiguration {
        let name = try object.string("name")
        let kind: ReaderKind = try object.choice("kind")
        let transport: ReaderTransport
        switch kind {
        case .em4100:
            transport = .em4100(device: try parseDevice(object))
        case .wedge:
            transport = .wedge(
                device: try parseDevice(object), base: try object.choice("base", default: .decimal),
                cards: try object.bool("cards", default: true))
        case .pinPad:
            transport = .pinPad(device: try parseDevice(object))
        case .wiegand:
            guard let d0 = try parseOptionalLine(object, "d0") else {
                throw object.error("d0", "required: the D0 data line")
            }
            guard let d1 = try parseOptionalLine(object, "d1") else {
                throw object.error("d1", "required: the D1 data line")
            }
            transport = .wiegand(d0: d0, d1: d1)
        case .scanner:
            transport = .scanner(
                device: try parseDevice(object),
                baud: Int(try object.optionalInteger("baud", in: 1_200...230_400) ?? 9_600),
                cards: try object.bool("cards", default: false))
        case .osdp:
            transport = .osdp(
                device: try parseDevice(object), address: UInt8(try object.integer("address", in: 0...126)),
                baud: Int(try object.optionalInteger("baud", in: 1_200...230_400) ?? 9_600))
        }
        return ReaderConfiguration(
            name: name, transport: transport, doorID: DoorID(try object.integer("door", in: 1...Int64(Int32.max))),
            direction: try object.choice("direction", default: .entry))
    }

    /// Two functions on one GPIO line would fight over it; the kernel would refuse the second anyway.
    func checkLinesAreUsedOnce(file: String) throws {
        var owners: [String: String] = [:]
        func claim(_ line: LineConfiguration?, _ owner: String) throws {
            guard let line else { return }
            let key = "\(line.chip):\(line.line)"
            if let previous = owners[key] {
                throw ConfigError(
                    file: file, key: owner, problem: "line \(line.line) of \(line.chip) is already used by \(previous)")
            }
            owners[key] = owner
        }
        for (index, door) in doors.enumerated() {
            try claim(door.relay.line, "doors[\(index)].relay")
            try claim(door.contact, "doors[\(index)].contact")
            try claim(door.exitButton, "doors[\(index)].exit_button")
            try claim(door.passageSensor, "doors[\(index)].passage_sensor")
            try claim(door.feedback.green, "doors[\(index)].feedback.green")
            try claim(door.feedback.red, "doors[\(index)].feedback.red")
            try claim(door.feedback.buzzer, "doors[\(index)].feedback.buzzer")
        }
        for (index, reader) in readers.enumerated() {
            if case let .wiegand(d0, d1) = reader.transport {
                try claim(d0, "readers[\(index)].d0")
                try claim(d1, "readers[\(index)].d1")
            }
        }
        try claim(fireAlarm, "fire_alarm")
        try claim(silentAlarm, "silent_alarm")
    }
}

/// How a keypad resists someone trying PINs: `maximumWrong` unknown PINs within `windowSeconds`
/// lock it for `lockoutSeconds`.
public struct KeypadPolicy: Hashable, Sendable {
    public var maximumWrong = 5
    public var windowSeconds = 300
    public var lockoutSeconds = 300
    public init() {}
    public init(maximumWrong: Int, windowSeconds: Int, lockoutSeconds: Int) {
        self.maximumWrong = maximumWrong
        self.windowSeconds = windowSeconds
        self.lockoutSeconds = lockoutSeconds
    }
}
