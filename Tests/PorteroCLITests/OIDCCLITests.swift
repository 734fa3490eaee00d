import Foundation
import TestSupport
import Testing

/// `portero-core` with an OpenID provider in its configuration file, and `portero oidc`.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct OIDCCLITests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("core-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func anIssuerOverPlainHTTPToAnotherMachineStopsTheStart() throws {
        let path = try Self.file(
            #"""
            {"public_url": "https://club.example",
             "oidc": {"issuer": "http://idp.example", "client_id": "portero", "client_secret": "s"}}
            """#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let refused = try Built.run("portero-core", ["serve", "--config", path])
        #expect(refused.status == 78 && refused.err.contains("oidc.issuer: must be https://"), "\(refused.err)")
        let noURL = try Self.file(
            #"{"oidc": {"issuer": "https://idp.example", "client_id": "p", "client_secret": "s"}}"#)
        defer { try? FileManager.default.removeItem(atPath: noURL) }
        let without = try Built.run("portero-core", ["--check-config", noURL])
        #expect(without.status == 78 && without.err.contains("needs public_url"), "\(without.err)")
    }

    /// A staff member signs in through the provider (over HTTP, as a browser would), then an
    /// administrator sees the link and removes it with `portero oidc`.
    @Test(.enabled(if: OIDCPeer.available)) func aLinkMadeAtSignInIsShownAndRemoved() throws {
        let peer = try OIDCPeer()
        try peer.setUser("google-root", email: "root@club.mx")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("core-oidc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("core.sqlite").path
        #expect(
            try CoreInitTests.run(
                ["init", "--database", database, "--username", "root", "--email", "root@club.mx"], input: "Secreto123\n"
            ).status == 0)
        let secret = directory.appendingPathComponent("client-secret").path
        try "s3cret\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("portero-core.json").path
        try """
        {"database": "\(database)", "public_url": "https://club.example",
         "oidc": {"issuer": "\(peer.issuer)", "client_id": "portero", "client_secret_file": "\(secret)",
                  "display_name": "Google"}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = Built.directory!.appendingPathComponent("portero-core")
        process.arguments = ["serve", "--config", config, "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let port = try servingPort(out)
        func header(_ answer: String, _ name: String) -> String? {
            answer.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name + ": ") }
                .map { String($0.dropFirst(name.count + 2)) }
        }
        let start = rawRequest(port: port, "GET /oidc/start HTTP/1.1\r\nHost: core\r\nConnection: close\r\n\r\n")
        #expect(start.hasPrefix("HTTP/1.1 303"), "\(start)")
        let location = try #require(header(start, "location"))
        let cookie = try #require(header(start, "set-cookie")?.split(separator: ";").first)
        let back = try peer.authorize(location, as: "google-root")
        let target = String(back.dropFirst("https://club.example".count))
        let signedIn = rawRequest(
            port: port, "GET \(target) HTTP/1.1\r\nHost: core\r\nCookie: \(cookie)\r\nConnection: close\r\n\r\n")
        #expect(signedIn.hasPrefix("HTTP/1.1 200") && signedIn.contains("Set-Cookie: portero_session="), "\(signedIn)")

        let home = directory.appendingPathComponent("config").path
        func portero(_ arguments: [String], input: String = "") throws -> (status: Int32, out: String, err: String) {
            try Built.run(
                "portero", arguments, input: input, environment: ["PORTERO_CONFIG_DIR": home, "PATH": "/usr/bin:/bin"])
        }
        let url = "http://127.0.0.1:\(port)"
        #expect(try portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        let shown = try portero(["oidc", "show", "1"])
        #expect(shown.status == 0 && shown.out.contains("google-root") && shown.out.contains("root@club.mx"))
        let unlinked = try portero(["oidc", "unlink", "1"])
        #expect(unlinked.status == 0 && unlinked.out.contains("unlinked"), "\(unlinked.err)")
        let after = try portero(["oidc", "show", "1"])
        #expect(after.out.contains("not linked: the next sign-in through Google links by email"), "\(after.out)")
        let again = try portero(["oidc", "unlink", "1"])
        #expect(again.status != 0 && again.err.contains("not linked"), "\(again.err)")
        #expect(try portero(["oidc", "forget", "1"]).status != 0)
    }
}
