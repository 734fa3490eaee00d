import Hardware
import PorteroModel
import Service

/// The silent-alarm output: driven active for a while when a duress PIN is keyed (a monitoring
/// panel or a guard's pager listens on it), never at start. Requested inactive, released inactive.
final class SilentAlarm {
    private let line: any OutputLine
    private let holdMilliseconds: Int64
    private(set) var deadline: MonotonicInstant?

    init(configuration: LineConfiguration, holdSeconds: Int, chips: GPIOChipPool) throws {
        line = try chips.chip(configuration.chip).requestOutput(
            offset: configuration.line, consumer: "porterod:silent-alarm", initiallyActive: false,
            activeLow: configuration.activeLow)
        holdMilliseconds = Int64(holdSeconds) * 1_000
    }

    /// Drives the line active until `holdSeconds` from now (a second duress extends it).
    func trigger(now: MonotonicInstant) throws {
        try line.set(active: true)
        deadline = now.adding(milliseconds: holdMilliseconds)
    }

    /// Drives the line active until `deadline` (an alarm carried through a reload).
    func resume(until deadline: MonotonicInstant) throws {
        try line.set(active: true)
        self.deadline = deadline
    }

    /// Ends the alarm when its time has come.
    func tick(now: MonotonicInstant) throws {
        guard let due = deadline, now >= due else { return }
        try line.set(active: false)
        deadline = nil
    }

    func release() {
        try? line.set(active: false)
        line.release()
    }
}

/// Unknown PINs at one keypad: `maximumWrong` within the window lock it for the lockout, so
/// nobody can walk the PIN space. Counted on the monotonic clock.
struct KeypadGuard {
    let policy: KeypadPolicy
    private var wrong: [MonotonicInstant] = []
    private(set) var lockedUntil: MonotonicInstant?

    init(policy: KeypadPolicy) { self.policy = policy }

    func isLocked(at now: MonotonicInstant) -> Bool { lockedUntil.map { now < $0 } ?? false }

    /// Counts an unknown PIN; true when it locks the keypad.
    mutating func noteWrong(at now: MonotonicInstant) -> Bool {
        let window = Int64(policy.windowSeconds) * 1_000_000_000
        wrong = wrong.filter { now.nanoseconds(since: $0) < window } + [now]
        guard wrong.count >= policy.maximumWrong else { return false }
        wrong = []
        lockedUntil = now.adding(milliseconds: Int64(policy.lockoutSeconds) * 1_000)
        return true
    }
}
