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
