import PorteroModel
import SQLite

/// Decides requests at a branch's doors against the replica and journals every decision.
///
/// One call is: look up the facts (indexed reads), `decide` (pure), then write the event, the
/// outbox entry and the user's new state in one durable transaction. The decision is returned
/// only after the write, so a door never opens for a decision that is not on disk.
public final class AccessService {
    public let store: ReplicaStore
    private var generator = SystemRandomNumberGenerator()

    public init(store: ReplicaStore) {
        self.store = store
    }

    /// The decision and the event recorded for it.
    public struct Outcome: Sendable, Equatable {
        public var decision: AccessDecision
        public var event: AttendanceEvent
        /// The user's state after the decision (what was stored).
        public var state: AccessState
    }

    /// Decides `request` at `door` at `now` and journals it. Throws only when the replica cannot
    /// be read or written; the caller then keeps the door shut.
    public func handle(_ request: AccessRequest, at door: Door, now: Timestamp) throws -> Outcome {
        let outcome = try evaluate(request, at: door, now: now)
        var spent: PassCode?
        if outcome.decision.granted, case let .pass(code) = request.presented { spent = code }
        try store.record(outcome.event, newState: outcome.decision.userID == nil ? nil : outcome.state, spending: spent)
        return outcome
    }

    /// What a door acts on: the decision, journalled; or, when the journal cannot grow (a full
    /// disk, `SQLITE_FULL`), the same decision taken from the replica without the write, with the
    /// event the journal could not take, so the branch keeps working and the caller puts the
    /// event where it can (the system log) and raises the alarm. Nothing is half-written: the
    /// failed transaction rolled back whole. Any other failure throws, and the door stays shut.
    public func admit(_ request: AccessRequest, at door: Door, now: Timestamp) throws -> Admission {
        do {
            return Admission(outcome: try handle(request, at: door, now: now), journalFailure: nil)
        } catch let error as SQLiteError where error.isDiskFull {
            let outcome = try evaluate(request, at: door, now: now)
            // The code is spent all the same, in memory until the journal takes writes again.
            if outcome.decision.granted, case let .pass(code) = request.presented {
                store.spentUnwritten[code.phone.rawValue] = max(
                    store.spentUnwritten[code.phone.rawValue] ?? 0, code.issuedAt)
            }
            return Admission(outcome: outcome, journalFailure: error)
        }
    }

    /// A decision for the door, and whether the journal holds it.
    public struct Admission: Sendable {
        public var outcome: Outcome
        /// Why the event is not in the journal (nil: it is, durably).
        public var journalFailure: SQLiteError?
    }

    /// The look-up and the decision, with the event and the user's next state, written nowhere.
    func evaluate(_ request: AccessRequest, at door: Door, now: Timestamp) throws -> Outcome {
        var (facts, state) = try store.facts(for: request.presented, now: now)
        if request.direction == .entry, !store.context.occupancy.isEmpty, let user = facts?.user.id {
            // A count that cannot be read leaves the capacity unchecked for this entry: the limit
            // is about crowding, and every other check still runs.
            do {
                facts?.othersInside = try store.othersInside(excluding: user, now: now)
            } catch {
                store.occupancyCountFailures += 1
            }
        }
        let decision = decide(request, door: door, context: store.context, facts: facts, state: state, now: now)
        if decision.granted && request.direction == .entry { store.occupancyEstimate.entries += 1 }
        let next = state.recording(decision, for: request, at: door, context: store.context, now: now)
        let event = AttendanceEvent(
            id: EventID(time: now, using: &generator), at: now, branchID: store.branchID, doorID: door.id,
            direction: request.direction, credentialKind: Self.kind(of: request, at: door),
            cardNumber: { if case let .card(number) = request.presented { number } else { nil } }(),
            userID: decision.userID, subscriptionID: decision.subscriptionID, granted: decision.granted,
            reason: decision.reason)
        return Outcome(decision: decision, event: event, state: next)
    }

    static func kind(of request: AccessRequest, at door: Door) -> CredentialKind {
        switch request.presented {
        case .pin: .pin
        case .card: request.pin != nil && door.requiresPIN ? .cardAndPIN : .card
        case .pass: .phone
        case .dayPass: .dayPass
        }
    }
}

@available(*, unavailable, message: "Owned by the thread that owns its store")
extension AccessService: Sendable {}
