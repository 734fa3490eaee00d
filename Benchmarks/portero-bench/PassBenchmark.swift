import Crypto
import Foundation
import PorteroModel
import Replica
import SQLite

/// `portero-bench passes`: the decision benchmark's replica, with `phones` of its members holding a
/// phone pass (a current monthly plan, the phone's P-256 key); times scans of fresh codes: the
/// signature check alone, look-up + check + decision, and the whole `AccessService.handle` with the
/// durable write and the code spent, against the frame-to-relay budget (p99 ≤ 1 ms).
struct PassBenchmark {
    var decision: DecisionBenchmark
    var phones: Int

    func run() throws {
        if !decision.reuse || !FileManager.default.fileExists(atPath: decision.path) {
            try decision.build(today: LocalDay(year: 2024, month: 6, day: 3)!)
        } else {
            print("reusing \(decision.path)")
        }
        let store = try ReplicaStore(
            path: decision.path, branchID: DecisionBenchmark.branch, timeZone: "America/Mexico_City")
        let service = AccessService(store: store)
        let door = Door(id: DoorID(1), branchID: DecisionBenchmark.branch, name: "Torniquete entrada")
        let count = min(phones, decision.members)
        // Members spread over the replica, each with a phone and a current plan.
        let stride = max(1, decision.members / count)
        var keys: [SigningKey] = []
        var keyIndex: [Int64: Int] = [:]
        var changes: [ReplicaChange] = []
        let today = LocalDay(year: 2024, month: 6, day: 3)!
        for index in 0..<count {
            let member = Int64(index * stride + 1)
            let key = try SigningKey.p256()
            let point = try key.publicCoordinates()
            keyIndex[member] = keys.count
            keys.append(key)
            changes.append(
                .replaceUser(
                    ReplicaUser(id: UserID(member), clave: member, displayName: "Socio \(member)", active: true),
                    cards: [],
                    subscriptions: [
                        Subscription(
                            id: SubscriptionID(member * 2), userID: UserID(member), planID: PlanID(1),
                            startDay: today.adding(days: -10), endDay: today.adding(days: 20),
                            pricePaid: DecisionBenchmark.plans[0].price)
                    ], phones: [ReplicaPhone(id: PhoneID(member), publicKey: point.x + point.y, active: true)]))
        }
        try store.apply(changes)
        try store.checkpoint()
        // The codes, signed beforehand as phones sign them: each a fresh code of a random phone.
        var rng = SplitMix64(seed: decision.seed ^ 0x9A55)
        let start = Int64(today.rawValue) * 86_400 + 15 * 3600
        var scans: [(code: PassCode, key: PublicKey, at: Timestamp)] = []
        for request in 0..<decision.requests {
            let index = Int(rng.next() % UInt64(count))
            let member = Int64(index * stride + 1)
            let at = start + Int64(request) * 2
            var code = PassCode(member: UserID(member), phone: PhoneID(member), issuedAt: at, signature: [])
            code.signature = try keys[index].signSHA256(code.message)
            scans.append((code, try keys[index].publicKey(), Timestamp(seconds: at)))
        }
        var verifyNanos: [UInt64] = []
        var decideNanos: [UInt64] = []
        var writeNanos: [UInt64] = []
        var unspentNanos: [UInt64] = []
        var totalNanos: [UInt64] = []
        var reasons: [ReasonCode: Int] = [:]
        for scan in scans {
            let t0 = clockNanoseconds()
            precondition(scan.key.verifySHA256(signature: scan.code.signature, message: scan.code.message))
            let t1 = clockNanoseconds()
            let request = AccessRequest(doorID: door.id, direction: .entry, presented: .pass(scan.code))
            let (facts, state) = try store.facts(for: request.presented, now: scan.at)
            let decided = decide(
                request, door: door, context: store.context, facts: facts, state: state, now: scan.at)
            let t2 = clockNanoseconds()
            // The durable write as `AccessService.handle` makes it: the event, the member's state and
            // the code spent, in one transaction.
            let next = state.recording(decided, for: request, at: door, context: store.context, now: scan.at)
            let event = AttendanceEvent(
                id: EventID(time: scan.at), at: scan.at, branchID: DecisionBenchmark.branch, doorID: door.id,
                direction: .entry, credentialKind: .phone, cardNumber: nil, userID: decided.userID,
                subscriptionID: decided.subscriptionID, granted: decided.granted, reason: decided.reason)
            // Every other scan is written as a card's grant would be (the code not spent), to tell the
            // cost of spending from the cost of a grant's write.
            let spends = writeNanos.count <= unspentNanos.count
            try store.record(event, newState: next, spending: decided.granted && spends ? scan.code : nil)
            let t3 = clockNanoseconds()
            verifyNanos.append(t1 - t0)
            decideNanos.append(t2 - t1)
            if spends { writeNanos.append(t3 - t2) } else { unspentNanos.append(t3 - t2) }
            totalNanos.append(t3 - t1)
            reasons[decided.reason, default: 0] += 1
        }
        // The service path too, on fresh codes, to show it costs the same as the timed steps.
        let sample = min(1_000, scans.count)
        let serviceStart = clockNanoseconds()
        for scan in scans.prefix(sample) {
            var code = scan.code
            code.issuedAt += 1
            code.signature = try keys[keyIndex[code.phone.rawValue] ?? 0].signSHA256(code.message)
            _ = try service.handle(
                AccessRequest(doorID: door.id, direction: .entry, presented: .pass(code)), at: door,
                now: scan.at.adding(seconds: 1))
        }
        let serviceMean = Double(clockNanoseconds() - serviceStart) / Double(sample) / 1000
        print(
            """

            replica: \(decision.members) members, \(count) with a phone pass; \(scans.count) scans of fresh codes
            \(Latency.header)
            \(Latency(name: "ECDSA P-256 verification", nanos: verifyNanos).row)
            \(Latency(name: "look-up + verify + decision", nanos: decideNanos).row)
            \(Latency(name: "durable write, code spent", nanos: writeNanos).row)
            \(Latency(name: "the same write, not spent", nanos: unspentNanos).row)
            \(Latency(name: "look-up + verify + write", nanos: totalNanos).row)
            AccessService.handle mean over \(sample): \(String(format: "%.1f", serviceMean)) µs
            reasons: \(reasons.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }
                .joined(separator: ", "))
            """)
    }
}
