import Foundation
import Testing
import TestSupport

/// `porterod enroll` never sends the one-time code, nor receives the device token and the PIN
/// key, over plain HTTP to a core off this machine: not even when the file opts in to plain HTTP
/// for sync. The refusal comes before any request (192.0.2.1 is a documentation address that
/// answers nothing, so a request would hang until its timeout).
@Suite(.enabled(if: Built.directory != nil)) struct EnrollmentTests {
    static func configuration(in directory: TemporaryDirectory, core: String) throws -> String {
        let path = directory.path + "/porterod.json"
        let text = """
            {"branch": {"id": 1, "time_zone": "UTC"}, "data_directory": "\(directory.path)/data",
             "pin_key_file": "\(directory.path)/pin.key",
             "core": {\(core), "token_file": "\(directory.path)/device.token"},
             "doors": [{"id": 1, "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}]}
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: [
        (#""url": "http://192.0.2.1:8080/", "allow_plain_http": true"#, nil as String?, 78, "never over plain http://"),
        (#""url": "http://127.0.0.1:9/""#, "http://192.0.2.1:8080/", 64, "never over plain http://"),
        (#""url": "https://core.example.com/""#, "http://core.lan/", 64, "never over plain http://"),
        (#""url": "http://192.0.2.1:8080/""#, nil, 78, "core.url: plain http:// to 192.0.2.1"),
        (#""url": "http://127.0.0.1:9/""#, "ftp://core.lan/", 64, "--core: expected an http:// or https:// URL"),
    ])
    func enrolmentOverPlainHTTPOffLoopbackIsRefusedBeforeAnyRequest(
        core: String, override: String?, status: Int32, message: String
    ) throws {
        let directory = try TemporaryDirectory()
        let path = try Self.configuration(in: directory, core: core)
        let began = Date()
        let result = try Built.run(
            "porterod",
            ["enroll", "--config", path, "--code", "AAAAA-BBBBB"] + (override.map { ["--core", $0] } ?? []))
        #expect(Date().timeIntervalSince(began) < 5, "refused before any request")
        #expect(result.status == status, "\(result.err)")
        #expect(result.err.contains(message), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/device.token"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/pin.key"))
    }
}
