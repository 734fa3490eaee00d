@testable import BackOffice
@testable import CoreStorage
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// Each user chooses which kinds of notification reach them in the web UI and which by email.
@Suite struct NotificationPreferenceTests {
    @Test func aManagerTakesDoorAlarmsByEmailAndMutesAnnouncements() throws {
        let fixture = try APIFixture()
        let root = try fixture.signIn(.superAdministrator, username: "root")
        let manager = try fixture.signIn(.branchManager, username: "gerente")
        let other = try fixture.signIn(.branchManager, username: "norte", branches: [fixture.other])
        let path = "/api/v1/me/notification-preferences"
        let defaults = try objects(try fixture.get(path, as: manager))
        #expect(
            defaults.count == 5 && defaults.allSatisfy { $0["inApp"] as? Bool == true && $0["email"] as? Bool == false }
        )
        let saved = try fixture.put(
            path,
            #"""
            {"preferences": [{"kind": "door", "inApp": true, "email": true},
                             {"kind": "announcement", "inApp": false, "email": false}]}
            """#, as: manager)
        #expect(saved.status == 200)
        #expect(
            try fixture.put(path, #"{"preferences": [{"kind": "weather", "inApp": true, "email": true}]}"#, as: manager)
                .status == 400)
        #expect(
            try fixture.put(path, #"{"preferences": [{"kind": "door", "inApp": false, "email": true}]}"#, as: other)
                .status == 200)
        // More choices than kinds is refused, as the schema says.
        let six = Array(repeating: #"{"kind": "door", "inApp": true, "email": true}"#, count: 6).joined(separator: ",")
        let tooMany = try fixture.put(path, #"{"preferences": [\#(six)]}"#, as: manager)
        #expect(tooMany.status == 400)

        // A door alarm for Centro's managers: the manager who asked gets it by email, the other branch's does not.
        try fixture.api.withDatabase { database in
            _ = try database.write {
                try database.operations.notify(
                    .role(.branchManager, branch: fixture.own), level: "urgent", title: "Puerta forzada",
                    body: "Entrada, 08:02", source: "door", by: nil, now: fixture.clock.now)
            }
        }
        let mail = try fixture.api.withDatabase { try $0.mail.recent(limit: 10, users: nil) }
        #expect(mail.map(\.recipient) == ["gerente@club.mx"])
        #expect(mail.first?.subject == "Puerta forzada" && mail.first?.body.contains("Entrada, 08:02") == true)
        #expect(mail.first?.kind == "notification:door")

        // An announcement to managers: muted in the web UI for the one who chose so, unread count too.
        let announced = try fixture.post(
            "/api/v1/notifications",
            #"{"audience": "role", "role": "gerente_sucursal", "level": "info", "title": "Junta el lunes"}"#,
            as: root)
        #expect(announced.status == 201)
        let seen = try objects(try fixture.get("/api/v1/notifications", as: manager)).compactMap {
            $0["title"] as? String
        }
        #expect(seen == ["Puerta forzada"], "\(seen)")
        let count = try object(try fixture.get("/api/v1/notifications/unread", as: manager))
        #expect(count["unread"] as? Int == 1)
        let web = html(try fixture.page("GET", "/settings", cookies: ["portero_session=\(manager.cookie)"]))
        #expect(web.contains("name=\"email-door\" aria-label=\"Por correo: Alarmas y órdenes de puertas\" checked"))
        let form = try fixture.page(
            "POST", "/settings/notifications",
            form: [("csrf", manager.csrf), ("app-announcement", "on"), ("app-door", "on"), ("app-device", "on")],
            cookies: ["portero_session=\(manager.cookie)"])
        #expect(form.status == 303)
        let after = try objects(try fixture.get(path, as: manager))
        #expect(after.first { $0["kind"] as? String == "door" }?["email"] as? Bool == false)
        #expect(after.first { $0["kind"] as? String == "desk" }?["inApp"] as? Bool == false)
        #expect(after.first { $0["kind"] as? String == "announcement" }?["inApp"] as? Bool == true)

        // A member is offered staff's messages and the rest, never door alarms or controllers; what
        // the page does not show keeps its choice when the form is sent.
        let member = try fixture.signIn(.client, username: "socia")
        let settings = html(try fixture.page("GET", "/settings", cookies: ["portero_session=\(member.cookie)"]))
        #expect(settings.contains("name=\"app-announcement\"") && !settings.contains("name=\"app-door\""))
        let sent = try fixture.page(
            "POST", "/settings/notifications", form: [("csrf", member.csrf), ("email-announcement", "on")],
            cookies: ["portero_session=\(member.cookie)"])
        #expect(sent.status == 303)
        let theirs = try objects(try fixture.get(path, as: member))
        #expect(theirs.first { $0["kind"] as? String == "announcement" }?["email"] as? Bool == true)
        #expect(theirs.first { $0["kind"] as? String == "door" }?["inApp"] as? Bool == true, "kept as it was")
    }
}
