import Daemon
import PorteroModel
import Testing

func ms(_ value: Int64) -> MonotonicInstant { .milliseconds(value) }

@Suite struct DoorControllerTests {
    let configuration = DoorController.Configuration(pulseMilliseconds: 3_000, heldOpenMilliseconds: 10_000)

    @Test func startsLocked() {
        let door = DoorController(configuration: configuration)
        #expect(door.initialActions == [.setLock(unlocked: false)])
        #expect(door.state == .locked)
        #expect(door.deadline == nil)
    }

    @Test func grantReleasesForThePulseThenRelocks() {
        var door = DoorController(configuration: configuration)
        #expect(door.grant(.entry, at: ms(0)) == [.setLock(unlocked: true)])
        #expect(door.state == .unlocked)
        #expect(door.deadline == ms(3_000))
        #expect(door.tick(ms(2_999)).isEmpty)
        #expect(door.tick(ms(3_000)) == [.setLock(unlocked: false)])
        #expect(door.state == .locked)
    }

    @Test func aSecondGrantExtendsThePulse() {
        var door = DoorController(configuration: configuration)
        _ = door.grant(.entry, at: ms(0))
        #expect(door.grant(.entry, at: ms(2_000)).isEmpty)
        #expect(door.tick(ms(3_000)).isEmpty)
        #expect(door.tick(ms(5_000)) == [.setLock(unlocked: false)])
    }

    @Test func openingAfterAGrantIsFineAndClosingRelocksAtOnce() {
        var door = DoorController(configuration: configuration)
        _ = door.grant(.entry, at: ms(0))
        #expect(door.contact(open: true, at: ms(500)).isEmpty)
        #expect(door.state == .open)
        #expect(door.contact(open: false, at: ms(1_500)) == [.setLock(unlocked: false)])
        #expect(door.tick(ms(3_000)).isEmpty)
    }

    @Test func heldOpenRaisesAfterTheThresholdAndClearsOnClose() {
        var door = DoorController(configuration: configuration)
        _ = door.grant(.entry, at: ms(0))
        _ = door.contact(open: true, at: ms(1_000))
        #expect(door.deadline == ms(3_000))
        #expect(door.tick(ms(3_000)) == [.setLock(unlocked: false)])
        #expect(door.deadline == ms(11_000))
        #expect(door.tick(ms(10_999)).isEmpty)
        #expect(door.tick(ms(11_000)) == [.alarm(.heldOpen, raised: true)])
        #expect(door.state == .heldOpen)
        #expect(door.tick(ms(20_000)).isEmpty)  // raised once
        #expect(door.contact(open: false, at: ms(21_000)) == [.alarm(.heldOpen, raised: false)])
        #expect(door.state == .locked)
    }

    @Test func openingWithoutGrantIsForced() {
        var door = DoorController(configuration: configuration)
        #expect(door.contact(open: true, at: ms(0)) == [.alarm(.forced, raised: true)])
        #expect(door.state == .forced)
        #expect(door.contact(open: false, at: ms(2_000)) == [.alarm(.forced, raised: false)])
    }

    @Test func exitButtonReleasesEvenInLockdown() {
        var door = DoorController(configuration: configuration)
        _ = door.setMode(.lockdown, at: ms(0))
        #expect(door.grant(.entry, at: ms(10)).isEmpty)
        #expect(door.exitButton(at: ms(20)) == [.setLock(unlocked: true)])
        #expect(door.contact(open: true, at: ms(100)).isEmpty)  // egress, not forced
        #expect(door.contact(open: false, at: ms(900)) == [.setLock(unlocked: false)])
        #expect(door.state == .lockdown)
    }

    @Test func lockdownCutsAPulseShort() {
        var door = DoorController(configuration: configuration)
        _ = door.grant(.entry, at: ms(0))
        #expect(door.setMode(.lockdown, at: ms(500)) == [.setLock(unlocked: false)])
        #expect(door.tick(ms(3_000)).isEmpty)
    }

    @Test func freeAccessHoldsTheLockReleasedUntilNormal() {
        var door = DoorController(configuration: configuration)
        #expect(door.setMode(.freeAccess, at: ms(0)) == [.setLock(unlocked: true)])
        #expect(door.contact(open: true, at: ms(10)).isEmpty)
        #expect(door.tick(ms(60_000)).isEmpty)  // no held-open alarm while free access
        _ = door.contact(open: false, at: ms(60_001))
        #expect(door.setMode(.normal, at: ms(60_002)) == [.setLock(unlocked: false)])
    }

    @Test func fireAlarmReleasesEverythingAndOverridesLockdown() {
        var door = DoorController(configuration: configuration)
        _ = door.setMode(.lockdown, at: ms(0))
        _ = door.contact(open: true, at: ms(10))  // forced
        #expect(door.fireAlarm(active: true, at: ms(20)) == [.setLock(unlocked: true), .alarm(.forced, raised: false)])
        #expect(door.state == .fireRelease)
        #expect(door.tick(ms(100_000)).isEmpty)
        _ = door.contact(open: false, at: ms(100_001))
        #expect(door.fireAlarm(active: false, at: ms(100_002)) == [.setLock(unlocked: false)])
        #expect(door.state == .lockdown)
    }

    @Test func fireAlarmEndingDuringAPulseKeepsThePulse() {
        var door = DoorController(configuration: configuration)
        _ = door.fireAlarm(active: true, at: ms(0))
        _ = door.grant(.entry, at: ms(1_000))
        #expect(door.fireAlarm(active: false, at: ms(2_000)).isEmpty)
        #expect(door.tick(ms(4_000)) == [.setLock(unlocked: false)])
    }
}

@Suite struct TurnstileTests {
    let configuration = DoorController.Configuration(
        pulseMilliseconds: 5_000, heldOpenMilliseconds: 10_000, confirmsPassage: true)

    @Test func grantFollowedByPassageIsConfirmedAndRelocks() {
        var turnstile = DoorController(configuration: configuration)
        _ = turnstile.grant(.entry, at: ms(0))
        #expect(turnstile.passage(at: ms(1_200)) == [.passageConfirmed(.entry), .setLock(unlocked: false)])
        #expect(turnstile.tick(ms(6_000)).isEmpty)
    }

    @Test func grantWithoutPassageIsMissed() {
        var turnstile = DoorController(configuration: configuration)
        _ = turnstile.grant(.exit, at: ms(0))
        #expect(turnstile.tick(ms(5_000)) == [.setLock(unlocked: false)])
        #expect(turnstile.tick(ms(5_001)) == [.passageMissed(.exit)])
    }

    @Test func passageWithoutGrantIsForced() {
        var turnstile = DoorController(configuration: configuration)
        #expect(turnstile.passage(at: ms(0)) == [.alarm(.forced, raised: true)])
    }

    @Test func aNewGrantMissesTheUnusedOne() {
        var turnstile = DoorController(configuration: configuration)
        _ = turnstile.grant(.entry, at: ms(0))
        #expect(turnstile.grant(.entry, at: ms(1_000)) == [.passageMissed(.entry)])
        #expect(turnstile.passage(at: ms(1_500)) == [.passageConfirmed(.entry), .setLock(unlocked: false)])
    }
}
