import Foundation
import TestSupport
import Testing

/// `portero webhooks` against a real portero-core, whose serve thread sends a test event to a
/// receiver (Tests/CoreTests/Peers/webhook_receiver.py) that checks the signature itself.
@Suite(
    .serialized,
    .enabled(if: Built.directory != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"))
)
struct WebhookCLITests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CoreTests/Peers/webhook_receiver.py").path

    @Test func webhooksAreAddedTestedThroughTheServeThreadEditedRotatedAndRemoved() throws {
        let core = try AdminCLITests.Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)

        let inbox = try TemporaryDirectory()
        let receiver = Process()
        let input = Pipe()
        let output = Pipe()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        receiver.arguments = [Self.script, inbox.path]
        receiver.standardInput = input
        receiver.standardOutput = output
        try receiver.run()
        defer {
            try? input.fileHandleForWriting.close()
            receiver.terminate()
            receiver.waitUntilExit()
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "the receiver started")
            line.append(chunk)
        }
        let port = try #require(
            String(decoding: line, as: UTF8.self).split(separator: " ").last.flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })

        let refused = try core.portero(["webhooks", "add", "--url", "http://hooks.example/x", "--kinds", "sale"])
        #expect(refused.status != 0 && refused.err.contains("url"), "\(refused.err)")
        let added = try core.portero([
            "webhooks", "add", "--url", "http://127.0.0.1:\(port)/hook", "--kinds", "attendance,member",
        ])
        #expect(added.status == 0, "\(added.err)")
        let secret = try #require(
            added.out.split(separator: "\n").first { $0.hasPrefix("secret: ") }?.split(separator: " ").dropFirst()
                .first.map(String.init))
        #expect(secret.hasPrefix("whsec_"))
        try secret.write(toFile: inbox.file("secret"), atomically: true, encoding: .utf8)
        let table = try core.portero(["webhooks", "list"])
        #expect(table.out.hasPrefix("ID") && table.out.contains("attendance,member") && !table.out.contains(secret))

        #expect(try core.portero(["webhooks", "test", "1"]).status == 0)
        func received() throws -> [[String: Any]] {
            try FileManager.default.contentsOfDirectory(atPath: inbox.path).filter { $0.hasSuffix(".json") }.sorted()
                .map {
                    (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: inbox.file($0))))
                        as? [String: Any]) ?? [:]
                }
        }
        #expect(try eventually(within: 15) { try received().count == 1 }, "the serve thread sent it")
        #expect(try received().first?["valid"] as? Bool == true, "signed with the secret add printed")
        #expect(
            try eventually(within: 5) { try core.portero(["webhooks", "deliveries", "1"]).out.contains("delivered") })

        let edited = try core.portero(["webhooks", "edit", "1", "--kinds", "sale", "--inactive", "--json"])
        let row = try #require(try JSONSerialization.jsonObject(with: Data(edited.out.utf8)) as? [String: Any])
        #expect(row["kinds"] as? [String] == ["sale"] && row["active"] as? Bool == false)
        let rotated = try core.portero(["webhooks", "rotate", "1"])
        #expect(rotated.status == 0 && rotated.out.contains("whsec_") && !rotated.out.contains(secret))
        #expect(try core.portero(["webhooks", "remove", "1"]).out.contains("removed"))
        #expect(try core.portero(["webhooks", "deliveries", "1"]).status != 0)
    }
}
