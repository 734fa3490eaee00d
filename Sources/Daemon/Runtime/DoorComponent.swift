import Hardware
import PorteroModel
import Readers
import Service

/// One door: its state machine, its lock relay, its inputs and its GPIO feedback lines.
final class DoorComponent {
    let configuration: DoorConfiguration
    var controller: DoorController
    private let log: Log
    private var relay: (any OutputLine)?
    private var inputs: [(role: InputRole, line: any InputLine)] = []
    private var feedbackLines: [(line: any OutputLine, off: MonotonicInstant?)] = []
    private var green: Int?
    private var red: Int?
    private var buzzer: Int?
    /// Who the last grant was for, so a confirmed passage is counted for them.
    private(set) var pendingUser: (user: UserID, direction: Direction)?
    var cardThenPIN = CardThenPIN()
    var pinEntry = PINEntry()

    enum InputRole: String {
        case contact, exitButton = "exit button", passage = "passage sensor"
    }

    /// The door's settings: the configuration's for a stand-alone controller, headquarters' for
    /// an enrolled one (replaced when the feed brings new ones).
    var door: Door

    init(configuration: DoorConfiguration, log: Log, now: MonotonicInstant = .now()) {
        self.configuration = configuration
        self.door = configuration.door
        self.controller = DoorController(
            configuration: DoorController.Configuration(
                pulseMilliseconds: configuration.pulseMilliseconds,
                heldOpenMilliseconds: configuration.heldOpenMilliseconds,
                confirmsPassage: configuration.passageSensor != nil))
        self.log = log
        _ = controller.setMode(configuration.door.mode, at: now)
    }

    /// Requests the lines. The relay starts at the locked level; a relay that cannot be had is an
    /// error for this door only.
    func open(chips: GPIOChipPool, now: MonotonicInstant = .now()) throws {
        let relayLine = configuration.relay.line
        // Requested at the physical level of the current lock state straight away, so the line
        // never passes through the wrong level.
        relay = try chips.chip(relayLine.chip).requestOutput(
            offset: relayLine.line, consumer: "porterod:\(door.name)",
            initiallyActive: physicalLevel(unlocked: controller.lockReleased), activeLow: false)
        for (role, line) in [
            (InputRole.contact, configuration.contact), (.exitButton, configuration.exitButton),
            (.passage, configuration.passageSensor),
        ] {
            guard let line else { continue }
            let input = try chips.chip(line.chip).requestInput(
                offset: line.line, consumer: "porterod:\(door.name)", edges: .both, bias: line.bias,
                activeLow: line.activeLow)
            inputs.append((role, input))
            if role == .contact, try input.isActive() { _ = controller.contact(open: true, at: now) }
        }
        for (index, line) in [configuration.feedback.green, configuration.feedback.red, configuration.feedback.buzzer]
            .enumerated()
        {
            guard let line else { continue }
            let output = try chips.chip(line.chip).requestOutput(
                offset: line.line, consumer: "porterod:\(door.name)", initiallyActive: false, activeLow: line.activeLow)
            feedbackLines.append((output, nil))
            switch index {
            case 0: green = feedbackLines.count - 1
            case 1: red = feedbackLines.count - 1
            default: buzzer = feedbackLines.count - 1
            }
        }
    }

    /// The relay's physical level for a lock state: the kind decides, active-low inverts.
    func physicalLevel(unlocked: Bool) -> Bool {
        configuration.relay.kind.lineActive(unlocked: unlocked) != configuration.relay.line.activeLow
    }

    /// Drives every output to its safe state and gives the lines back (shutdown, reload).
    func release() {
        try? relay?.set(active: physicalLevel(unlocked: false))
        relay?.release()
        relay = nil
        for output in feedbackLines {
            try? output.line.set(active: false)
            output.line.release()
        }
        feedbackLines.removeAll()
        for input in inputs { input.line.release() }
        inputs.removeAll()
    }

    var descriptors: [Int32] { inputs.map(\.line.pollDescriptor) }

    var deadline: MonotonicInstant? {
        ([controller.deadline, cardThenPIN.deadline] + feedbackLines.map(\.off)).compactMap { $0 }.min()
    }

    /// Input edges, in the kernel's order.
    func handleReadable(_ fd: Int32, now: MonotonicInstant) -> [DoorAction] {
        var actions: [DoorAction] = []
        for input in inputs where input.line.pollDescriptor == fd {
            let events: [LineEvent]
            do { events = try input.line.readEvents() } catch {
                log(.error, "door \(door.name): \(input.role.rawValue): \(error)")
                continue
            }
            for event in events {
                switch input.role {
                case .contact: actions += controller.contact(open: event.rising, at: event.at)
                case .exitButton where event.rising: actions += controller.exitButton(at: event.at)
                case .passage where event.rising: actions += controller.passage(at: event.at)
                default: break
                }
            }
        }
        return actions
    }

    func tick(now: MonotonicInstant) -> [DoorAction] {
        for index in feedbackLines.indices {
            if let off = feedbackLines[index].off, now >= off {
                try? feedbackLines[index].line.set(active: false)
                feedbackLines[index].off = nil
            }
        }
        return controller.tick(now)
    }

    func noteGrant(user: UserID?, direction: Direction) {
        pendingUser = user.map { ($0, direction) }
    }

    /// Performs what the controller asked for on the lines; returns passages to count.
    func perform(_ actions: [DoorAction]) -> [(UserID, Direction)] {
        var passages: [(UserID, Direction)] = []
        for action in actions {
            switch action {
            case let .setLock(unlocked):
                do {
                    try relay?.set(active: physicalLevel(unlocked: unlocked))
                    log(
                        .info,
                        "door \(door.name): lock \(unlocked ? "released" : "locked") "
                            + "(relay \(configuration.relay.line.chip):\(configuration.relay.line.line) "
                            + "\(physicalLevel(unlocked: unlocked) ? "high" : "low"))"
                    )
                } catch {
                    log(.error, "door \(door.name): cannot drive the relay: \(error)")
                }
            case let .alarm(alarm, raised):
                log(
                    raised ? .warning : .notice,
                    "door \(door.name): alarm \(alarm.rawValue) \(raised ? "raised" : "cleared")")
            case let .passageConfirmed(direction):
                if let pending = pendingUser, pending.direction == direction {
                    passages.append((pending.user, direction))
                }
                pendingUser = nil
            case .passageMissed:
                pendingUser = nil
            }
        }
        return passages
    }

    /// GPIO feedback: green for a grant, red and a short beep for a denial.
    func feedback(granted: Bool, now: MonotonicInstant) {
        let lit = granted ? green : red
        for index in [lit, granted ? nil : buzzer].compactMap({ $0 }) {
            try? feedbackLines[index].line.set(active: true)
            feedbackLines[index].off = now.adding(milliseconds: index == buzzer ? 300 : 1_000)
        }
    }
}
