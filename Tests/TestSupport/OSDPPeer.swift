import Foundation

/// The Python that has libosdp (scripts/test.sh makes .build-venv; PORTERO_PYTHON overrides).
public enum OSDPPeer {
    public static let python: String = {
        if let chosen = ProcessInfo.processInfo.environment["PORTERO_PYTHON"] { return chosen }
        let venv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build-venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/env"
    }()

    public static var pythonArguments: [String] { python == "/usr/bin/env" ? ["python3"] : [] }

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HardwareTests/Peers/osdp_pd.py").path

    /// True when libosdp imports; the suite is skipped with that reason otherwise. Under the VM's
    /// emulation the PD's 20 ms refresh is too slow for OSDP's 200 ms reply window, so this
    /// suite runs on the host only.
    public static let available: Bool = {
        guard ProcessInfo.processInfo.environment["VMTEST"] == nil else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = pythonArguments + ["-c", "import osdp"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}

/// libosdp's PeripheralDevice on a pty, driven through its stdin and heard through its stdout.
public final class PeripheralProcess {
    public let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var buffered: [UInt8] = []
    public private(set) var lines: [String] = []

    public init(address: UInt8) throws {
        process.executableURL = URL(fileURLWithPath: OSDPPeer.python)
        process.arguments = OSDPPeer.pythonArguments + [OSDPPeer.script, String(address)]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let flags = fcntl(output.fileHandleForReading.fileDescriptor, F_GETFL)
        _ = fcntl(output.fileHandleForReading.fileDescriptor, F_SETFL, flags | O_NONBLOCK)
    }

    public var outputDescriptor: Int32 { output.fileHandleForReading.fileDescriptor }

    public func tell(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Reads whatever the peer printed.
    public func drain() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(outputDescriptor, &chunk, chunk.count)
            guard count > 0 else { break }
            buffered += chunk.prefix(count)
        }
        while let newline = buffered.firstIndex(of: 10) {
            lines.append(String(decoding: buffered[..<newline], as: UTF8.self))
            buffered.removeSubrange(...newline)
        }
    }

    /// Waits (up to 10 s) for a line starting with `prefix`.
    public func waitForLine(prefix: String) -> String? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            drain()
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) { return line }
            var pollSet = pollfd(fd: outputDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&pollSet, 1, 100)
        }
        return nil
    }

    deinit {
        try? tell("QUIT")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
