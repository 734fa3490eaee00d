import CoreClient
import Foundation
import PorteroModel
import TestSupport
import Testing

/// A real portero-core and a real porterod on loopback: enrolment, snapshot, a revocation
/// reaching the door through the feed, attendance reaching the core once.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct SyncEndToEndTests {
    /// Signs in as root and returns a client holding a personal token.
    static func rootClient(_ core: AdminCLITests.Core) throws -> CoreClient {
        try rootClient(url: URL(string: "http://127.0.0.1:\(core.port)")!)  // safe: a literal URL
    }

    static func rootClient(url: URL) throws -> CoreClient {
        let anonymous = CoreClient(baseURL: url, token: nil)
        let signedIn = try anonymous.send("POST", "api/v1/session", json: ["login": "root", "password": "Secreto123"])
        let cookie = try #require(signedIn.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let csrf = try #require((try signedIn.json() as? [String: Any])?["csrfToken"] as? String)
        let token = try anonymous.send(
            "POST", "api/v1/tokens", json: ["name": "test"], headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
        return CoreClient(baseURL: url, token: try #require((try token.json() as? [String: Any])?["token"] as? String))
    }

    /// Writes `porterod.json` for a daemon of `branch` in the core's test folder, with one simulated
    /// door and an EM4100 reader fed from standard input; returns its path.
    static func writeDaemonConfig(_ core: AdminCLITests.Core, branch: Int64, timeZone: String = "America/Mexico_City")
        throws -> String
    {
        let directory = core.directory.path
        try """
        {"branch": {"id": \(branch), "time_zone": "\(timeZone)"}, "data_directory": "\(directory)/data",
         "pin_key_file": "\(directory)/pin.key",
         "core": {"url": "http://127.0.0.1:\(core.port)/", "token_file": "\(directory)/device.token"},
         "status": {"socket": "\(directory)/status.sock"},
         "doors": [{"id": 1, "pulse_ms": 200,
                    "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
         "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
        """.write(toFile: directory + "/porterod.json", atomically: true, encoding: .utf8)
        return directory + "/porterod.json"
    }

    /// Defines door 1, "Entrada", at `branch`: an enrolled controller takes its settings from the core.
    static func defineEntrance(_ admin: CoreClient, branch: Int64, extra: [String: Any] = [:]) throws {
        try admin.send(
            "POST", "api/v1/branches/\(branch)/doors",
            json: ["id": 1, "name": "Entrada"].merging(extra, uniquingKeysWith: { $1 }))
    }

    /// A branch with its entrance, a monthly plan, member Ana enrolled with card 5551234, and a
    /// device's enrolment code.
    static func seedBranch(_ admin: CoreClient) throws -> (branch: Int64, member: Int64, card: Int64, code: String) {
        let branch = try #require(
            (try admin.send(
                "POST", "api/v1/branches", json: ["name": "Centro", "city": "CDMX", "timeZone": "America/Mexico_City"]
            ).json() as? [String: Any])?["id"] as? Int64)
        try defineEntrance(admin, branch: branch)
        let plan = try #require(
            (try admin.send(
                "POST", "api/v1/plans",
                json: ["name": "Mensual", "priceMinor": 59900, "currency": "MXN", "durationMonths": 1]
            ).json() as? [String: Any])?["id"] as? Int64)
        let member = try #require(
            (try admin.send(
                "POST", "api/v1/users",
                json: [
                    "username": "ana", "email": "ana@correo.mx", "name": "Ana", "paternalSurname": "López",
                    "roles": ["cliente"], "branches": [branch],
                ]
            ).json() as? [String: Any])?["id"] as? Int64)
        try admin.send("POST", "api/v1/subscriptions", json: ["user": member, "plan": plan, "branch": branch])
        let card = try #require(
            (try admin.send("POST", "api/v1/users/\(member)/cards", json: ["number": "5551234"]).json()
                as? [String: Any])?["id"] as? Int64)
        let registered = try #require(
            try admin.send("POST", "api/v1/devices", json: ["branch": branch, "name": "torniquete"]).json()
                as? [String: Any])
        return (branch, member, card, try #require(registered["enrollmentCode"] as? String))
    }

    @Test func enrolSnapshotRevocationAndAttendanceOverRealProcesses() throws {
        let core = try AdminCLITests.Core()
        let admin = try Self.rootClient(core)
        let (branch, member, card, code) = try Self.seedBranch(admin)

        let directory = core.directory.path
        _ = try Self.writeDaemonConfig(core, branch: branch)
        let wrong = try Built.run(
            "porterod", ["enroll", "--config", directory + "/porterod.json", "--code", "AAAAA-BBBBB"])
        #expect(wrong.status != 0 && wrong.err.contains("enrolment refused"))
        let enrolled = try Built.run("porterod", ["enroll", "--config", directory + "/porterod.json", "--code", code])
        #expect(enrolled.status == 0, "\(enrolled.err)")
        let mode =
            try FileManager.default.attributesOfItem(atPath: directory + "/device.token")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        var daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(daemon.waitFor("sync: snapshot of"))
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("card 5551234 granted user \(member)"))

        // Revoked at headquarters: the change arrives through the long poll, and the next swipe is refused.
        let revoked = Date()
        try admin.send("PATCH", "api/v1/cards/\(card)", json: ["status": "revoked"])
        #expect(daemon.waitFor("change(s) applied"))
        #expect(Date().timeIntervalSince(revoked) < 2, "a revocation should reach the door within a second or so")
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 5551234\n".utf8))
        #expect(daemon.waitFor("credential.revoked"), "\(daemon.log)")

        // Both decisions reach the core, once each.
        var rows: [[String: Any]] = []
        _ = try eventually {
            rows =
                (try admin.send("GET", "api/v1/attendance", query: [("user", String(member))]).json()
                    as? [[String: Any]]) ?? []
            return rows.count >= 2
        }
        #expect(rows.filter { $0["reason"] as? String == "granted" }.count == 1)
        #expect(rows.contains { $0["reason"] as? String == "credential.revoked" })
        #expect(Set(rows.compactMap { $0["id"] as? String }).count == rows.count)
        // A remote lockdown reaches the door, the core sees the door's mode, and it outlives a restart.
        try admin.send(
            "POST", "api/v1/branches/\(branch)/commands", json: ["command": "lockdown", "reason": "simulacro de sismo"])
        #expect(daemon.waitFor("door Entrada: lockdown from the core"))
        let status = statusRequest(socket: directory + "/status.sock", "/status") ?? ""
        #expect(status.contains("\"sync\"") && status.contains("\"last_contact\""))
        #expect(status.contains("\"mode\":\"lockdown\""))
        #expect(
            try eventually {
                let doors = try admin.send("GET", "api/v1/doors").json() as? [[String: Any]]
                return doors?.first?["mode"] as? String == "lockdown"
            }, "the core shows the mode the branch reported")
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
        let restarted = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(restarted.waitFor("door Entrada: lockdown from the core"), "kept in the replica: \(restarted.log)")
        try admin.send(
            "POST", "api/v1/branches/\(branch)/commands", json: ["command": "release", "reason": "fin del simulacro"])
        #expect(restarted.waitFor("door Entrada: back to its standing mode"))

        // A remote unlock opens the door once and is journalled as a manual entry.
        try admin.send(
            "POST", "api/v1/branches/\(branch)/commands",
            json: ["command": "unlock_once", "door": 1, "reason": "proveedor con carga"])
        #expect(restarted.waitFor("door Entrada: unlocked once from the core"))
        #expect(
            try eventually {
                let rows = try admin.send("GET", "api/v1/attendance").json() as? [[String: Any]] ?? []
                return rows.contains { $0["credentialKind"] as? String == "manual" && $0["door"] as? Int64 == 1 }
            }, "the unlock reaches the core's attendance")
        kill(restarted.process.processIdentifier, SIGTERM)
        restarted.process.waitUntilExit()
        #expect(restarted.process.terminationStatus == 0)
        daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(daemon.waitFor("porterod "))

        // Revoking the device stops its sync at once.
        let devices = try #require(try admin.send("GET", "api/v1/devices").json() as? [[String: Any]])
        try admin.send("DELETE", "api/v1/devices/\(try #require(devices.first?["id"] as? Int64))")
        try admin.send("PATCH", "api/v1/users/\(member)", json: ["notes": "after revocation"])
        #expect(daemon.waitFor("refused this device's token"))
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
    }

    @Test func cardsGivenAndCheckInsMadeAtTheBranchReachTheCoreAndComeBackDown() throws {
        let core = try AdminCLITests.Core()
        let admin = try Self.rootClient(core)
        let (branch, ana, _, code) = try Self.seedBranch(admin)
        let plans = try #require(try admin.send("GET", "api/v1/plans").json() as? [[String: Any]])
        let plan = try #require(plans.first?["id"] as? Int64)
        let beto = try #require(
            (try admin.send(
                "POST", "api/v1/users",
                json: [
                    "username": "beto", "email": "beto@correo.mx", "name": "Beto", "paternalSurname": "Ruiz",
                    "roles": ["cliente"], "branches": [branch],
                ]
            ).json() as? [String: Any])?["id"] as? Int64)
        try admin.send("POST", "api/v1/subscriptions", json: ["user": beto, "plan": plan, "branch": branch])
        // Carla belongs to another branch and holds card 7777777 there.
        let norte = try #require(
            (try admin.send(
                "POST", "api/v1/branches",
                json: ["name": "Norte", "city": "Monterrey", "timeZone": "America/Monterrey"]
            ).json() as? [String: Any])?["id"] as? Int64)
        try Self.defineEntrance(admin, branch: norte)
        let carla = try #require(
            (try admin.send(
                "POST", "api/v1/users",
                json: [
                    "username": "carla", "email": "carla@correo.mx", "name": "Carla", "paternalSurname": "Soto",
                    "roles": ["cliente"], "branches": [norte],
                ]
            ).json() as? [String: Any])?["id"] as? Int64)
        try admin.send("POST", "api/v1/users/\(carla)/cards", json: ["number": "7777777"])

        let directory = core.directory.path
        _ = try Self.writeDaemonConfig(core, branch: branch)
        #expect(
            try Built.run("porterod", ["enroll", "--config", directory + "/porterod.json", "--code", code]).status == 0)
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/porterod.json", "--simulate"], withInput: true)
        #expect(daemon.waitFor("sync: snapshot of"))
        #expect(daemon.waitFor("door 1 (Entrada): settings from headquarters"))
        let socket = directory + "/status.sock"

        // A card given at reception opens the door at once, and the core gets it.
        let given = statusPost(socket: socket, "/cards", #"{"user": \#(beto), "number": "6666666"}"#)
        #expect(given.status == 202, "\(given.body)")
        try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 6666666\n".utf8))
        #expect(daemon.waitFor("card 6666666 granted user \(beto)"))
        _ = try eventually(within: 10) {
            ((try? admin.send("GET", "api/v1/users/\(beto)/cards").json()) as? [[String: Any]])?.contains {
                $0["number"] as? String == "6666666"
            } == true
        }
        // Refused here: Ana's active card; refused by the core: Carla's card, taken back by the feed.
        // Carla is a member of Norte without a plan: her card is in the chain's index.
        #expect(statusPost(socket: socket, "/cards", #"{"user": \#(beto), "number": "5551234"}"#).status == 409)
        #expect(statusPost(socket: socket, "/cards", #"{"user": \#(beto), "number": "not a card"}"#).status == 400)
        #expect(statusPost(socket: socket, "/cards", #"{"user": \#(beto), "number": "7777777"}"#).status == 202)
        #expect(daemon.waitFor("the core refused command"), "\(daemon.log)")
        _ = try eventually(within: 10) {
            try daemon.input.fileHandleForWriting.write(contentsOf: Data("entrada 7777777\n".utf8))
            return daemon.waitFor("card 7777777 subscription.none user \(carla)", timeout: 1)
        }
        // A manual check-in at the desk: journalled, the door released, uploaded once.
        let checkIn = statusPost(socket: socket, "/checkin", #"{"user": \#(ana), "reason": "olvidó su tarjeta"}"#)
        #expect(checkIn.status == 201, "\(checkIn.body)")
        #expect(statusPost(socket: socket, "/checkin", #"{"user": \#(ana), "reason": "x"}"#).status == 400)
        // Both name the local account that made them, as the kernel named the socket's peer.
        let name = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) }
        let who = name.map { "\($0) (uid \(getuid()))" } ?? "uid \(getuid())"
        func checkedIn() -> Bool {
            let rows = (try? admin.send("GET", "api/v1/attendance", query: [("user", String(ana))]).json())
            return (rows as? [[String: Any]] ?? []).contains { row in
                row["reason"] as? String == "granted.manual"
                    && row["note"] as? String == "olvidó su tarjeta; at the desk by \(who)"
            }
        }
        #expect(eventually(within: 10, checkedIn), "the core keeps the check-in's note")
        let audit = try #require(try admin.send("GET", "api/v1/audit").json() as? [String: Any])
        let cardGiven = (audit["entries"] as? [[String: Any]] ?? []).first {
            $0["action"] as? String == "card.create" && $0["target"] as? String == "user:\(beto)"
                && ($0["changes"] as? String)?.contains("localUser") == true
        }
        let changes = try #require(
            try JSONSerialization.jsonObject(with: Data((cardGiven?["changes"] as? String ?? "{}").utf8))
                as? [String: Any])
        let local = changes["localUser"] as? [String: Any]
        #expect(local?["uid"] as? Int == Int(getuid()) && local?["name"] as? String == name, "\(changes)")
        kill(daemon.process.processIdentifier, SIGTERM)
        daemon.process.waitUntilExit()
    }
}

/// Sends `POST path` with a JSON body on the daemon's status socket; returns the status and body.
func statusPost(socket path: String, _ resource: String, _ json: String) -> (status: Int, body: String) {
    guard let fd = connectUnix(path) else { return (0, "") }
    defer { close(fd) }
    let text = exchange(
        connected: fd,
        "POST \(resource) HTTP/1.0\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(json.utf8.count)\r\n\r\n\(json)"
    )
    let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    return (status, text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? "")
}
