import Foundation

/// aiosmtpd (a real SMTP server, from PyPI in .build-venv) on loopback, with STARTTLS required,
/// a login, and a self-signed certificate for `localhost` made with openssl. Each message it
/// takes lands in `directory` as NNNN.eml.
public final class SMTPPeer {
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CoreTests/Peers/smtp_server.py").path

    /// True when aiosmtpd imports and openssl runs (host only: the VM has neither).
    public static let available: Bool = {
        guard ProcessInfo.processInfo.environment["VMTEST"] == nil else { return false }
        return run(OSDPPeer.python, OSDPPeer.pythonArguments + ["-c", "import aiosmtpd"]) == 0
            && run("/usr/bin/openssl", ["version"]) == 0
    }()

    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    public let directory: TemporaryDirectory
    public let certificate: String
    public let port: Int
    public let user = "portero"
    public let password = "clave-de-correo"
    private let process = Process()
    private let input = Pipe()

    public init() throws {
        directory = try TemporaryDirectory()
        certificate = directory.file("cert.pem")
        let key = directory.file("key.pem")
        let made = Self.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        guard made == 0 else { throw PeerError("openssl could not make a certificate") }
        let mailbox = directory.file("mail")
        try FileManager.default.createDirectory(atPath: mailbox, withIntermediateDirectories: true)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: OSDPPeer.python)
        process.arguments = OSDPPeer.pythonArguments + [Self.script, mailbox, certificate, key, user, password]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "ready PORT".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerError("the SMTP server stopped before it was ready") }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, words[0] == "ready", let port = Int(words[1]) else {
            throw PeerError("the SMTP server said \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    /// Every message received so far, oldest first: the server's note (JSON) and the message.
    public func messages() throws -> [(note: [String: Any], message: String)] {
        let mailbox = directory.file("mail")
        return try FileManager.default.contentsOfDirectory(atPath: mailbox).filter { $0.hasSuffix(".eml") }.sorted()
            .map { name in
                let data = try Data(contentsOf: URL(fileURLWithPath: mailbox + "/" + name))
                let split = data.firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
                let note = (try JSONSerialization.jsonObject(with: data[..<split]) as? [String: Any]) ?? [:]
                return (note, String(decoding: data[split...].dropFirst(), as: UTF8.self))
            }
    }

    public struct PeerError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
