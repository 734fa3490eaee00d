import PorteroModel

/// Alarms a door raises.
public enum DoorAlarm: String, Sendable, Codable, CaseIterable {
    /// Open longer than the held-open threshold after a legitimate opening.
    case heldOpen = "held_open"
    /// Opened without a grant, an exit button or a release (a door contact), or passed without a
    /// grant (a turnstile's passage sensor).
    case forced
}

/// What the I/O shell must do after feeding the controller.
public enum DoorAction: Hashable, Sendable {
    /// Drive the lock: `unlocked` true releases it. The shell maps this to the relay's line level
    /// for its kind (fail-safe or fail-secure).
    case setLock(unlocked: Bool)
    case alarm(DoorAlarm, raised: Bool)
    /// A grant at a turnstile was followed by a passage: count the entry now.
    case passageConfirmed(Direction)
    /// A grant's window closed without a passage: it is not an entry.
    case passageMissed(Direction)
}

/// What a door is doing, for the status endpoint.
public enum DoorState: String, Sendable, Codable {
    case locked
    case unlocked
    case open
    case heldOpen = "held_open"
    case forced
    case fireRelease = "fire_release"
    case lockdown
    case freeAccess = "free_access"
}

/// One door's state machine (DESIGN §5): locked, unlocked for a pulse, open, held open (alarm),
/// forced (alarm), passage confirmation for turnstiles, fire release and lockdown.
///
/// Pure and clock-driven: every input carries its monotonic time, `tick` handles time passing,
/// `deadline` says when to tick next. The shell performs the returned actions.
public struct DoorController: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// How long a grant or an exit button releases the lock.
        public var pulseMilliseconds: Int64
        /// How long the door may stand open after a legitimate opening before the alarm.
        public var heldOpenMilliseconds: Int64
        /// A turnstile with a passage sensor: a grant counts as an entry only when someone passes.
        public var confirmsPassage: Bool
        /// Lock again as soon as the door closes after opening, without waiting for the pulse to end.
        public var relockOnClose: Bool

        public init(
            pulseMilliseconds: Int64 = 3_000, heldOpenMilliseconds: Int64 = 30_000, confirmsPassage: Bool = false,
            relockOnClose: Bool = true
        ) {
            self.pulseMilliseconds = pulseMilliseconds
            self.heldOpenMilliseconds = heldOpenMilliseconds
            self.confirmsPassage = confirmsPassage
            self.relockOnClose = relockOnClose
        }
    }

    public let configuration: Configuration
    public private(set) var mode: DoorMode = .normal
    public private(set) var fireAlarm = false
    public private(set) var lockReleased = false
    public private(set) var contactOpen = false
    public private(set) var alarms: Set<DoorAlarm> = []
    private var pulseEnds: MonotonicInstant?
    /// The door may open without alarm: a grant, an exit button or a release happened.
    private var openingAllowed = false
    private var openedSince: MonotonicInstant?
    private var pendingPassage: (direction: Direction, until: MonotonicInstant)?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The lock state the shell sets when the door is first wired up (locked, normal mode).
    public var initialActions: [DoorAction] { [.setLock(unlocked: false)] }

    public var state: DoorState {
        if fireAlarm { return .fireRelease }
        if alarms.contains(.forced) { return .forced }
        if alarms.contains(.heldOpen) { return .heldOpen }
        switch mode {
        case .lockdown: return .lockdown
        case .freeAccess: return .freeAccess
        case .normal: break
        }
        if contactOpen { return .open }
        return lockReleased ? .unlocked : .locked
    }

    /// The next time `tick` has work to do.
    public var deadline: MonotonicInstant? {
        [pulseEnds, pendingPassage?.until, heldOpenDeadline].compactMap { $0 }.min()
    }

    private var heldOpenDeadline: MonotonicInstant? {
        guard let since = openedSince, !alarms.contains(.heldOpen) else { return nil }
        return since.adding(milliseconds: configuration.heldOpenMilliseconds)
    }

    /// True while something other than a pulse keeps the lock released.
    private var standingRelease: Bool { fireAlarm || (mode == .freeAccess) }

    // MARK: Inputs

    /// A granted request: release for a pulse; at a turnstile, wait for the passage.
    public mutating func grant(_ direction: Direction, at now: MonotonicInstant) -> [DoorAction] {
        var actions: [DoorAction] = []
        if let pending = pendingPassage {
            // A new grant before the last one was used: the last one was not a passage.
            actions.append(.passageMissed(pending.direction))
        }
        if configuration.confirmsPassage {
            pendingPassage = (direction, now.adding(milliseconds: configuration.pulseMilliseconds))
        }
        return actions + releaseForPulse(at: now)
    }

    /// The exit button (request to exit): release for a pulse, in every mode; egress is never refused.
    public mutating func exitButton(at now: MonotonicInstant) -> [DoorAction] {
        releaseForPulse(at: now, evenInLockdown: true)
    }

    private mutating func releaseForPulse(at now: MonotonicInstant, evenInLockdown: Bool = false) -> [DoorAction] {
        if mode == .lockdown && !evenInLockdown && !fireAlarm { return [] }
        openingAllowed = true
        pulseEnds = now.adding(milliseconds: configuration.pulseMilliseconds)
        return setLock(released: true)
    }

    /// The door contact changed (true: the door is open).
    public mutating func contact(open: Bool, at now: MonotonicInstant) -> [DoorAction] {
        guard open != contactOpen else { return [] }
        contactOpen = open
        var actions: [DoorAction] = []
        if open {
            openedSince = now
            if !(openingAllowed || lockReleased || standingRelease) {
                actions += raise(.forced)
            }
        } else {
            openedSince = nil
            actions += clear(.heldOpen)
            actions += clear(.forced)
            if openingAllowed {
                openingAllowed = false
                if configuration.relockOnClose, pulseEnds != nil {
                    pulseEnds = nil
                    if !standingRelease { actions += setLock(released: false) }
                }
            }
        }
        return actions
    }

    /// The passage sensor saw someone go through.
    public mutating func passage(at now: MonotonicInstant) -> [DoorAction] {
        if let pending = pendingPassage, now <= pending.until {
            pendingPassage = nil
            // The turnstile locks again once the person is through.
            var actions: [DoorAction] = [.passageConfirmed(pending.direction)]
            pulseEnds = nil
            openingAllowed = false
            if !standingRelease { actions += setLock(released: false) }
            return actions
        }
        // Through without a grant (jumped, or pushed while unlocked by someone else).
        if standingRelease || mode == .freeAccess { return [] }
        return raise(.forced)
    }

    /// The building's fire alarm: while active every door is released.
    public mutating func fireAlarm(active: Bool, at now: MonotonicInstant) -> [DoorAction] {
        guard active != fireAlarm else { return [] }
        fireAlarm = active
        if active {
            return setLock(released: true) + clear(.forced) + clear(.heldOpen)
        }
        return setLock(released: desiredRelease(at: now))
    }

    /// Lockdown, free access or back to normal.
    public mutating func setMode(_ newMode: DoorMode, at now: MonotonicInstant) -> [DoorAction] {
        mode = newMode
        if newMode == .lockdown {
            pulseEnds = nil
            openingAllowed = false
        }
        return setLock(released: desiredRelease(at: now))
    }

    /// Time passing: pulses end, passage windows close, held-open alarms rise.
    public mutating func tick(_ now: MonotonicInstant) -> [DoorAction] {
        var actions: [DoorAction] = []
        if let ends = pulseEnds, now >= ends {
            pulseEnds = nil
            if !contactOpen { openingAllowed = false }
            actions += setLock(released: desiredRelease(at: now))
        }
        if let pending = pendingPassage, now > pending.until {
            pendingPassage = nil
            actions.append(.passageMissed(pending.direction))
        }
        if let deadline = heldOpenDeadline, now >= deadline, contactOpen, !standingRelease {
            actions += raise(.heldOpen)
        }
        return actions
    }

    // MARK: Helpers

    private func desiredRelease(at now: MonotonicInstant) -> Bool {
        if fireAlarm || mode == .freeAccess { return true }
        if mode == .lockdown { return false }
        if let ends = pulseEnds, now < ends { return true }
        return false
    }

    private mutating func setLock(released: Bool) -> [DoorAction] {
        guard released != lockReleased else { return [] }
        lockReleased = released
        return [.setLock(unlocked: released)]
    }

    private mutating func raise(_ alarm: DoorAlarm) -> [DoorAction] {
        guard !alarms.contains(alarm) else { return [] }
        alarms.insert(alarm)
        return [.alarm(alarm, raised: true)]
    }

    private mutating func clear(_ alarm: DoorAlarm) -> [DoorAction] {
        guard alarms.contains(alarm) else { return [] }
        alarms.remove(alarm)
        return [.alarm(alarm, raised: false)]
    }
}
