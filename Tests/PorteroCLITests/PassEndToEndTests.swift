import CoreClient
import Crypto
import Foundation
import PorteroModel
import TestSupport
import Testing

/// A pty pair: porterod opens the slave as a serial QR scanner, the test types codes on the master.
final class ScannerLine {
    let master: Int32
    let slave: Int32
    let path: String

    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else { throw POSIXError(.EIO) }
        self.master = master
        self.slave = slave
        path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A code as a scanner sends it: the text, then CR LF.
    func scan(_ text: String) {
        let bytes = Array((text + "\r\n").utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    deinit {
        close(master)
        close(slave)
    }
}

/// A member's phone pass end to end over real processes: the member adds a phone at the core (a
/// P-256 key made here, as a phone's browser makes one), the feed carries its public key to an
/// enrolled porterod, and codes scanned on serial QR scanners at two doors open the first door,
/// are refused once spent, once old or forged, and within a second of the phone's revocation.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct PassEndToEndTests {
    static func code(_ key: SigningKey, member: Int64, phone: Int64, at seconds: Int64) throws -> String {
        var code = PassCode(member: UserID(member), phone: PhoneID(phone), issuedAt: seconds, signature: [])
        code.signature = try key.signSHA256(code.message)
        return code.text
    }

    @Test func aPhonePassOpensOneDoorOnceAndNoLongerOnceRevoked() throws {
        let core = try AdminCLITests.Core()
        let admin = try SyncEndToEndTests.rootClient(core)
        let (branch, _, _, code) = try SyncEndToEndTests.seedBranch(admin)
        try admin.send("POST", "api/v1/branches/\(branch)/doors", json: ["id": 2, "name": "Torniquete"])
        let plan = try #require((try admin.send("GET", "api/v1/plans").json() as? [[String: Any]])?.first?["id"])
        let member = try #require(
            (try admin.send(
                "POST", "api/v1/users",
                json: [
                    "username": "marta", "email": "marta@correo.mx", "name": "Marta", "paternalSurname": "Gil",
                    "roles": ["cliente"], "branches": [branch], "password": "Secreto-123-a",
                ]
            ).json() as? [String: Any])?["id"] as? Int64)
        try admin.send("POST", "api/v1/subscriptions", json: ["user": member, "plan": plan, "branch": branch])

        // The member signs in and adds a phone.
        let url = URL(string: "http://127.0.0.1:\(core.port)")!  // safe: a literal URL
        let anonymous = CoreClient(baseURL: url, token: nil)
        let session = try anonymous.send(
            "POST", "api/v1/session", json: ["login": "marta", "password": "Secreto-123-a"])
        let headers = [
            "Cookie": try #require(session.header("Set-Cookie")?.split(separator: ";").first.map(String.init)),
            "X-CSRF-Token": try #require((try session.json() as? [String: Any])?["csrfToken"] as? String),
        ]
        let key = try SigningKey.p256()
        let point = try key.publicCoordinates()
        func base64url(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let phone = try #require(
            (try anonymous.send(
                "POST", "api/v1/me/phones", json: ["name": "Pixel", "x": base64url(point.x), "y": base64url(point.y)],
                headers: headers
            ).json() as? [String: Any])?["id"] as? Int64)

        let first = try ScannerLine()
        let second = try ScannerLine()
        let directory = core.directory.path
        try """
        {"branch": {"id": \(branch), "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
         "pin_key_file": "\(directory)/pin.key",
         "core": {"url": "http://127.0.0.1:\(core.port)/", "token_file": "\(directory)/device.token"},
         "status": {"socket": "\(directory)/status.sock"},
         "doors": [{"id": 1, "pulse_ms": 300, "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}},
                   {"id": 2, "pulse_ms": 300, "relay": {"chip": "sim0", "line": 5, "kind": "fail_secure"}}],
         "readers": [{"name": "qr1", "kind": "scanner", "device": "\(first.path)", "door": 1},
                     {"name": "qr2", "kind": "scanner", "device": "\(second.path)", "door": 2}]}
        """.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        let enrolled = try Built.run("porterod", ["enroll", "--config", directory + "/porterod.json", "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let daemon = try DaemonProcess(arguments: ["--config", directory + "/porterod.json", "--simulate-gpio"])
        #expect(daemon.waitFor("door 2 (Torniquete): settings from headquarters"), "\(daemon.log.suffix(2000))")
        #expect(daemon.waitFor("reader qr2: open"))

        let now = Int64(Date().timeIntervalSince1970)
        let fresh = try Self.code(key, member: member, phone: phone, at: now)
        let who = "phone pass of user \(member) phone \(phone)"
        first.scan(fresh)
        #expect(daemon.waitFor("\(who) granted user \(member)"), "\(daemon.log.suffix(2000))")
        #expect(daemon.waitFor("lock released (relay sim0:4 high)"))
        // The same code at the second door, an older one, a screenshot kept too long, a forged one.
        second.scan(fresh)
        #expect(daemon.waitFor("\(who) pass.used user \(member)"), "\(daemon.log.suffix(2000))")
        second.scan(try Self.code(key, member: member, phone: phone, at: now - 3))
        #expect(daemon.waitFor("\(who) pass.used user \(member)", count: 2))
        second.scan(try Self.code(key, member: member, phone: phone, at: now - 45))
        #expect(daemon.waitFor("\(who) pass.expired user \(member)"))
        second.scan(try Self.code(try SigningKey.p256(), member: member, phone: phone, at: now + 1))
        #expect(daemon.waitFor("\(who) pass.invalid"))
        #expect(!daemon.log.contains("relay sim0:5 high"), "the second door never opened")
        // A new code opens the second door.
        second.scan(try Self.code(key, member: member, phone: phone, at: now + 2))
        #expect(daemon.waitFor("\(who) granted user \(member)", count: 2))

        // The phone is revoked: its codes are refused within a second.
        try anonymous.send("DELETE", "api/v1/me/phones/\(phone)", headers: headers)
        let revoked = Date()
        var refused = false
        var attempt: Int64 = 3
        while !refused && Date().timeIntervalSince(revoked) < 3 {
            first.scan(try Self.code(key, member: member, phone: phone, at: now + attempt))
            attempt += 1
            refused = daemon.waitFor("\(who) credential.revoked", timeout: 0.1)
        }
        let elapsed = Date().timeIntervalSince(revoked)
        #expect(refused && elapsed < 1, "refused after \(elapsed) s: \(daemon.log.suffix(2000))")
    }
}
