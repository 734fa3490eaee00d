import Foundation

/// oidc-provider-mock (a real OpenID provider, from PyPI in .build-venv) on loopback, with PKCE
/// enforced and a way to make its next ID token a bad one (`Peers/oidc_provider.py`).
public final class OIDCPeer {
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CoreTests/Peers/oidc_provider.py").path

    /// True when oidc-provider-mock and joserfc import (host only: the VM has neither).
    public static let available: Bool = {
        guard ProcessInfo.processInfo.environment["VMTEST"] == nil else { return false }
        return SMTPPeer.run(OSDPPeer.python, OSDPPeer.pythonArguments + ["-c", "import oidc_provider_mock, joserfc"])
            == 0
    }()

    public let port: UInt16
    public var issuer: String { "http://127.0.0.1:\(port)" }
    private let process = Process()
    private let input = Pipe()

    public init() throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: OSDPPeer.python)
        process.arguments = OSDPPeer.pythonArguments + [Self.script]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw SMTPPeer.PeerError("the OpenID provider stopped before it was ready") }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, words[0] == "ready", let port = UInt16(words[1]) else {
            throw SMTPPeer.PeerError("the OpenID provider said \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    /// One HTTP/1.1 request to the provider: its status, its headers (names in lower case) and body.
    public func request(_ method: String, _ target: String, body: String = "", type: String = "application/json")
        throws -> (status: Int, headers: [String: String], body: String)
    {
        let client = try LoopbackClient(port: port)
        client.send(
            "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
                + "Content-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let answer = client.receive(milliseconds: 10_000).text
        guard let split = answer.range(of: "\r\n\r\n") else { throw SMTPPeer.PeerError("no answer: \(answer)") }
        let lines = answer[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return (status, headers, String(answer[split.upperBound...]))
    }

    /// Sets the claims the provider gives for `subject`.
    public func setUser(_ subject: String, email: String, verified: Bool = true) throws {
        let body = #"{"email": "\#(email)", "email_verified": \#(verified), "name": "\#(subject)"}"#
        let answer = try request("PUT", "/users/\(subject)", body: body)
        guard answer.status == 204 else { throw SMTPPeer.PeerError("PUT /users said \(answer.status)") }
    }

    /// Makes the next ID token a bad one (see the script for the modes).
    public func forge(_ mode: String) throws {
        let answer = try request("PUT", "/test/forge", body: #"{"mode": "\#(mode)"}"#)
        guard answer.status == 204 else { throw SMTPPeer.PeerError("PUT /test/forge said \(answer.status)") }
    }

    /// Signs `subject` in at the provider's authorization page (`location`, where the core sent
    /// the browser) and answers where the provider sends the browser back.
    public func authorize(_ location: String, as subject: String) throws -> String {
        let prefix = issuer
        guard location.hasPrefix(prefix) else { throw SMTPPeer.PeerError("not this provider: \(location)") }
        let answer = try request(
            "POST", String(location.dropFirst(prefix.count)), body: "sub=\(subject)",
            type: "application/x-www-form-urlencoded")
        guard answer.status == 302, let back = answer.headers["location"] else {
            throw SMTPPeer.PeerError("the provider answered \(answer.status): \(answer.body.prefix(300))")
        }
        return back
    }
}
