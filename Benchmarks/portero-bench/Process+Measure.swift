#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CLOCK_MONOTONIC in nanoseconds.
func clockNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// VmHWM from /proc/self/status: the peak resident set since start or the last reset.
func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }
    return -1
}

/// Writing 5 to /proc/self/clear_refs resets VmHWM (Linux 4.0+), so the peak measured is the
/// request phase's, not the replica build's.
func resetPeakRSS() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

/// The machine's CPU time counters from the first line of /proc/stat, in clock ticks.
struct CPUTimes {
    var busy: UInt64 = 0
    var idle: UInt64 = 0
    var steal: UInt64 = 0

    static func read() -> CPUTimes {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return CPUTimes() }
        // cpu user nice system idle iowait irq softirq steal ...
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return CPUTimes() }
        return CPUTimes(
            busy: fields[0] + fields[1] + fields[2] + fields[5] + fields[6], idle: fields[3] + fields[4],
            steal: fields[7])
    }

    func since(_ earlier: CPUTimes) -> CPUTimes {
        CPUTimes(busy: busy &- earlier.busy, idle: idle &- earlier.idle, steal: steal &- earlier.steal)
    }

    /// Stolen time as a share of all CPU time in the interval.
    var stealPercent: Double {
        let total = busy + idle + steal
        return total == 0 ? 0 : Double(steal) * 100 / Double(total)
    }
}
