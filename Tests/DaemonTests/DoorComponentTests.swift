@testable import Daemon
import Hardware
import PorteroModel
import Service
import Testing

@Suite struct DoorComponentTests {
    static func line(_ number: UInt32, _ activeLow: Bool) -> LineConfiguration {
        LineConfiguration(chip: "sim", line: number, activeLow: activeLow, bias: .asIs)
    }

    func makeDoor(kind: RelayKind) -> DoorConfiguration {
        DoorConfiguration(
            door: Door(id: DoorID(1), branchID: BranchID(1), name: "Puerta"), pulseMilliseconds: 500,
            heldOpenMilliseconds: 5_000,
            relay: RelayConfiguration(line: Self.line(1, false), kind: kind), contact: nil, exitButton: nil,
            passageSensor: nil,
            feedback: FeedbackConfiguration(
                green: Self.line(2, false), red: Self.line(3, false), buzzer: Self.line(4, true)))
    }

    @Test func relayStartsAtTheLockedLevelForItsKind() throws {
        for (kind, lockedLevel) in [(RelayKind.failSecure, false), (.failSafe, true)] {
            let pool = GPIOChipPool(simulated: true)
            let door = DoorComponent(configuration: makeDoor(kind: kind), log: Log(minimum: .error))
            try door.open(chips: pool)
            let chip = try #require(try pool.chip("sim") as? SimulatedGPIOChip)
            #expect(chip.level(of: 1) == lockedLevel)
            _ = door.perform(door.controller.grant(.entry, at: .milliseconds(0)))
            #expect(chip.level(of: 1) == !lockedLevel)
            door.release()
            #expect(!chip.isRequested(1))
        }
    }

    @Test func feedbackLightsGreenOnGrantAndRedWithABeepOnDenialThenTurnsOff() throws {
        let pool = GPIOChipPool(simulated: true)
        let door = DoorComponent(configuration: makeDoor(kind: .failSecure), log: Log(minimum: .error))
        try door.open(chips: pool)
        let chip = try #require(try pool.chip("sim") as? SimulatedGPIOChip)
        #expect(chip.level(of: 4) == true)  // the active-low buzzer is silent at a high level
        door.feedback(granted: true, now: .milliseconds(0))
        #expect(chip.level(of: 2) && !chip.level(of: 3))
        _ = door.tick(now: .milliseconds(1_000))
        #expect(!chip.level(of: 2))
        door.feedback(granted: false, now: .milliseconds(2_000))
        #expect(chip.level(of: 3) && chip.level(of: 4) == false)
        _ = door.tick(now: .milliseconds(2_300))
        #expect(chip.level(of: 4) == true)  // the beep is short
        #expect(chip.level(of: 3))
        _ = door.tick(now: .milliseconds(3_000))
        #expect(!chip.level(of: 3))
    }
}
