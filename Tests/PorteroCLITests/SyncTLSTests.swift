import CoreClient
import Foundation
import TestSupport
import Testing

/// Sync through a real TLS terminator: Debian's nginx in front of a real core, with a CA this test
/// makes. With `core.ca_file` naming that CA the daemon enrols, bootstraps and uploads; with
/// another CA, or with the system's CAs, the connection is refused before anything is sent.
enum TLSTools {
    static let nginx = "/usr/sbin/nginx"
    static let openssl = "/usr/bin/openssl"
    static let present =
        FileManager.default.isExecutableFile(atPath: nginx) && FileManager.default.isExecutableFile(atPath: openssl)
}

@Suite(.serialized, .enabled(if: Built.directory != nil && TLSTools.present)) struct SyncTLSTests {
    static let nginx = TLSTools.nginx
    static let openssl = TLSTools.openssl

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A CA, and a certificate for 127.0.0.1 and localhost that it signs.
    static func makeCertificates(in directory: String) throws {
        let subject = { (name: String) in ["-subj", "/CN=\(name)"] }
        for ca in ["ca", "other-ca"] {
            try #require(
                try run(
                    openssl,
                    [
                        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/\(ca).key", "-out",
                        "\(directory)/\(ca).pem",
                        "-days", "2",
                    ] + subject("Portero test \(ca)")) == 0)
        }
        try #require(
            try run(
                openssl,
                [
                    "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/server.key", "-out",
                    "\(directory)/server.csr",
                ] + subject("localhost")) == 0)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            toFile: "\(directory)/san.ext", atomically: true, encoding: .utf8)
        try #require(
            try run(
                openssl,
                [
                    "x509", "-req", "-in", "\(directory)/server.csr", "-CA", "\(directory)/ca.pem", "-CAkey",
                    "\(directory)/ca.key",
                    "-CAcreateserial", "-out", "\(directory)/server.pem", "-days", "2", "-extfile",
                    "\(directory)/san.ext",
                ]) == 0)
    }

    @Test func syncVerifiesTheCoreAgainstTheConfiguredCAAndRefusesAnyOther() throws {
        let core = try AdminCLITests.Core()
        let directory = core.directory.path
        try Self.makeCertificates(in: directory)

        // nginx terminates TLS and passes plain HTTP to the core (long polls unbuffered).
        let tlsPort = try freeLoopbackPort()
        try FileManager.default.createDirectory(atPath: "\(directory)/nginx-tmp", withIntermediateDirectories: true)
        let config = """
            \(getuid() == 0 ? "user root root;" : "")
            worker_processes 1; daemon off; pid \(directory)/nginx.pid; error_log \(directory)/nginx-error.log;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path \(directory)/nginx-tmp; proxy_temp_path \(directory)/nginx-tmp;
              fastcgi_temp_path \(directory)/nginx-tmp;
              uwsgi_temp_path \(directory)/nginx-tmp; scgi_temp_path \(directory)/nginx-tmp;
              server {
                listen 127.0.0.1:\(tlsPort) ssl;
                ssl_certificate \(directory)/server.pem; ssl_certificate_key \(directory)/server.key;
                location / {
                  proxy_pass http://127.0.0.1:\(core.port); proxy_http_version 1.1; proxy_set_header Connection "";
                  proxy_buffering off; proxy_read_timeout 60s; client_max_body_size 32m;
                  proxy_set_header X-Forwarded-Proto https;
                }
              }
            }
            """
        try config.write(toFile: "\(directory)/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: Self.nginx)
        nginx.arguments = ["-p", directory, "-c", "\(directory)/nginx.conf"]
        nginx.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try nginx.run()
        defer {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        let https = "https://127.0.0.1:\(tlsPort)/"
        let trusted = CoreClient(
            baseURL: URL(string: https)!, token: nil, caFile: "\(directory)/ca.pem")  // safe: a literal URL
        _ = try eventually(within: 10) { (try? trusted.send("GET", "api/v1/health")) != nil }

        let admin = try SyncEndToEndTests.rootClient(core)
        let (branch, member, card, code) = try SyncEndToEndTests.seedBranch(admin)

        func daemonConfig(_ name: String, caFile: String?) throws -> String {
            let path = "\(directory)/\(name).json"
            try """
            {"branch": {"id": \(branch), "time_zone": "America/Mexico_City"},
             "data_directory": "\(directory)/\(name)-data",
             "pin_key_file": "\(directory)/\(name)-pin.key",
             "core": {"url": "\(https)",
                      "token_file": "\(directory)/\(name).token"\(caFile.map { #", "ca_file": "\#($0)""# } ?? "")},
             "status": {"socket": "\(directory)/\(name).sock"},
             "doors": [{"id": 1, "pulse_ms": 200,
                        "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
             "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        // Another CA, or the system's: refused at the handshake, nothing written, the code still unused.
        let wrong = try Built.run(
            "porterod",
            ["enroll", "--config", try daemonConfig("wrong", caFile: "\(directory)/other-ca.pem"), "--code", code])
        #expect(wrong.status != 0 && wrong.err.contains("certificate"), "\(wrong.err)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/wrong.token"))
        let system = try Built.run(
            "porterod", ["enroll", "--config", try daemonConfig("system", caFile: nil), "--code", code])
        #expect(system.status != 0 && system.err.contains("enrolment refused"), "\(system.err)")

        // The right CA: enrolment, snapshot, a decision, its upload, all through TLS.
        let right = try daemonConfig("right", caFile: "\(directory)/ca.pem")
        let enrolled = try Built.run("porterod", ["enroll", "--config", right, "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let daemon = try DaemonProcess(arguments: ["--config", right, "--simulate"], withInput: true)
        #expect(daemon.waitFor("sync: snapshot of"))
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 granted user \(member)"))
        _ = try eventually(within: 10) {
            ((try? admin.send("GET", "api/v1/attendance", query: [("user", String(member))]).json())
                as? [[String: Any]])?.count == 1
        }
        // A card revoked at headquarters reaches the door through the TLS long poll.
        try admin.send("PATCH", "api/v1/cards/\(card)", json: ["status": "revoked"])
        #expect(daemon.waitFor("change(s) applied"))
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
    }
}
