import Foundation
import HTTP
import Hardware
import PorteroModel
import Readers
import Replica
import SQLite
import Service
import SyncWire

/// The one access path: a reader's input becomes a request, the replica decides it (journalled),
/// and the door and the reader's feedback act on the decision.
extension BranchDaemon {

    func handle(_ events: [ReaderEvent], from reader: ReaderComponent, now: MonotonicInstant) {
        guard let door = doors[reader.configuration.doorID] else { return }
        for event in events {
            switch event {
            case let .card(read):
                held(.card(read), at: door, reader: reader, now: now)
            case let .pass(code):
                // A phone is held like a card: a card-and-PIN door asks for the PIN after it.
                held(.pass(code), at: door, reader: reader, now: now)
            case let .dayPass(code):
                held(.dayPass(code), at: door, reader: reader, now: now)
            case let .keys(keys):
                for key in keys {
                    let input: KeyInput = key == "#" ? .hash : key == "*" ? .star : .character(key)
                    guard case let .submitted(digits)? = door.pinEntry.key(input, at: now) else { continue }
                    if door.cardThenPIN.isWaiting, let outcome = door.cardThenPIN.pin(digits, at: now) {
                        decideCardThenPIN(outcome, at: door, reader: reader, now: now)
                    } else if let hasher = pinHasher, let digest = try? hasher.digest(digits) {
                        keyedPIN(PINDigest(bytes: digest), at: door, reader: reader, now: now)
                    }
                }
            case let .rejected(rejection):
                log(.notice, "reader \(reader.name): rejected input: \(rejection)")
            case let .disconnected(reason):
                reader.close(reason: reason, now: now)
            }
        }
    }

    /// A card or a phone pass: decided at once, or held for the PIN at a card-and-PIN entry. A day
    /// pass is decided at once: its guest holds no PIN, and such a door answers `pin.required`.
    func held(_ scan: Scan, at door: DoorComponent, reader: ReaderComponent, now: MonotonicInstant) {
        var waitsForPIN = door.door.requiresPIN && reader.configuration.direction == .entry
        if case .dayPass = scan { waitsForPIN = false }
        guard waitsForPIN else {
            decide(Self.presented(scan), pin: nil, at: door, reader: reader, now: now)
            return
        }
        if let flushed = door.cardThenPIN.held(scan, at: now) {
            decideCardThenPIN(flushed, at: door, reader: reader, now: now)
        }
        log(
            .info,
            "door \(door.door.name) reader \(reader.name): \(describe(Self.presented(scan))), waiting for the PIN")
    }

    static func presented(_ scan: Scan) -> PresentedCredential {
        switch scan {
        case let .card(read): .card(read.credential)
        case let .pass(code): .pass(code)
        case let .dayPass(code): .dayPass(code)
        }
    }

    func decideCardThenPIN(
        _ outcome: CardThenPIN.Outcome, at door: DoorComponent, reader: ReaderComponent?, now: MonotonicInstant
    ) {
        switch outcome {
        case let .cardWithPIN(scan, digits):
            let digest = (try? pinHasher?.digest(digits)).flatMap { $0 }.map(PINDigest.init(bytes:))
            decide(Self.presented(scan), pin: digest, at: door, reader: reader, now: now)
        case let .cardWithoutPIN(scan):
            decide(Self.presented(scan), pin: nil, at: door, reader: reader, now: now)
        }
    }

    /// The decision, durably journalled, then the door and the feedback. A failure to read or
    /// write the replica denies: the door stays shut. A full disk is the one exception, decided by
    /// the same service: the branch keeps working from the replica, the event goes to the system
    /// log with everything needed to replay it, and the alarm is raised (`health: degraded`).
    @discardableResult
    func decide(
        _ presented: PresentedCredential, pin: PINDigest?, at door: DoorComponent, reader: ReaderComponent?,
        now: MonotonicInstant
    ) -> AccessDecision? {
        let direction = reader?.configuration.direction ?? .entry
        let request = AccessRequest(doorID: door.door.id, direction: direction, presented: presented, pin: pin)
        var liveDoor = door.door
        liveDoor.mode = door.controller.mode
        let started = clock.monotonic()
        let admission: AccessService.Admission
        do {
            admission = try service.admit(request, at: liveDoor, now: clock.wall())
        } catch {
            metrics.journalFailure()
            door.feedback(granted: false, now: now)
            reader?.feedback(granted: false)
            log(.error, "door \(door.door.name): request refused, the replica failed: \(error)")
            return nil
        }
        decisions += 1
        let decision = admission.outcome.decision
        if decision.granted {
            door.noteGrant(user: decision.userID, direction: direction)
            apply(door.controller.grant(direction, at: now), to: door)
        }
        door.feedback(granted: decision.granted, now: now)
        reader?.feedback(granted: decision.granted)
        if decision.duress { raiseDuress(at: door, user: decision.userID, now: now) }
        if let level = decision.occupancy {
            noteOccupancy(level, decision: decision, at: door, inside: decision.othersInside)
        }
        if let failure = admission.journalFailure {
            metrics.journalFailure()
            let event = admission.outcome.event
            log(
                .error,
                "JOURNAL FULL, event kept here only: id=\(event.id) at=\(event.at) door=\(door.door.id) "
                    + "direction=\(direction.rawValue) \(describe(presented)) reason=\(decision.reason.rawValue) "
                    + "user=\(decision.userID.map { "\($0)" } ?? "-") (\(failure))"
            )
            return decision
        }
        let finished = clock.monotonic()
        metrics.decision(reason: decision.reason.rawValue, seconds: Double(finished.nanoseconds(since: now)) / 1e9)
        log(
            decision.duress ? .warning : .info,
            "door \(door.door.name) reader \(reader?.name ?? "-"): \(describe(presented)) "
                + "\(decision.reason.rawValue)\(decision.userID.map { " user \($0)" } ?? "")"
                + "\(decision.duress ? " DURESS" : "") in \(finished.nanoseconds(since: started) / 1000) µs"
        )
        return decision
    }

    func describe(_ presented: PresentedCredential) -> String {
        switch presented {
        case let .card(number): "card \(number)"
        case .pin: "PIN"
        case let .pass(code): "phone pass of user \(code.member) phone \(code.phone)"
        case let .dayPass(code): "day pass \(code.subscription)"
        }
    }

    func apply(_ actions: [DoorAction], to door: DoorComponent) {
        for case let .alarm(alarm, true) in actions {
            metrics.alarm(door: door.door.name, alarm: alarm.rawValue)
            sync?.report(
                SyncAlarm(
                    door: door.door.id.rawValue, doorName: door.door.name, alarm: alarm.rawValue, at: clock.wall()))
        }
        for (user, direction) in door.perform(actions) {
            do {
                try store.recordPassage(of: user, direction: direction, now: clock.wall())
            } catch {
                log(.error, "door \(door.door.name): cannot count the passage of user \(user): \(error)")
            }
        }
    }
}
