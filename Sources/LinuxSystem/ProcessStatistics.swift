import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The calling process as `/proc` describes it, for metrics: its resident memory, open
/// descriptors, start time and processor time.
public struct ProcessStatistics: Sendable, Equatable {
    public var residentBytes: Int
    public var openDescriptors: Int
    /// Seconds since the Unix epoch.
    public var startTime: Double
    /// User and system time together.
    public var processorSeconds: Double

    /// Now; nil where `/proc` cannot be read.
    public static func current() -> ProcessStatistics? {
        // proc(5): after the command's name, which may hold blanks and parentheses, field 3 (state)
        // comes first; utime and stime are fields 14 and 15, starttime 22 and rss 24.
        guard let stat = read("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 21, let user = Double(fields[11]), let system = Double(fields[12]),
            let started = Double(fields[19]), let pages = Int(fields[21]),
            let bootTime = read("/proc/stat")?.split(separator: "\n").first(where: { $0.hasPrefix("btime ") })
                .flatMap({ Double($0.dropFirst(6)) }),
            let descriptors = openDescriptorCount()
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessStatistics(
            residentBytes: pages * sysconf(Int32(_SC_PAGESIZE)), openDescriptors: descriptors,
            startTime: bootTime + started / ticks, processorSeconds: (user + system) / ticks)
    }

    /// The entries of `/proc/self/fd`, but the one listing them.
    private static func openDescriptorCount() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let dot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !dot { count += 1 }
        }
        return max(0, count - 1)
    }

    /// A small file of `/proc` as text (its size says 0, so it is read to the end).
    private static func read(_ path: String) -> String? {
        guard let file = try? FileDescriptor.open(path, flags: O_RDONLY) else { return nil }
        var bytes: [UInt8] = []
        while let chunk = try? file.read(maximum: 4_096), !chunk.isEmpty { bytes += chunk }
        return String(decoding: bytes, as: UTF8.self)
    }
}
