#if canImport(Glibc)
import Glibc
#endif
import PorteroModel

extension MonotonicInstant {
    /// Now, on CLOCK_MONOTONIC: the clock of reader timeouts and GPIO event timestamps.
    public static func now() -> MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return MonotonicInstant(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}
