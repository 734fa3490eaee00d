import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one logger, made by the program and passed to every part that logs. Under systemd (standard
/// error is the journal's stream, `JOURNAL_STREAM`) each line carries the `<N>` priority prefix
/// journald turns into the entry's priority (sd-daemon(3)), so `journalctl -p warning` shows the
/// warnings without libsystemd; anywhere else a line is the time, the priority's name and the text.
public struct Log: Sendable {
    public enum Priority: Int, Sendable, CaseIterable {
        case error = 3, warning = 4, notice = 5, info = 6, debug = 7

        public var name: String {
            switch self {
            case .error: "error"
            case .warning: "warning"
            case .notice: "notice"
            case .info: "info"
            case .debug: "debug"
            }
        }
    }

    /// How lines are written.
    public enum Style: Sendable {
        /// `<4>text`: journald's priority prefix.
        case journal
        /// `2026-12-03T08:50:01.123Z warning: text`.
        case plain
    }

    public var minimum: Priority
    public let style: Style
    /// Where lines go (standard error unless told).
    let descriptor: Int32

    public init(
        minimum: Priority = .info, style: Style? = nil, descriptor: Int32 = 2,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.minimum = minimum
        self.descriptor = descriptor
        self.style = style ?? (Self.writesToJournal(descriptor, environment: environment) ? .journal : .plain)
    }

    /// True when `descriptor` is the journal stream systemd connected (`JOURNAL_STREAM` is its
    /// device and inode, systemd.exec(5)); a child that inherited the variable but not the stream
    /// writes plain lines.
    static func writesToJournal(_ descriptor: Int32, environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    public func callAsFunction(_ priority: Priority, _ message: @autoclosure () -> String) {
        guard priority.rawValue <= minimum.rawValue else { return }
        let text = message().replacingOccurrences(of: "\n", with: " ")
        let line: String
        switch style {
        case .journal: line = "<\(priority.rawValue)>\(text)\n"
        case .plain: line = "\(Self.timestamp()) \(priority.name): \(text)\n"
        }
        // One write per line, so lines from different threads never interleave.
        _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
    }

    /// The current UTC time with milliseconds, ISO 8601.
    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = Int(spec.tv_nsec / 1_000_000)
        let fraction = String(repeating: "0", count: 3 - String(milliseconds).count) + String(milliseconds)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
            + "T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
