import CoreClient
import Foundation
import PorteroCLI

/// The `portero` commands that talk to the core's API with the token `portero login` stored.
struct AdminCommands {
    let arguments: CommandLineArguments
    let words: [String]

    static let flags = Set([
        "--json", "--all", "--unread", "--urgent", "--dry-run", "--follow-up", "--granted", "--denied", "--clear",
    ]).union(doorSetupFlags).union(photoFlags).union(paymentFlags).union(catalogueEditFlags).union(posFlags).union(
        promotionFlags
    ).union(
        invoiceFlags
    ).union(dayPassFlags)
    static let valued = Set([
        "--core", "--user", "--totp", "--q", "--branch", "--limit", "--offset", "--email", "--name", "--surname",
        "--role",
        "--plan", "--price", "--currency", "--months", "--days", "--branches", "--windows", "--visits-total", "--start",
        "--from", "--to",
        "--reason", "--door", "--status", "--interval", "--promotion", "--reference", "--city", "--time-zone",
        "--minutes",
    ]).union(doorSetupValued).union(paymentValued).union(posValued).union(promotionValued).union(invoiceValued)
        .union(webhookValued).union(supportValued).union(configurationValued).union(reportValued)
        .union(photoValued).union(occupancyValued).union(phoneValued).union(dayPassValued)

    var json: Bool { arguments.has("--json") }

    func client() throws -> CoreClient {
        let credentials = try Credentials.load()
        guard let url = URL(string: arguments.value("--core") ?? credentials.core) else {
            throw AdminError("\(credentials.core) is not a URL")
        }
        return CoreClient(baseURL: url, token: credentials.token)
    }

    func value(_ key: String) throws -> String {
        guard let value = arguments.value(key) else {
            throw CommandLineArguments.UsageError(message: "\(words.prefix(2).joined(separator: " ")) needs \(key)")
        }
        return value
    }

    func number(_ text: String, _ what: String) throws -> Int64 {
        guard let number = Int64(text), number > 0 else {
            throw CommandLineArguments.UsageError(message: "\(what) must be a positive number, not '\(text)'")
        }
        return number
    }

    func positional(_ index: Int, _ what: String) throws -> String {
        guard words.count > index else {
            throw CommandLineArguments.UsageError(message: "\(words.prefix(2).joined(separator: " ")) needs \(what)")
        }
        return words[index]
    }

    func query(_ pairs: [(String, String)]) -> [(String, String)] {
        var query = pairs
        for (flag, name) in [("--branch", "branch"), ("--limit", "limit"), ("--offset", "offset")] {
            if let value = arguments.value(flag) { query.append((name, value)) }
        }
        return query
    }

    // MARK: Commands

    func run() throws -> ExitCode {
        switch (words.first ?? "", words.count > 1 ? words[1] : "") {
        case ("login", _): return try login()
        case ("logout", _): return try logout()
        case ("users", _): return try users()
        case ("branches", "occupancy"): return try branchOccupancy()
        case ("branches", _): return try branches()
        case ("cards", _): return try cards()
        case ("plans", _): return try plans()
        case ("subscriptions", _): return try subscriptions()
        case ("devices", _): return try devices()
        case ("attendance", _): return try attendance()
        case ("notifications", _): return try notifications()
        case ("doors", _): return try doors()
        case ("calendar", _): return try calendar()
        case ("pos", _): return try pos()
        case ("cash", _): return try cash()
        case ("settings", _): return try settings()
        case ("payments", _): return try payments()
        case ("promotions", _): return try promotions()
        case ("invoices", _): return try invoices()
        case ("webhooks", _): return try webhooks()
        case ("support", _): return try support()
        case ("oidc", _): return try oidc()
        case ("reports", "occupancy"): return try reportOccupancy()
        case ("reports", _): return try reports()
        default:
            throw CommandLineArguments.UsageError(message: "unknown command '\(words.joined(separator: " "))'")
        }
    }

    func login() throws -> ExitCode {
        let core = try value("--core")
        let username = try value("--user")
        guard let url = URL(string: core), url.scheme == "http" || url.scheme == "https" else {
            throw AdminError("--core needs an http:// or https:// URL")
        }
        guard let password = readSecret(prompt: "Password for \(username): "), !password.isEmpty else {
            throw AdminError("no password given")
        }
        let anonymous = CoreClient(baseURL: url, token: nil)
        var body: [String: Any] = ["login": username, "password": password]
        if let code = arguments.value("--totp") { body["totp"] = code }
        let signedIn = try anonymous.send("POST", "api/v1/session", json: body)
        guard let cookie = signedIn.header("Set-Cookie")?.split(separator: ";").first.map(String.init),
            let csrf = (try signedIn.json() as? [String: Any])?["csrfToken"] as? String
        else { throw AdminError("the core did not open a session") }
        let host = ProcessInfo.processInfo.hostName
        let headers = ["Cookie": cookie, "X-CSRF-Token": csrf]
        let created = try anonymous.send(
            "POST", "api/v1/tokens", json: ["name": "portero CLI on \(host)"], headers: headers)
        guard let answer = try created.json() as? [String: Any], let token = answer["token"] as? String,
            let id = answer["id"] as? Int64
        else {
            throw AdminError("the core did not create a token")
        }
        _ = try? anonymous.send("DELETE", "api/v1/session", headers: headers)
        try Credentials(core: core, token: token, tokenID: id, username: username).save()
        print("signed in to \(core) as \(username); token kept in \(Credentials.path) (mode 0600)")
        return .success
    }

    func logout() throws -> ExitCode {
        let credentials = try Credentials.load()
        if let url = URL(string: credentials.core) {
            do {
                try CoreClient(baseURL: url, token: credentials.token).send(
                    "DELETE", "api/v1/tokens/\(credentials.tokenID)")
            } catch {
                printError("portero: the token could not be revoked at the core (\(error)); removing it here anyway")
            }
        }
        Credentials.remove()
        print("signed out")
        return .success
    }

    static let userColumns = [
        ("id", "ID"), ("clave", "CLAVE"), ("username", "USERNAME"), ("name", "NAME"), ("paternalSurname", "SURNAME"),
        ("email", "EMAIL"), ("roles", "ROLES"), ("active", "ACTIVE"), ("followUp", "FOLLOW-UP"),
    ]

    func users() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            var pairs: [(String, String)] = []
            if let text = arguments.value("--q") { pairs.append(("q", text)) }
            if arguments.has("--follow-up") { pairs.append(("followUp", "true")) }
            list(try client.send("GET", "api/v1/users", query: query(pairs)).json(), Self.userColumns)
        case "show":
            show(
                try client.send("GET", "api/v1/users/\(try number(try positional(2, "a user id"), "the user id"))")
                    .json())
        case "create":
            var body: [String: Any] = [
                "username": try value("--user"), "email": try value("--email"), "name": try value("--name"),
                "paternalSurname": try value("--surname"), "roles": [arguments.value("--role") ?? "cliente"],
                "branches": [try number(try value("--branch"), "--branch")],
            ]
            if arguments.value("--role") != nil && arguments.value("--role") != "cliente" {
                guard let password = readSecret(prompt: "Password for the new user: "), !password.isEmpty else {
                    throw AdminError("staff need a password")
                }
                body["password"] = password
            }
            show(try client.send("POST", "api/v1/users", json: body).json())
        case "activate", "deactivate":
            let id = try number(try positional(2, "a user id"), "the user id")
            show(try client.send("PATCH", "api/v1/users/\(id)", json: ["active": words[1] == "activate"]).json())
        case "pin", "duress-pin":
            // The digits are read from the terminal (or standard input), never from the command line.
            let id = try number(try positional(2, "a user id"), "the user id")
            if arguments.has("--clear") {
                try client.send("DELETE", "api/v1/users/\(id)/\(words[1])")
                print("cleared")
            } else {
                let what = words[1] == "pin" ? "PIN" : "duress PIN"
                guard let digits = readSecret(prompt: "\(what) for user \(id) (4 to 12 digits): "), !digits.isEmpty
                else { throw AdminError("no \(what) given") }
                try client.send("PUT", "api/v1/users/\(id)/\(words[1])", json: ["pin": digits])
                print("set")
            }
        case "photo": return try userPhoto(client)
        case "phones": return try userPhones(client)
        case "import":
            return try UserImport(
                client: client, path: try positional(2, "a CSV file"), dryRun: arguments.has("--dry-run"), json: json
            ).run()
        default:
            throw CommandLineArguments.UsageError(
                message:
                    "users takes list, show ID, create, activate ID, deactivate ID, pin ID [--clear], "
                    + "duress-pin ID [--clear], photo ID, phones ID [--revoke PHONE] or import FILE.csv")
        }
        return .success
    }

    func branches() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            list(
                try client.send("GET", "api/v1/branches").json(),
                [("id", "ID"), ("name", "NAME"), ("city", "CITY"), ("timeZone", "TIME ZONE"), ("active", "ACTIVE")])
        case "create":
            show(
                try client.send(
                    "POST", "api/v1/branches",
                    json: [
                        "name": try value("--name"), "city": try value("--city"), "timeZone": try value("--time-zone"),
                    ]
                ).json())
        default:
            throw CommandLineArguments.UsageError(
                message: "branches takes list or create --name NAME --city CITY --time-zone ZONE")
        }
        return .success
    }

    func cards() throws -> ExitCode {
        let client = try client()
        let columns = [
            ("id", "ID"), ("userID", "USER"), ("number", "NUMBER"), ("printed", "PRINTED"), ("status", "STATUS"),
        ]
        switch words.count > 1 ? words[1] : "" {
        case "add":
            let user = try number(try positional(2, "a user id"), "the user id")
            show(
                try client.send(
                    "POST", "api/v1/users/\(user)/cards", json: ["number": try positional(3, "a card number")]
                ).json())
        case "list":
            list(
                try client.send(
                    "GET", "api/v1/users/\(try number(try positional(2, "a user id"), "the user id"))/cards"
                ).json(), columns)
        case "find":
            list(
                try client.send("GET", "api/v1/cards", query: [("number", try positional(2, "a card number"))]).json(),
                columns)
        case "status":
            let id = try number(try positional(2, "a card id"), "the card id")
            show(
                try client.send(
                    "PATCH", "api/v1/cards/\(id)", json: ["status": try positional(3, "active, lost or revoked")]
                ).json())
        default:
            throw CommandLineArguments.UsageError(
                message: "cards takes add USER NUMBER, list USER, find NUMBER or status CARD active|lost|revoked")
        }
        return .success
    }

    func plans() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            // A plan that names no branch covers every branch.
            let plans = ((try client.send("GET", "api/v1/plans").json()) as? [[String: Any]] ?? []).map { plan in
                var plan = plan
                if (plan["branches"] as? [Any])?.isEmpty == true { plan["branches"] = "all" }
                return plan
            }
            list(
                plans,
                [
                    ("id", "ID"), ("name", "NAME"), ("price", "PRICE"), ("duration", "DURATION"),
                    ("branches", "BRANCHES"), ("windows", "WINDOWS"), ("active", "ACTIVE"),
                ])
        case "create":
            var body: [String: Any] = [
                "name": try value("--name"), "priceMinor": try minorUnits(try value("--price"), "--price"),
                "currency": arguments.value("--currency") ?? "MXN",
            ]
            if let months = arguments.value("--months") { body["durationMonths"] = Int(try number(months, "--months")) }
            if let days = arguments.value("--days") { body["durationDays"] = Int(try number(days, "--days")) }
            if let branches = arguments.value("--branches") {
                body["branches"] = try branches.split(separator: ",").map { try number(String($0), "--branches") }
            }
            if let windows = arguments.value("--windows") { body["windows"] = windows }
            if let total = arguments.value("--visits-total") {
                body["visitsTotal"] = Int(try number(total, "--visits-total"))
            }
            show(try client.send("POST", "api/v1/plans", json: body).json())
        default:
            throw CommandLineArguments.UsageError(
                message:
                    "plans takes list or create --name --price [--currency] --months N|--days N [--branches 1,2] "
                    + "[--windows TEXT] [--visits-total N]"
            )
        }
        return .success
    }

    func devices() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            list(
                try client.send("GET", "api/v1/devices", query: query([])).json(),
                [
                    ("id", "ID"), ("branch", "BRANCH"), ("name", "NAME"), ("enrolledAt", "ENROLLED"),
                    ("lastSeen", "LAST SEEN"), ("softwareVersion", "VERSION"), ("replicaAgeSeconds", "REPLICA AGE"),
                    ("outboxDepth", "OUTBOX"), ("revokedAt", "REVOKED"),
                ])
        case "add":
            let answer = try client.send(
                "POST", "api/v1/devices",
                json: ["branch": try number(try value("--branch"), "--branch"), "name": try value("--name")]
            ).json()
            if json {
                printJSON(answer)
            } else if let object = answer as? [String: Any] {
                let device = Self.readable(object["device"] ?? [:]) as? [String: Any]
                print(
                    "device \(Self.text(device?["id"])) registered; enrolment code "
                        + "(shown once): \(Self.text(object["enrollmentCode"])), "
                        + "valid until \(Self.text(device?["enrollmentExpiresAt"]))"
                )
            }
        case "code":
            show(
                try client.send(
                    "POST", "api/v1/devices/\(try number(try positional(2, "a device id"), "the device id"))/code"
                ).json())
        case "revoke":
            try client.send("DELETE", "api/v1/devices/\(try number(try positional(2, "a device id"), "the device id"))")
            print("revoked")
        default:
            throw CommandLineArguments.UsageError(
                message: "devices takes list, add --branch ID --name NAME, code ID or revoke ID")
        }
        return .success
    }

    func notifications() throws -> ExitCode {
        let client = try client()
        switch words.count > 1 ? words[1] : "list" {
        case "list":
            let filter = arguments.has("--unread") ? "unread" : (arguments.has("--urgent") ? "urgent" : "all")
            list(
                try client.send("GET", "api/v1/notifications", query: [("filter", filter)]).json(),
                [("id", "ID"), ("level", "LEVEL"), ("title", "TITLE"), ("audience", "AUDIENCE"), ("read", "READ")])
        case "count":
            show(try client.send("GET", "api/v1/notifications/unread").json())
        case "read":
            if arguments.has("--all") {
                show(try client.send("POST", "api/v1/notifications/read").json())
            } else {
                let notification = try number(try positional(2, "a notification id or --all"), "the notification id")
                show(try client.send("POST", "api/v1/notifications/\(notification)/read").json())
            }
        case "preferences":
            try notificationPreferences(client)
        default:
            throw CommandLineArguments.UsageError(
                message:
                    "notifications takes list [--unread|--urgent], count, read ID, read --all or "
                    + "preferences [KIND --in-app on|off --email on|off]")
        }
        return .success
    }
}
