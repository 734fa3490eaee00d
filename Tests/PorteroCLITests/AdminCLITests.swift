import Foundation
import Testing

/// `portero`'s BackOffice commands against a real portero-core on loopback.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct AdminCLITests {
    final class Core {
        let directory: URL
        let server: SyncChaosTests.CoreServer
        var port: UInt16 { server.port }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "portero-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            server = try SyncChaosTests.CoreServer(database: directory.appendingPathComponent("core.sqlite").path)
        }

        deinit {
            server.kill9()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Runs `portero` with the config directory inside this test's folder.
        func portero(_ arguments: [String], input: String = "") throws -> (status: Int32, out: String, err: String) {
            try Built.run(
                "portero", arguments, input: input,
                environment: [
                    "PORTERO_CONFIG_DIR": directory.appendingPathComponent("config").path, "PATH": "/usr/bin:/bin",
                ])
        }
    }

    @Test func loginImportListCardsAndLogout() throws {
        let core = try Core()
        let url = "http://127.0.0.1:\(core.port)"
        let wrong = try core.portero(["login", "--core", url, "--user", "root"], input: "nope\n")
        #expect(wrong.status != 0 && wrong.err.contains("wrong login or password"))
        let login = try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n")
        #expect(login.status == 0, "\(login.err)")
        let credentials = core.directory.appendingPathComponent("config/credentials.json").path
        let attributes = try FileManager.default.attributesOfItem(atPath: credentials)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let stored = try String(contentsOfFile: credentials, encoding: .utf8)
        #expect(stored.contains("pt_") && !stored.contains("Secreto123"))
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)

        let file = core.directory.appendingPathComponent("socios.csv")
        var csv = "username,email,name,paternalSurname,branch,card\n"
        for index in 1...1_200 {
            csv += "socio\(index),socio\(index)@correo.mx,Socio,Número \(index),Centro,\(700_000 + index)\n"
        }
        csv += "roto,roto@correo.mx,Roto,X,Centro,no-es-tarjeta\n"
        try Data(csv.utf8).write(to: file)
        let refused = try core.portero(["users", "import", file.path])
        #expect(refused.status == 65)
        #expect(refused.out.contains("nothing imported: 1 row(s) refused") && refused.out.contains("line 1202: card:"))
        #expect(refused.err.contains("checked 1201 of 1201 rows"))
        csv = csv.replacingOccurrences(of: "no-es-tarjeta", with: "800001")
        try Data(csv.utf8).write(to: file)
        let imported = try core.portero(["users", "import", file.path])
        #expect(imported.status == 0 && imported.out.contains("imported 1201 users"), "\(imported.out) \(imported.err)")
        let listed = try core.portero(["users", "list", "--q", "socio12", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]])
        #expect(rows.count == 12)  // socio12 and socio120 … socio129, plus socio1200
        let found = try core.portero(["cards", "find", "800001"])
        #expect(found.status == 0 && found.out.contains("800001") && found.out.contains("active"))
        let table = try core.portero(["users", "list", "--q", "roto"])
        #expect(table.out.hasPrefix("ID") && table.out.contains("roto@correo.mx"))

        #expect(try core.portero(["logout"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: credentials))
        let after = try core.portero(["users", "list"])
        #expect(after.status != 0 && after.err.contains("not signed in"))
    }

    @Test func outputSaysWhatItMeansNumbersYesNoDurationsAndLocalTimes() throws {
        let core = try Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero(["branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "Asia/Tokyo"])
                .status == 0)
        let branches = try core.portero(["branches", "list"])
        let centro = try #require(branches.out.split(separator: "\n").first { $0.contains("Centro") })
        #expect(centro.hasPrefix("1 "), "an id is a number: \(centro)")
        #expect(centro.hasSuffix("yes"), "a JSON true is yes")
        for (flag, count, words) in [
            ("--months", "1", "1 month"), ("--months", "3", "3 months"), ("--days", "10", "10 days"),
        ] {
            let made = try core.portero([
                "plans", "create", "--name", "P\(count)\(flag)", "--price", "100", flag, count,
            ])
            #expect(made.status == 0, "\(made.err)")
            #expect(made.out.contains(words), "\(made.out)")
        }
        let plans = try core.portero(["plans", "list"])
        #expect(plans.out.contains("1 month") && plans.out.contains("10 days") && !plans.out.contains("_0"))
        #expect(plans.out.contains(" all "), "a plan for every branch says all: \(plans.out)")
        // Whole numbers stay numbers: a count of 0 is 0, not "no".
        let count = try core.portero(["notifications", "count"])
        #expect(count.status == 0 && !count.out.contains("no") && count.out.contains("0"), "\(count.out)")
        // The device's creation time in the machine's zone, with the zone's name.
        let device = try core.portero(["devices", "add", "--branch", "1", "--name", "torno"])
        #expect(device.status == 0)
        #expect(
            device.out.range(
                of: #"valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z+\-0-9]+$"#, options: .regularExpression) != nil,
            "\(device.out)")
    }

    /// A day `days` from now as YYYY-MM-DD (UTC: a few days ahead is ahead in any branch's zone).
    static func day(_ days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    @Test func doorsAreAddedEditedOneSettingAtATimeListedAndRemoved() throws {
        let core = try Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)
        func door(_ arguments: [String]) throws -> [String: Any] {
            let run = try core.portero(arguments + ["--json"])
            #expect(run.status == 0, "\(arguments): \(run.err)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        }
        let added = try door([
            "doors", "add", "--branch", "1", "--name", "Entrada", "--direction", "in", "--schedule",
            "mon-fri 06:00-22:00", "--card-and-pin", "--reentry-delay", "300",
        ])
        #expect(
            added["id"] as? Int == 1 && added["cardAndPin"] as? Bool == true && added["kind"] as? String == "turnstile")
        // Only the setting given changes; the others stay as they were.
        let locked = try door(["doors", "edit", "--branch", "1", "--door", "1", "--mode", "lockdown"])
        #expect(locked["mode"] as? String == "lockdown" && locked["name"] as? String == "Entrada")
        #expect(locked["direction"] as? String == "in")
        #expect(locked["schedule"] as? String == "mon-fri 06:00-22:00", "kept as written")
        #expect(locked["cardAndPin"] as? Bool == true && locked["reentryDelaySeconds"] as? Int == 300)
        #expect(locked["presenceExpirySeconds"] as? Int == 43_200)
        let open = try door(["doors", "edit", "--branch", "1", "--door", "1", "--always-open", "--no-card-and-pin"])
        #expect(
            open["schedule"] == nil && open["cardAndPin"] as? Bool == false && open["mode"] as? String == "lockdown")
        #expect(open["reentryDelaySeconds"] as? Int == 300)
        let table = try core.portero(["doors", "defined", "--branch", "1"])
        #expect(table.status == 0 && table.out.hasPrefix("ID") && table.out.contains("SCHEDULE"), "\(table.out)")
        #expect(table.out.contains("Entrada") && table.out.contains("always open") && table.out.contains("lockdown"))

        let wrong = try core.portero(["doors", "edit", "--branch", "1", "--door", "1", "--schedule", "lun 06:00-22:00"])
        #expect(wrong.status != 0 && wrong.err.contains("schedule"), "\(wrong.err)")
        let nothing = try core.portero(["doors", "edit", "--branch", "1", "--door", "1"])
        #expect(nothing.status == 64 && nothing.err.contains("doors edit needs a setting to change"), "\(nothing.err)")
        let both = try core.portero([
            "doors", "edit", "--branch", "1", "--door", "1", "--card-and-pin", "--no-card-and-pin",
        ])
        #expect(both.status == 64)
        let missing = try core.portero(["doors", "edit", "--branch", "1", "--door", "9", "--mode", "normal"])
        #expect(missing.status != 0 && missing.err.contains("branch 1 has no door 9"), "\(missing.err)")

        let removed = try core.portero(["doors", "remove", "--branch", "1", "--door", "1"])
        #expect(removed.status == 0 && removed.out.contains("removed"))
        #expect(try core.portero(["doors", "defined", "--branch", "1"]).out.contains("(none)"))
        let help = try Built.run("portero", ["calendar", "--help"])
        #expect(help.status == 0 && help.out.hasPrefix("Usage: portero calendar"))
    }

    @Test func calendarDaysAreSetListedAndCleared() throws {
        let core = try Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)
        let (holiday, short) = (Self.day(10), Self.day(12))
        let closed = try core.portero([
            "calendar", "set", "--branch", "1", "--day", holiday, "--closed", "--note", "Navidad",
        ])
        #expect(closed.status == 0 && closed.out.contains("closed"), "\(closed.err)")
        let special = try core.portero([
            "calendar", "set", "--branch", "1", "--day", short, "--hours", "08:00-14:00", "--note", "Inventario",
        ])
        #expect(special.status == 0 && special.out.contains("special_hours"), "\(special.err)")
        let listed = try core.portero(["calendar", "--branch", "1"])
        #expect(listed.status == 0 && listed.out.hasPrefix("DAY"), "\(listed.out)")
        #expect(listed.out.contains(holiday) && listed.out.contains("08:00-14:00") && listed.out.contains("Navidad"))
        let one = try core.portero(["calendar", "list", "--branch", "1", "--from", short, "--to", short, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(one.out.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["note"] as? String == "Inventario")

        let cleared = try core.portero(["calendar", "clear", "--branch", "1", "--day", holiday])
        #expect(cleared.status == 0 && cleared.out.contains("cleared"))
        let after = try core.portero(["calendar", "--branch", "1"])
        #expect(!after.out.contains(holiday) && after.out.contains(short))
        let again = try core.portero(["calendar", "clear", "--branch", "1", "--day", holiday])
        #expect(again.status != 0 && again.err.contains("nothing is set on that day"), "\(again.err)")
        let neither = try core.portero(["calendar", "set", "--branch", "1", "--day", holiday, "--note", "X"])
        #expect(neither.status == 64 && neither.err.contains("either --closed or --hours"), "\(neither.err)")
        let unknown = try core.portero(["calendar", "move", "--branch", "1"])
        #expect(unknown.status == 64 && unknown.err.contains("calendar takes list"))
    }

    @Test func helpOfACommandAndUnknownCommands() throws {
        let help = try Built.run("portero", ["plans", "--help"])
        #expect(help.status == 0 && help.out.hasPrefix("Usage: portero plans"))
        #expect(!help.out.contains("subscriptions"))
        let whole = try Built.run("portero", ["--help"])
        for line in whole.out.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        let unknown = try Built.run("portero", ["frobnicate"])
        #expect(unknown.status == 64 && unknown.err.contains("unknown command 'frobnicate'"))
        let none = try Built.run("portero", [])
        #expect(none.status == 64 && none.err.contains("name a command"))
    }
}
