@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import Mail
import SyncWire
import PorteroModel
import TestSupport
import Testing

/// A webhook receiver on loopback (Peers/webhook_receiver.py under /usr/bin/python3) that checks
/// each signature with Python's hmac, independently of the core.
final class WebhookPeer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Peers/webhook_receiver.py").path
    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    let directory: TemporaryDirectory
    let port: Int
    private let process = Process()
    private let input = Pipe()

    init() throws {
        directory = try TemporaryDirectory()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script, directory.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerFailure("the webhook receiver stopped before it was ready") }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, words[0] == "ready", let port = Int(words[1]) else {
            throw PeerFailure("the webhook receiver said \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// The secret it checks signatures with.
    func expect(secret: String) throws {
        try secret.write(toFile: directory.file("secret"), atomically: true, encoding: .utf8)
    }
    /// ok (204), fail (500) or hang (no answer for 5 s).
    func answer(_ mode: String) throws {
        try mode.write(toFile: directory.file("mode"), atomically: true, encoding: .utf8)
    }

    /// Every request received so far, oldest first.
    func received() throws -> [[String: Any]] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { name in
                let data = try Data(contentsOf: URL(fileURLWithPath: directory.file(name)))
                return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
            }
    }
}

struct PeerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

/// Registering webhooks: who may, and the URLs and kinds refused.
@Suite struct WebhookRouteTests {
    @Test func chainAdministratorsRegisterEndpointsAndBadInputIsRefusedByField() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let local = try fixture.signIn(.administrator, username: "centro")
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let good = #"{"url": "https://hooks.example/portero", "kinds": ["attendance", "sale", "attendance"]}"#
        let made = try fixture.post("/api/v1/webhooks", good, as: admin)
        #expect(made.status == 201)
        let secret = try #require(try object(made)["secret"] as? String)
        #expect(secret.hasPrefix("whsec_") && secret.count == 70)
        let hook = try #require(try object(made)["webhook"] as? [String: Any])
        let id = try #require(hook["id"] as? Int64)
        #expect(hook["kinds"] as? [String] == ["attendance", "sale"], "repeats dropped")
        #expect(hook["active"] as? Bool == true)
        #expect(!text(try fixture.get("/api/v1/webhooks", as: admin)).contains(secret), "the secret is shown once")

        #expect(try fixture.post("/api/v1/webhooks", good, as: local).status == 403, "one branch is not the chain")
        #expect(try fixture.post("/api/v1/webhooks", good, as: reception).status == 403)
        #expect(try fixture.patch("/api/v1/webhooks/\(id)", #"{"active": false}"#, as: local).status == 403)
        #expect(try fixture.delete("/api/v1/webhooks/\(id)", as: local).status == 403)

        for url in ["http://hooks.example/portero", "ftp://hooks.example/x", "https://", "http://10.0.0.1/x"] {
            let refused = try fixture.post("/api/v1/webhooks", #"{"url": "\#(url)", "kinds": ["sale"]}"#, as: admin)
            #expect(refused.status == 400 && text(refused).contains("url"), "\(url): \(text(refused))")
        }
        for url in ["http://127.0.0.1:9000/x", "http://localhost/x", "http://[::1]:8/x"] {
            let taken = try fixture.post("/api/v1/webhooks", #"{"url": "\#(url)", "kinds": ["sale"]}"#, as: admin)
            #expect(taken.status == 201, "\(url): \(text(taken))")
        }
        let kinds = try fixture.post("/api/v1/webhooks", #"{"url": "https://a.example", "kinds": ["x"]}"#, as: admin)
        #expect(kinds.status == 400 && text(kinds).contains("kinds"))
        let branch = try fixture.post(
            "/api/v1/webhooks", #"{"url": "https://a.example", "kinds": ["sale"], "branches": [999]}"#, as: admin)
        #expect(branch.status == 404 && text(branch).contains("branches"))
        #expect(try fixture.get("/api/v1/webhooks", as: local).status == 200)
        #expect(try objects(try fixture.get("/api/v1/webhooks", as: local)).isEmpty, "none limited to its branch")

        let edited = try fixture.patch(
            "/api/v1/webhooks/\(id)", #"{"kinds": ["member", "door_alarm"], "active": false}"#, as: admin)
        #expect(edited.status == 200)
        #expect(try object(edited)["kinds"] as? [String] == ["door_alarm", "member"])
        #expect(try object(edited)["active"] as? Bool == false)
        #expect(try fixture.post("/api/v1/webhooks/\(id)/test", "{}", as: admin).status == 409, "inactive")
        let rotated = try fixture.post("/api/v1/webhooks/\(id)/rotate", "{}", as: admin)
        let newSecret = try object(rotated)["secret"] as? String
        #expect(rotated.status == 200 && newSecret != nil && newSecret != secret)
        #expect(try fixture.delete("/api/v1/webhooks/\(id)", as: admin).status == 204)
        #expect(try fixture.get("/api/v1/webhooks/\(id)/deliveries", as: admin).status == 404)
        let audit = try fixture.api.withDatabase { try $0.audit.recent(limit: 50) }.map(\.action)
        for action in ["webhook.create", "webhook.update", "webhook.rotate", "webhook.delete"] {
            #expect(audit.contains(action), "\(action) audited")
        }
        let entries = try object(try fixture.get("/api/v1/audit?limit=200", as: admin))["entries"] as? [[String: Any]]
        let listed = (entries ?? []).compactMap { $0["action"] as? String }
        #expect(
            listed.contains("webhook.create") && listed.contains("webhook.delete"),
            "the chain's administrator sees them")
    }
}

/// Events queued with the change: an import queues one member event per user, a refused file none.
@Suite struct WebhookOutboxTests {
    @Test func anImportQueuesOneMemberEventPerUserAndARefusedFileNone() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let made = try fixture.post(
            "/api/v1/webhooks", #"{"url": "https://hooks.example/m", "kinds": ["member"]}"#, as: admin)
        let id = try #require((try object(made)["webhook"] as? [String: Any])?["id"] as? Int64)
        let good = "username,email,name,paternalSurname,branch\nuno,uno@correo.mx,Uno,X,Centro\n"
        let bad = good + "dos,dos@correo.mx,Dos,X,Nowhere\n"
        let refused = try UserImportTests().importCSV(
            fixture, bad.replacingOccurrences(of: "uno", with: "tres"), as: admin)
        #expect(refused.0 == 422)
        #expect(try fixture.api.withDatabase { try $0.webhooks.deliveries(of: id, limit: 10) }.isEmpty)
        let imported = try UserImportTests().importCSV(fixture, good + "dos,dos@correo.mx,Dos,X,Norte\n", as: admin)
        #expect(imported.0 == 201, "\(imported.1)")
        let queued = try fixture.api.withDatabase { try $0.webhooks.deliveries(of: id, limit: 10) }
        #expect(queued.count == 2 && queued.allSatisfy { $0.kind == "member" && $0.status == "queued" })
    }
}

/// Deliveries to a real receiver that checks every signature itself.
@Suite(.enabled(if: WebhookPeer.available, "needs /usr/bin/python3"))
struct WebhookDeliveryTests {
    let transport = WebhookTransport(timeoutSeconds: 1)

    func deliver(_ fixture: APIFixture) -> (delivered: Int, failed: Int) {
        fixture.api.deliverWebhooks { url, body, headers throws(WebhookError) in
            try transport.post(url: url, body: body, headers: headers)
        }
    }

    @Test func aManualCheckInArrivesSignedOnlyAtTheEndpointsThatWantIt() throws {
        let peer = try WebhookPeer()
        let fixture = try APIFixture()
        var admin = try fixture.signIn(.superAdministrator, username: "root")
        let ana = try fixture.signIn(.reception, username: "ana")
        func register(_ body: String) throws -> (id: Int64, secret: String) {
            let made = try fixture.post("/api/v1/webhooks", body, as: admin)
            #expect(made.status == 201, "\(text(made))")
            let hook = try #require(try object(made)["webhook"] as? [String: Any])
            return (try #require(hook["id"] as? Int64), try #require(try object(made)["secret"] as? String))
        }
        let wanted = try register(#"{"url": "\#(peer.url)", "kinds": ["attendance"], "branches": [\#(fixture.own)]}"#)
        _ = try register(#"{"url": "\#(peer.url)?sale", "kinds": ["sale"]}"#)
        _ = try register(#"{"url": "\#(peer.url)?other", "kinds": ["attendance"], "branches": [\#(fixture.other)]}"#)
        try peer.expect(secret: wanted.secret)

        let checkIn = try fixture.post(
            "/api/v1/attendance", #"{"user": \#(ana.id), "branch": \#(fixture.own), "reason": "olvidó su tarjeta"}"#,
            as: admin)
        #expect(checkIn.status == 201)
        let sent = deliver(fixture)
        #expect(sent.delivered == 1 && sent.failed == 0)
        let got = try peer.received()
        #expect(got.count == 1)
        let first = try #require(got.first)
        #expect(first["valid"] as? Bool == true, "the receiver's own HMAC matches")
        #expect(first["path"] as? String == "/hook" && first["contentType"] as? String == "application/json")
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data((first["body"] as? String ?? "").utf8)) as? [String: Any])
        #expect(body["kind"] as? String == "attendance" && body["id"] is String && body["at"] is String)
        let data = try #require(body["data"] as? [String: Any])
        #expect(data["user"] as? Int == Int(ana.id.rawValue) && data["granted"] as? Bool == true)
        #expect(data["branch"] as? Int == Int(fixture.own.rawValue))
        #expect(data["reason"] as? String == "granted.manual" && data["credential"] as? String == "manual")

        let log = try objects(try fixture.get("/api/v1/webhooks/\(wanted.id)/deliveries", as: admin))
        #expect(
            log.count == 1 && log.first?["status"] as? String == "delivered"
                && log.first?["lastStatus"] as? Int64 == 204)
        #expect(deliver(fixture).delivered == 0, "sent once")
        fixture.advance(seconds: 29 * 86_400)
        #expect(fixture.api.pruneWebhookDeliveries() == 0, "kept 30 days")
        fixture.advance(seconds: 2 * 86_400)
        #expect(fixture.api.pruneWebhookDeliveries() == 1)
        admin = try fixture.signIn(.superAdministrator, username: "root2")  // a month on: a fresh session

        // A test event after a rotation is signed with the new secret only.
        let rotated = try object(try fixture.post("/api/v1/webhooks/\(wanted.id)/rotate", "{}", as: admin))
        #expect(try fixture.post("/api/v1/webhooks/\(wanted.id)/test", "{}", as: admin).status == 202)
        #expect(deliver(fixture).delivered == 1)
        #expect(try peer.received().last?["valid"] as? Bool == false, "the old secret no longer verifies")
        try peer.expect(secret: try #require(rotated["secret"] as? String))
        #expect(try fixture.post("/api/v1/webhooks/\(wanted.id)/test", "{}", as: admin).status == 202)
        #expect(deliver(fixture).delivered == 1)
        let last = try #require(try peer.received().last)
        #expect(last["valid"] as? Bool == true && (last["body"] as? String ?? "").contains(#""kind":"test""#))
    }

    @Test func failuresAreRetriedWithBackoffAndTheTenthInARowDeactivatesTheEndpoint() throws {
        let peer = try WebhookPeer()
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "root")
        let made = try fixture.post("/api/v1/webhooks", #"{"url": "\#(peer.url)", "kinds": ["attendance"]}"#, as: admin)
        let id = try #require((try object(made)["webhook"] as? [String: Any])?["id"] as? Int64)
        try peer.answer("hang")
        #expect(try fixture.post("/api/v1/webhooks/\(id)/test", "{}", as: admin).status == 202)
        #expect(deliver(fixture).failed == 1, "no answer within the timeout is a failure")
        var log = try objects(try fixture.get("/api/v1/webhooks/\(id)/deliveries", as: admin))
        #expect(log.first?["status"] as? String == "queued" && log.first?["attempts"] as? Int64 == 1)
        #expect(log.first?["lastStatus"] == nil && !(log.first?["lastError"] as? String ?? "").isEmpty)
        #expect(deliver(fixture) == (0, 0), "not again before a minute")
        try peer.answer("fail")
        fixture.advance(seconds: 61)
        #expect(deliver(fixture).failed == 1)
        log = try objects(try fixture.get("/api/v1/webhooks/\(id)/deliveries", as: admin))
        #expect(log.first?["lastStatus"] as? Int64 == 500 && log.first?["attempts"] as? Int64 == 2)
        fixture.advance(seconds: 119)
        #expect(deliver(fixture) == (0, 0), "the second wait is two minutes")
        fixture.advance(seconds: 2)
        #expect(deliver(fixture).failed == 1)
        for _ in 4...10 {
            fixture.advance(seconds: 4 * 3_600)
            #expect(deliver(fixture).failed == 1)
        }
        fixture.advance(seconds: 4 * 3_600)
        #expect(deliver(fixture) == (0, 0), "an inactive endpoint gets nothing")
        // A day has passed: fresh sessions.
        let root = try fixture.signIn(.superAdministrator, username: "root2")
        let chainAdmin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let hook = try #require(try objects(try fixture.get("/api/v1/webhooks", as: root)).first)
        #expect(hook["active"] as? Bool == false && hook["failures"] as? Int64 == 10)
        let urgentAnswer = try fixture.get("/api/v1/notifications?filter=urgent", as: chainAdmin)
        #expect(urgentAnswer.status == 200, "\(text(urgentAnswer))")
        let urgent = try objects(urgentAnswer)
        #expect(urgent.contains { ($0["title"] as? String ?? "").contains("Webhook \(id) deactivated") })
        try peer.answer("ok")
        #expect(try fixture.patch("/api/v1/webhooks/\(id)", #"{"active": true}"#, as: root).status == 200)
        #expect(deliver(fixture).delivered == 1, "reactivated, the waiting delivery goes")
        #expect(try objects(try fixture.get("/api/v1/webhooks", as: root)).first?["failures"] as? Int64 == 0)
        #expect(try peer.received().allSatisfy { $0["valid"] as? Bool == false }, "no secret given to the receiver")
    }

    @Test func aBurstOfDeliveriesFailingInOneRoundCountsOnceAgainstTheEndpoint() throws {
        let peer = try WebhookPeer()
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.superAdministrator, username: "root")
        let made = try fixture.post("/api/v1/webhooks", #"{"url": "\#(peer.url)", "kinds": ["attendance"]}"#, as: admin)
        let id = try #require((try object(made)["webhook"] as? [String: Any])?["id"] as? Int64)
        try peer.answer("fail")
        for _ in 0..<12 {
            #expect(try fixture.post("/api/v1/webhooks/\(id)/test", "{}", as: admin).status == 202)
        }
        #expect(deliver(fixture).failed == 12, "a short outage fails every queued delivery once")
        let hook = try #require(try objects(try fixture.get("/api/v1/webhooks", as: admin)).first)
        #expect(hook["active"] as? Bool == true && hook["failures"] as? Int64 == 1)
        try peer.answer("ok")
        fixture.advance(seconds: 61)
        #expect(deliver(fixture).delivered == 12)
        #expect(try objects(try fixture.get("/api/v1/webhooks", as: admin)).first?["failures"] as? Int64 == 0)
    }

    @Test func membersSalesAndDoorAlarmsArriveAsTheirKinds() throws {
        let peer = try WebhookPeer()
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let made = try fixture.post(
            "/api/v1/webhooks", #"{"url": "\#(peer.url)", "kinds": ["member", "sale", "door_alarm"]}"#, as: admin)
        try peer.expect(secret: try #require(try object(made)["secret"] as? String))
        let member = try fixture.member("socia", as: admin)
        let plan = try fixture.plan("Mensual", as: admin)
        let sold = try fixture.post(
            "/api/v1/subscriptions", #"{"user": \#(member), "plan": \#(plan), "branch": \#(fixture.own)}"#, as: admin)
        #expect(sold.status == 201)
        let (token, _) = try fixture.enrolDevice(as: admin)
        let alarm = String(
            decoding: try JSONEncoder().encode(
                SyncAlarmUpload(alarms: [
                    SyncAlarm(door: 1, doorName: "Entrada", alarm: "held_open", at: Timestamp(seconds: 1_800_000_000))
                ])), as: UTF8.self)
        #expect(try fixture.bearer("POST", "/api/v1/sync/alarms", token, body: alarm).status == 200)
        #expect(deliver(fixture).delivered == 3)
        let bodies = try peer.received().map { got in
            #expect(got["valid"] as? Bool == true)
            return try #require(
                try JSONSerialization.jsonObject(with: Data((got["body"] as? String ?? "").utf8)) as? [String: Any])
        }
        #expect(bodies.map { $0["kind"] as? String } == ["member", "sale", "door_alarm"])
        let data = bodies.map { $0["data"] as? [String: Any] ?? [:] }
        #expect(data[0]["user"] as? Int == Int(member) && data[0]["change"] as? String == "created")
        #expect(data[1]["type"] as? String == "subscription" && data[1]["pricePaidMinor"] as? Int == 59_900)
        #expect(data[2]["alarm"] as? String == "held_open" && data[2]["doorName"] as? String == "Entrada")
        #expect(Set(bodies.compactMap { $0["id"] as? String }).count == 3, "each event its own id")
    }

    @Test func doorDecisionsUploadedByABranchArriveOnceEachAndAReplayQueuesNothing() throws {
        let peer = try WebhookPeer()
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin", branches: [fixture.own, fixture.other])
        let (token, _) = try fixture.enrolDevice(as: admin)
        let events = fixture.unknownCardEntries(3, seed: 7)
        #expect(try fixture.upload(Array(events.prefix(1)), token: token).status == 200)
        #expect(deliver(fixture) == (0, 0), "no endpoint yet: nothing queued")
        let made = try fixture.post(
            "/api/v1/webhooks", #"{"url": "\#(peer.url)", "kinds": ["attendance"]}"#, as: admin)
        try peer.expect(secret: try #require(try object(made)["secret"] as? String))
        #expect(try fixture.upload(events, token: token).status == 200)
        #expect(try fixture.upload(events, token: token).status == 200, "a replay")
        #expect(deliver(fixture).delivered == 2, "the two events new to the core")
        let got = try peer.received()
        #expect(got.count == 2 && got.allSatisfy { $0["valid"] as? Bool == true })
        let data = try got.map { received in
            let body = try JSONSerialization.jsonObject(with: Data((received["body"] as? String ?? "").utf8))
            return ((body as? [String: Any])?["data"] as? [String: Any]) ?? [:]
        }
        #expect(data.map { $0["event"] as? String } == events.dropFirst().map { $0.id.description })
        #expect(data.allSatisfy { $0["granted"] as? Bool == false && $0["reason"] as? String == "credential.unknown" })
    }
}
