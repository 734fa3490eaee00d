import Foundation
import PorteroModel
import Replica
import TestSupport
import Testing

/// porterod with an OSDP reader: libosdp's peripheral device on a pty reads a card; the daemon
/// decides and answers with the reader's LED (green, or red with the buzzer).
@Suite(
    .serialized,
    .enabled(if: Built.directory != nil && OSDPPeer.available, "needs the built daemon and Python with libosdp"))
struct DaemonOSDPTests {
    @Test func aGrantLightsTheReaderGreenAndADenialRedWithABeep() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "porterod-osdp-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Member 1 carries the H10301 card facility 123, number 4567 (credential 123 × 65536 + 4567).
        try seedReplica(at: directory + "/data/replica.sqlite")
        do {
            let store = try ReplicaStore(
                path: directory + "/data/replica.sqlite", branchID: BranchID(1), timeZone: "America/Mexico_City")
            try store.apply([
                .upsertCredential(
                    Credential(id: CredentialID(50), userID: UserID(1), card: CardNumber(rawValue: 123 << 16 | 4567)))
            ])
        }
        let peer = try PeripheralProcess(address: 101)
        let pty = try #require(peer.waitForLine(prefix: "PTY ")).dropFirst(4)
        let config = """
            {"branch": {"id": 1, "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
             "status": {"socket": "\(directory)/status.sock"},
             "doors": [{"id": 1, "name": "Alberca", "pulse_ms": 300,
                        "relay": {"chip": "sim0", "line": 1, "kind": "fail_safe"}}],
             "readers": [{"name": "alberca", "kind": "osdp", "device": "\(pty)", "address": 101, "door": 1}]}
            """
        try config.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--config", directory + "/porterod.json", "--simulate-gpio"])
        #expect(daemon.waitFor("1/1 reader(s) open"))
        // The 26-bit frame of the issue's vector.
        try peer.tell("CARD 26 bd88eb80")
        #expect(daemon.waitFor("card 8065495 granted user 1"))
        #expect(peer.waitForLine(prefix: "CMD") != nil)
        let green = Date().addingTimeInterval(10)
        while Date() < green,
            !peer.lines.contains(where: { $0.contains(#""name": "led""#) && $0.contains(#""on_color": 2"#) })
        { peer.drain() }
        #expect(peer.lines.contains { $0.contains(#""name": "led""#) && $0.contains(#""on_color": 2"#) })
        // Facility 1, card 2: unknown.
        try peer.tell("CARD 26 80800100")
        #expect(daemon.waitFor("credential.unknown"))
        let red = Date().addingTimeInterval(10)
        while Date() < red, !peer.lines.contains(where: { $0.contains(#""name": "buzzer""#) }) { peer.drain() }
        #expect(peer.lines.contains { $0.contains(#""name": "led""#) && $0.contains(#""on_color": 1"#) })
        #expect(peer.lines.contains { $0.contains(#""name": "buzzer""#) })
    }
}
