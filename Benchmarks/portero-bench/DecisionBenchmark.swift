import Crypto
import Foundation
import PorteroModel
import Replica
import SQLite

/// `portero-bench decision`: builds a branch replica of N members and measures look-up + decision,
/// the durable attendance write, and peak memory, over a stream of known and unknown cards.
struct DecisionBenchmark {
    var members: Int
    var requests: Int
    var unknownShare: Double
    var path: String
    var reuse: Bool
    var seed: UInt64
    var cacheMiB: Int
    var readsOnly: Bool
    var synchronous: ConnectionOptions.Synchronous
    /// Idle time before each request, as at a real door where requests come seconds apart.
    var gapMicroseconds: UInt32
    /// Untimed look-ups before the timed ones.
    var warmup: Int
    /// The branch has occupancy limits, a soft one of 1 (the worst case: every entry counts the
    /// people inside exactly) and a hard one never reached.
    var occupancy = false

    static let branch = BranchID(1)
    static let plans: [Plan] = {
        let money = Money(minorUnits: 59_900, currency: "MXN")
        return [
            Plan(id: PlanID(1), name: "Mensual", price: money, duration: .months(1)),
            Plan(
                id: PlanID(2), name: "Matutino", price: money, duration: .months(1),
                windows: try? WeeklySchedule(parsing: "mon-fri 06:00-12:00; sat 08:00-14:00")),
            Plan(
                id: PlanID(3), name: "Tres por semana", price: money, duration: .months(1),
                visitLimit: VisitLimit(perDay: 1, perWeek: 3)),
            Plan(
                id: PlanID(4), name: "Otra sucursal", price: money, duration: .months(1), branches: .only([BranchID(2)])
            ),
            Plan(
                id: PlanID(5), name: "Anual", price: money, duration: .months(12),
                branches: .only([BranchID(1), BranchID(2)])),
            Plan(
                id: PlanID(6), name: "Diez visitas", price: money, duration: .months(2),
                visitLimit: VisitLimit(perMonth: 10)),
        ]
    }()

    /// The people inside, as `AccessService` counts them for an entry at a branch with limits.
    func countInside(_ store: ReplicaStore, _ request: AccessRequest, _ facts: inout AccessFacts?, now: Timestamp)
        throws
    {
        guard occupancy, request.direction == .entry, let user = facts?.user.id else { return }
        facts?.othersInside = try store.othersInside(excluding: user, now: now)
    }

    /// Members' PINs and the keyed PINs use the same key, as a branch and its core do.
    static func pinDigest() throws -> PINDigest {
        PINDigest(bytes: try PINHasher(key: Array(repeating: 1, count: 32)).digest("1234"))
    }

    /// A card number unique to (member, index): multiplying by an odd constant is a bijection mod 2^32.
    static func card(member: Int, index: Int) -> CardNumber {
        CardNumber(rawValue: (UInt64(member * 2 + index) &* 2_654_435_761) & 0xFFFF_FFFF)
    }

    func run() throws {
        if !reuse || !FileManager.default.fileExists(atPath: path) {
            try build(today: LocalDay(year: 2024, month: 6, day: 3)!)
        } else {
            print("reusing \(path)")
        }
        try measure()
    }

    /// Writes the replica through the same `apply` the sync client uses, 20,000 changes a transaction.
    /// `today` anchors the subscriptions: current, expired, frozen and future are relative to it.
    func build(today: LocalDay) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var options = ReplicaStore.defaultOptions
        options.synchronous = .normal  // a snapshot load; the measured store below runs FULL
        let store = try ReplicaStore(
            path: path, branchID: Self.branch, timeZone: "America/Mexico_City", options: options)
        var rng = SplitMix64(seed: seed)
        let pin = try Self.pinDigest()
        let start = clockNanoseconds()
        try store.apply(Self.plans.map { .upsertPlan($0) })
        var batch: [ReplicaChange] = []
        batch.reserveCapacity(20_100)
        var cards = 0
        var subscriptions = 0
        for member in 0..<members {
            let id = Int64(member + 1)
            let roll = rng.unit()
            let staff = roll < 0.005
            batch.append(
                .upsertUser(
                    ReplicaUser(
                        id: UserID(id), clave: id, displayName: "Socio \(id)", active: rng.unit() >= 0.03,
                        roles: staff ? RoleSet([.reception]) : RoleSet([.client]), grantedHere: staff,
                        pin: rng.unit() < 0.5 ? pin : nil)))
            // About 1.2 cards a member: one each, a second for one in five (half of those reported lost).
            let cardCount = rng.unit() < 0.2 ? 2 : 1
            for index in 0..<cardCount {
                let status: Credential.Status =
                    index == 1 && rng.unit() < 0.5 ? .lost : (rng.unit() < 0.01 ? .revoked : .active)
                batch.append(
                    .upsertCredential(
                        Credential(
                            id: CredentialID(id * 2 + Int64(index)), userID: UserID(id),
                            card: Self.card(member: member, index: index), status: status)))
                cards += 1
            }
            // Subscriptions: most current, some expired, frozen, cancelled or future; one in five also has an old one.
            let plan = Self.plans[Int(rng.next() % UInt64(Self.plans.count))]
            let kind = rng.unit()
            var startDay = today.adding(days: -Int(rng.next() % 25))
            var endDay = plan.duration.lastDay(startingOn: startDay)
            var freezes: [FreezePeriod] = []
            var status = Subscription.Status.active
            if kind < 0.15 {
                startDay = today.adding(days: -90)
                endDay = today.adding(days: -60)
            } else if kind < 0.20 {
                freezes = [FreezePeriod(start: today.adding(days: -3))]
            } else if kind < 0.24 {
                status = .cancelled
            } else if kind < 0.27 {
                startDay = today.adding(days: 5)
                endDay = plan.duration.lastDay(startingOn: startDay)
            }
            batch.append(
                .upsertSubscription(
                    Subscription(
                        id: SubscriptionID(id * 2), userID: UserID(id), planID: plan.id, startDay: startDay,
                        endDay: endDay, graceDays: 3, status: status, freezes: freezes, pricePaid: plan.price)))
            subscriptions += 1
            if rng.unit() < 0.2 {
                batch.append(
                    .upsertSubscription(
                        Subscription(
                            id: SubscriptionID(id * 2 + 1), userID: UserID(id), planID: plan.id,
                            startDay: startDay.adding(days: -60), endDay: startDay.adding(days: -31),
                            pricePaid: plan.price)))
                subscriptions += 1
            }
            if batch.count >= 20_000 {
                try store.apply(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try store.apply(batch, cursor: 1)
        // Leave nothing for the kernel to write back while the requests are timed.
        try store.checkpoint()
        sync()
        let seconds = Double(clockNanoseconds() - start) / 1e9
        print(
            String(
                format: "built %@: %d members, %d cards, %d subscriptions in %.1f s", path, members, cards,
                subscriptions, seconds))
    }

    func measure() throws {
        var options = ReplicaStore.defaultOptions
        options.cacheSizeKiB = cacheMiB * 1024
        options.synchronous = synchronous
        let store = try ReplicaStore(
            path: path, branchID: Self.branch, timeZone: "America/Mexico_City", options: options)
        if occupancy {
            store.context.occupancy = OccupancyLimits(warn: 1, limit: 1_000_000, refuses: true)
            store.occupancyRule.countsExits = true
        }
        let service = AccessService(store: store)
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let doors = [
            Door(id: DoorID(1), branchID: Self.branch, name: "Torniquete entrada"),
            Door(
                id: DoorID(2), branchID: Self.branch, name: "Torniquete salida",
                antiPassback: AntiPassbackRule(inOut: true)),
            Door(id: DoorID(3), branchID: Self.branch, name: "Alberca", requiresPIN: true),
        ]
        var rng = SplitMix64(seed: seed ^ 0xA5A5)
        // Requests during a week, between 06:00 and 22:00 Mexico City time (UTC−6).
        let monday = Int64(LocalDay(year: 2024, month: 6, day: 3)!.rawValue) * 86_400 + 12 * 3600
        var instants = (0..<requests).map { _ in
            monday + Int64(rng.next() % 7) * 86_400 + Int64(rng.next() % (16 * 3600))
        }
        instants.sort()
        let pin = try Self.pinDigest()

        // Warm-up, untimed: SQLite's page cache and the interior b-tree pages reach their steady state.
        var warmRng = SplitMix64(seed: seed ^ 0x7777)
        for _ in 0..<warmup {
            _ = try store.facts(for: .card(Self.card(member: Int(warmRng.next() % UInt64(members)), index: 0)))
        }

        resetPeakRSS()
        let cpuBefore = CPUTimes.read()
        // Pass 1: look-up + decision alone, nothing written
        // (a read-only replica, or the cost without the fsync's disturbance).
        var readOnlyNanos: [UInt64] = []
        readOnlyNanos.reserveCapacity(requests)
        var readRng = SplitMix64(seed: seed ^ 0x5A5A)
        for instant in instants {
            let card =
                readRng.unit() < unknownShare
                ? CardNumber(rawValue: (1 << 33) | (readRng.next() & 0xFFFF_FFFF))
                : Self.card(member: Int(readRng.next() % UInt64(members)), index: readRng.unit() < 0.1 ? 1 : 0)
            let door = doors[Int(readRng.next() % 3)]
            let request = AccessRequest(
                doorID: door.id, direction: door.id == DoorID(2) ? .exit : .entry, presented: .card(card),
                pin: door.requiresPIN ? pin : nil)
            if gapMicroseconds > 0 { usleep(gapMicroseconds) }
            let t0 = clockNanoseconds()
            var (facts, state) = try store.facts(for: request.presented)
            try countInside(store, request, &facts, now: Timestamp(seconds: instant))
            let decision = decide(
                request, door: door, context: store.context, facts: facts, state: state,
                now: Timestamp(seconds: instant))
            let t1 = clockNanoseconds()
            precondition(decision.reason.rawValue.isEmpty == false)
            readOnlyNanos.append(t1 - t0)
        }

        if readsOnly {
            print("\n\(Latency.header)\n\(Latency(name: "look-up + decision, reads only", nanos: readOnlyNanos).row)")
            print("peak RSS during the requests: \(peakRSSKiB() / 1024) MiB")
            print(
                "CPU time stolen by the hypervisor: "
                    + "\(String(format: "%.1f", CPUTimes.read().since(cpuBefore).stealPercent))%"
            )
            return
        }

        // Pass 2: the daemon's path, each decision followed by its durable write.
        var decideNanos: [UInt64] = []
        var writeNanos: [UInt64] = []
        var totalNanos: [UInt64] = []
        decideNanos.reserveCapacity(requests)
        writeNanos.reserveCapacity(requests)
        totalNanos.reserveCapacity(requests)
        var reasons: [ReasonCode: Int] = [:]
        for instant in instants {
            let unknown = rng.unit() < unknownShare
            let card =
                unknown
                ? CardNumber(rawValue: (1 << 33) | (rng.next() & 0xFFFF_FFFF))
                : Self.card(member: Int(rng.next() % UInt64(members)), index: rng.unit() < 0.1 ? 1 : 0)
            let door = doors[Int(rng.next() % 3)]
            let direction: Direction = door.id == DoorID(2) ? .exit : .entry
            let request = AccessRequest(
                doorID: door.id, direction: direction, presented: .card(card), pin: door.requiresPIN ? pin : nil)
            let now = Timestamp(seconds: instant)

            // Look-up and decision, then the durable write, timed apart; this is what AccessService.handle does.
            if gapMicroseconds > 0 { usleep(gapMicroseconds) }
            let t0 = clockNanoseconds()
            var (facts, state) = try store.facts(for: request.presented)
            try countInside(store, request, &facts, now: now)
            let decision = decide(request, door: door, context: store.context, facts: facts, state: state, now: now)
            let t1 = clockNanoseconds()
            let next = state.recording(decision, for: request, at: door, context: store.context, now: now)
            let event = AttendanceEvent(
                id: EventID(time: now), at: now, branchID: Self.branch, doorID: door.id, direction: direction,
                credentialKind: .card, cardNumber: card, userID: decision.userID,
                subscriptionID: decision.subscriptionID,
                granted: decision.granted, reason: decision.reason)
            try store.record(event, newState: decision.userID == nil ? nil : next)
            let t2 = clockNanoseconds()
            decideNanos.append(t1 - t0)
            writeNanos.append(t2 - t1)
            totalNanos.append(t2 - t0)
            reasons[decision.reason, default: 0] += 1
        }
        // The service path too, to show it costs the same as the timed steps.
        let serviceStart = clockNanoseconds()
        let sample = min(1_000, requests)
        for index in 0..<sample {
            _ = try service.handle(
                AccessRequest(
                    doorID: DoorID(1), direction: .entry, presented: .card(Self.card(member: index, index: 0))),
                at: doors[0], now: Timestamp(seconds: instants[index]))
        }
        let serviceMean = Double(clockNanoseconds() - serviceStart) / Double(sample) / 1000

        let cpu = CPUTimes.read().since(cpuBefore)
        let stats = try store.statistics()
        print(
            """

            replica: \(members) members, \(stats.credentials) cards, \
            \(stats.subscriptions) subscriptions, \(fileBytes / 1_048_576) MiB before the run
            requests: \(requests) (\(Int(unknownShare * 100))% unknown cards), \(gapMicroseconds) µs idle before each, \
            synchronous=\(synchronous.rawValue), WAL
            \(Latency.header)
            \(Latency(name: "look-up + decision, reads only", nanos: readOnlyNanos).row)
            \(Latency(name: "look-up + decision", nanos: decideNanos).row)
            \(Latency(name: "durable attendance write", nanos: writeNanos).row)
            \(Latency(name: "look-up + decision + write", nanos: totalNanos).row)
            AccessService.handle mean over \(sample): \(String(format: "%.1f", serviceMean)) µs
            peak RSS during the requests: \(peakRSSKiB() / 1024) MiB
            CPU time stolen by the hypervisor during the requests: \(String(format: "%.1f", cpu.stealPercent))% \
            (a p99 is only as steady as this)
            reasons: \(reasons.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }
                .joined(separator: ", "))
            """)
    }
}

/// p50/p99/max of a latency sample.
struct Latency {
    let name: String
    let nanos: [UInt64]

    static let header = "step                              p50 µs    p99 µs    max µs"

    var row: String {
        let sorted = nanos.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
        }
        return name.padding(toLength: 30, withPad: " ", startingAt: 0)
            + String(format: "%10.1f%10.1f%10.1f", percentile(0.50), percentile(0.99), Double(sorted.last ?? 0) / 1000)
    }
}
