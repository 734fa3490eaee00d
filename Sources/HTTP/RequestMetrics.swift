import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Answers counted by route, method and status, and their durations by route, for a metrics
/// scrape: a router counts every answer here once `Router.count(into:)` named its routes.
///
/// The tallies are split in shards, one per event loop (by `EventLoopThread.number`) and one for
/// every other thread, each behind a lock of its own. A loop takes only its own shard's lock,
/// which nobody else holds but a scrape for the moment it copies the tallies: counting costs an
/// uncontended lock and a few additions, never a lock or a cache line every loop fights over.
public final class RequestMetrics: Sendable {
    /// Upper bounds of the duration buckets, in seconds: handlers take from a microsecond (a
    /// static answer) to a second (a dashboard over a year of rows).
    public static let bounds: [Double] = [
        0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1,
    ]
    /// The bounds in nanoseconds, as answers are timed.
    private let boundNanoseconds = RequestMetrics.bounds.map { Int64(($0 * 1e9).rounded()) }

    /// The label of answers to paths no route has.
    public static let unmatched = "unmatched"

    /// One shard's tallies, in flat arrays: no array inside an array, so counting an answer
    /// checks and touches as little as it can.
    private struct Tally {
        /// By route slot (0: no route; else the route's index + 1), `width` numbers each: the
        /// answers in each duration bucket (the last above every bound), then their nanoseconds.
        var durations: [Int64] = []
        /// Answers by route slot, method and status packed in one number (see `key`), in an
        /// open-addressing table: keys and counts side by side, key 0 an empty place.
        var keys = [Int](repeating: 0, count: 64)
        var counts = [Int](repeating: 0, count: 64)
        var used = 0

        static let width = RequestMetrics.bounds.count + 2

        mutating func time(slot: Int, bucket: Int, nanoseconds: Int64) {
            let base = slot * Self.width
            if durations.count < base + Self.width {
                durations += repeatElement(0, count: base + Self.width - durations.count)
            }
            durations[base + bucket] += 1
            durations[base + Self.width - 1] += nanoseconds
        }

        mutating func count(_ key: Int) {
            var place = Self.place(key, keys.count)
            while keys[place] != key {
                if keys[place] == 0 {
                    guard (used + 1) * 2 <= keys.count else {
                        grow()
                        return count(key)
                    }
                    keys[place] = key
                    used += 1
                    break
                }
                place = (place + 1) & (keys.count - 1)
            }
            counts[place] += 1
        }

        static func place(_ key: Int, _ capacity: Int) -> Int {
            Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: key) &* 0x9E37_79B9_7F4A_7C15) >> 40)
                & (capacity - 1)
        }

        /// Twice the places, every key moved to its place there.
        mutating func grow() {
            let (oldKeys, oldCounts) = (keys, counts)
            keys = Array(repeating: 0, count: oldKeys.count * 2)
            counts = keys
            for (key, count) in zip(oldKeys, oldCounts) where key != 0 {
                var place = Self.place(key, keys.count)
                while keys[place] != 0 { place = (place + 1) & (keys.count - 1) }
                keys[place] = key
                counts[place] = count
            }
        }
    }

    /// A route slot, a method (its place among `HTTPMethod.allCases` + 1, or 0 for none) and a
    /// status in one number, never 0.
    private static func key(slot: Int, method: HTTPMethod?, status: Int) -> Int {
        let code =
            switch method {
            case nil: 0
            case .get: 1
            case .head: 2
            case .post: 3
            case .put: 4
            case .patch: 5
            case .delete: 6
            case .options: 7
            }
        return 1 << 40 | slot << 16 | code << 12 | status & 0xFFF
    }

    private final class Shard: Sendable {
        let tally = Mutex(Tally())
        /// Keeps two shards' locks off one cache line, so two loops do not slow each other.
        let padding = InlineArray<8, Int64>(repeating: 0)
    }

    private let shards: [Shard] = (0..<17).map { _ in Shard() }
    /// The routes' patterns by index, as the router declares them (read by a scrape only).
    private let patterns = Mutex<[String]>([])

    public init() {}

    /// The monotonic clock, in nanoseconds.
    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    func name(_ routes: [String]) { patterns.withLock { $0 = routes } }

    /// Counts one answer: `route` an index into the router's routes, nil for a path no route has;
    /// `method` nil for one no route may declare.
    func record(route: Int?, method: HTTPMethod?, status: Int, nanoseconds: Int64) {
        let slot = route.map { $0 + 1 } ?? 0
        let shard = shards[EventLoopThread.number.map { 1 + $0 % (shards.count - 1) } ?? 0]
        var bucket = 0
        while bucket < boundNanoseconds.count, nanoseconds > boundNanoseconds[bucket] { bucket += 1 }
        let key = Self.key(slot: slot, method: method, status: status)
        shard.tally.withLock { tally in
            tally.time(slot: slot, bucket: bucket, nanoseconds: nanoseconds)
            tally.count(key)
        }
    }

    /// Answers so far with one route pattern, method and status.
    public struct Count: Sendable, Equatable {
        public let route: String
        /// `OTHER` for a method no route may declare.
        public let method: String
        public let status: Int
        public let count: Int
    }

    /// The durations of the answers with one route pattern: `buckets[i]` answers at or under
    /// `bounds[i]`, cumulative, `count` in all.
    public struct Durations: Sendable, Equatable {
        public let route: String
        public let buckets: [Int]
        public let count: Int
        public let seconds: Double
    }

    /// Every shard's tallies added up by route pattern (routes of one pattern and several
    /// methods are one), sorted by pattern, method and status.
    public func snapshot() -> (counts: [Count], durations: [Durations]) {
        let names = patterns.withLock { $0 }
        func route(_ slot: Int) -> String {
            slot == 0 ? Self.unmatched : slot <= names.count ? names[slot - 1] : "route \(slot - 1)"
        }
        var counts: [String: Count] = [:]
        var durations: [String: [Int64]] = [:]
        for shard in shards {
            let tally = shard.tally.withLock { $0 }
            for (key, count) in zip(tally.keys, tally.counts) where key != 0 {
                let code = key >> 12 & 0xF
                let method = code == 0 ? "OTHER" : HTTPMethod.allCases[code - 1].rawValue
                let (path, status) = (route(key >> 16 & 0xFF_FFFF), key & 0xFFF)
                let name = "\(path) \(method) \(status)"
                counts[name] = Count(
                    route: path, method: method, status: status, count: (counts[name]?.count ?? 0) + count)
            }
            for slot in 0..<tally.durations.count / Tally.width {
                let numbers = tally.durations[slot * Tally.width..<(slot + 1) * Tally.width]
                guard numbers.dropLast().contains(where: { $0 > 0 }) else { continue }
                let sums = durations[route(slot)] ?? Array(repeating: 0, count: Tally.width)
                durations[route(slot)] = zip(sums, numbers).map { $0 + $1 }
            }
        }
        let timed = durations.keys.sorted().map { route in
            let numbers = durations[route] ?? []
            var running = 0
            let cumulative = numbers.dropLast(2).map { count -> Int in
                running += Int(count)
                return running
            }
            return Durations(
                route: route, buckets: cumulative, count: Int(numbers.dropLast().reduce(0, +)),
                seconds: Double(numbers.last ?? 0) / 1e9)
        }
        let sorted = counts.values.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        return (sorted, timed)
    }
}
