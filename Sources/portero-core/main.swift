import BackOffice
import CoreStorage
import DemoSeed
import WebUI
import Foundation
import HTTP
import PorteroCLI
import PorteroModel
import SQLite
import Service

let info = ProgramInfo(
    name: "portero-core",
    summary: "Portero BackOffice: the system of record at headquarters.",
    options: [
        (
            "init --database FILE --username NAME --email ADDRESS",
            """
            Create the database and the first SuperAdministrador; the password is read from standard input \
            (never a default).
            """
        ),
        (
            "migrate --from FILE --to URL",
            """
            Copy a core's SQLite database into a new, empty PostgreSQL database (postgres://...), in one \
            transaction from one snapshot of the file, then compare each table's count and verify the audit \
            trail on the target. Point the core's database at the URL afterwards.
            """
        ),
        (
            "audit verify --database FILE|URL",
            "Walk the audit trail's hash chain and report the first edited, removed or inserted row."
        ),
        (
            """
            serve [--config FILE] [--database FILE] [--host ADDRESS] [--port N] [--secure-cookies] \
            [--max-per-address N] [--event-loops N] [--time-zone ZONE] [--no-io-uring]
            """,
            """
            Serve the API and the web UI until SIGTERM, then finish requests in flight. Settings come from \
            FILE (default /etc/portero/portero-core.json when it exists and no --database is given), and the \
            options override them: one event loop per processor unless told; ZONE (IANA, default UTC) is the \
            core's "today" where no branch says; --no-io-uring reads each request with its own read(2) and \
            writes each answer with its own send(2) instead of one io_uring submission per batch.
            """
        ),
        (
            "--check-config [FILE]",
            "Validate the configuration (default /etc/portero/portero-core.json) without serving."
        ),
    ],
    status: """
        Status: serves the BackOffice JSON API (sessions, users and members, cards, PINs, agreements,
        plans, subscriptions, attendance, door commands, notifications, dashboard, devices) and branch
        sync (change feed, snapshots, attendance upload) with branch-scoped privileges and the audit
        trail, the web UI for receptionists and administrators at /, and Prometheus metrics at
        /metrics for the addresses metrics.allowed_addresses lists.
        """
)

runProgram(
    info, flags: ["--secure-cookies", "--no-io-uring", "--check-config"],
    valued: [
        "--config", "--database", "--username", "--email", "--host", "--port", "--max-per-address", "--event-loops",
        "--time-zone", "--from", "--to",
    ]
) { arguments in
    if arguments.has("--check-config") {
        let path = arguments.positionals.first ?? CoreConfiguration.defaultPath
        do {
            let configuration = try CoreConfiguration.load(path: path)
            print(
                "\(path): ok — database \(configuration.database), "
                    + "listening on \(configuration.host):\(configuration.port)")
            return .success
        } catch let error as ConfigError {
            printError("portero-core: \(error)")
            return .config
        }
    }
    if arguments.positionals == ["serve"] {
        let configuration: CoreConfiguration
        do {
            configuration = try Serve.configuration(arguments)
        } catch let error as ConfigError {
            printError("portero-core: \(error)")
            return .config
        }
        return try Serve.run(configuration)
    }
    if arguments.positionals == ["init"] {
        guard let path = arguments.value("--database"), let username = arguments.value("--username"),
            let email = arguments.value("--email")
        else {
            throw CommandLineArguments.UsageError(message: "init needs --database FILE --username NAME --email ADDRESS")
        }
        // The password comes from standard input (its first line), so it never shows in ps or a shell history.
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            printError(
                "portero-core: init reads the first SuperAdministrador's password from standard input; none was given")
            return .usage
        }
        let location = CoreDatabaseLocation(path)
        try location.migrate()
        let db = try location.connect()
        let accounts = try SQLAccountStore(connection: db)
        let audit = try SQLAuditStore(connection: db)
        guard try accounts.accountCount() == 0 else {
            printError("portero-core: \(path) already has users; init only creates the first one")
            return .dataError
        }
        let now = Timestamp.now()
        do {
            let account = try accounts.createAccount(
                username: username, email: email, password: password, name: username, paternalSurname: "",
                roles: RoleSet([.superAdministrator]), branches: [], now: now)
            _ = try audit.append(
                actor: "system", action: "core.init", target: "user:\(account.id)",
                changes: AuditChanges.json(["username": username, "role": "superadministrador"]), at: now)
            print("created SuperAdministrador \(username) (user \(account.id)) in \(path)")
            return .success
        } catch let error as AccountError {
            printError("portero-core: \(error)")
            return .dataError
        }
    }
    if arguments.positionals == ["migrate"] {
        guard let from = arguments.value("--from"), let to = arguments.value("--to") else {
            throw CommandLineArguments.UsageError(message: "migrate needs --from FILE and --to postgres://URL")
        }
        guard case .postgres = CoreDatabaseLocation(to) else {
            throw CommandLineArguments.UsageError(message: "--to must be a postgres:// or postgresql:// URL")
        }
        do {
            let report = try CoreMigration.copy(from: from, to: to) { table, rows in
                print("copied \(table): \(rows) row(s)")
            }
            print("\(report.rows.values.reduce(0, +)) rows in \(report.rows.count) tables; counts match")
            guard case .intact = report.audit else {
                printError("portero-core: the audit trail on the target: \(report.audit)")
                return .dataError
            }
            print("audit trail on the target: \(report.audit)")
            return .success
        } catch let refusal as CoreMigration.Refusal {
            printError("portero-core: \(refusal)")
            return .dataError
        } catch let error as any SQLDatabaseError {
            printError("portero-core: \(error)")
            return .config
        }
    }
    guard arguments.positionals == ["audit", "verify"] else {
        printError("portero-core: name a command: serve, init, migrate or audit verify (see --help)")
        return .unavailable
    }
    guard let path = arguments.value("--database") else {
        throw CommandLineArguments.UsageError(message: "audit verify needs --database FILE (or a postgres:// URL)")
    }
    let audit: SQLAuditStore
    switch CoreDatabaseLocation(path) {
    case .sqlite:
        var options = ConnectionOptions()
        options.readOnly = true
        audit = try SQLAuditStore(readOnly: try Connection(path: path, options: options), path: path)
    case .postgres:
        audit = try SQLAuditStore(connection: try CoreDatabaseLocation(path).connect())
    }
    let result = try audit.verify()
    switch result {
    case .intact:
        print(result)
        return .success
    case .broken:
        printError("portero-core: \(path): \(result)")
        return .dataError
    }
}
