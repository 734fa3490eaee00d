import Hardware
import PorteroModel
import Replica
import Service
import SyncWire

/// PINs keyed alone at a keypad, the keypad's lockout after unknown PINs, and the duress alarm.
extension BranchDaemon {
    /// A PIN keyed without a card: the person is found by it. Unknown PINs count against the
    /// keypad; a locked keypad takes none and journals each attempt.
    func keyedPIN(_ digest: PINDigest, at door: DoorComponent, reader: ReaderComponent, now: MonotonicInstant) {
        // Counted per door, whichever of its keypads the PINs are keyed on.
        var keypad = keypads[door.door.id] ?? KeypadGuard(policy: configuration.keypad)
        defer { keypads[door.door.id] = keypad }
        if keypad.isLocked(at: now) {
            // A person forced to key their duress PIN at a resting keypad still raises the alarm.
            if let found = try? store.facts(for: .pin(digest)).facts, let duress = found.duressPIN,
                digest.matches(duress)
            {
                raiseDuress(at: door, user: found.user.id, now: now)
            }
            door.feedback(granted: false, now: now)
            reader.feedback(granted: false)
            let wall = clock.wall()
            let event = AttendanceEvent(
                id: EventID(time: wall), at: wall, branchID: configuration.branchID, doorID: door.door.id,
                direction: reader.configuration.direction, credentialKind: .pin, cardNumber: nil, userID: nil,
                subscriptionID: nil, granted: false, reason: .keypadLocked)
            do { try store.record(event, newState: nil) } catch {
                log(
                    .error, "door \(door.door.name) reader \(reader.name): cannot journal a locked-keypad try: \(error)"
                )
            }
            log(.warning, "door \(door.door.name) reader \(reader.name): keypad locked; PIN not tried")
            return
        }
        let decision = decide(.pin(digest), pin: nil, at: door, reader: reader, now: now)
        guard decision?.reason == .credentialUnknown, keypad.noteWrong(at: now) else { return }
        log(
            .warning,
            "door \(door.door.name) reader \(reader.name): \(configuration.keypad.maximumWrong) unknown PINs "
                + "within \(configuration.keypad.windowSeconds) s; keypad locked for "
                + "\(configuration.keypad.lockoutSeconds) s")
        sync?.report(
            SyncAlarm(door: door.door.id.rawValue, doorName: door.door.name, alarm: "keypad_locked", at: clock.wall()))
    }

    /// A duress PIN: the door did what the decision said; now the silent output and the core.
    func raiseDuress(at door: DoorComponent, user: UserID?, now: MonotonicInstant) {
        log(.warning, "door \(door.door.name): DURESS PIN keyed by user \(user.map { "\($0)" } ?? "-")")
        do { try silentAlarm?.trigger(now: now) } catch { log(.error, "silent alarm output: \(error)") }
        metrics.alarm(door: door.door.name, alarm: "duress")
        sync?.report(
            SyncAlarm(
                door: door.door.id.rawValue, doorName: door.door.name, alarm: "duress", at: clock.wall(),
                user: user?.rawValue))
    }
}
