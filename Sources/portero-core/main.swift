import Core
import Foundation
import HTTP
import PorteroCLI
import PorteroModel
import SQLite
import Server

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
            "audit verify --database FILE",
            "Walk the audit trail's hash chain and report the first edited, removed or inserted row."
        ),
        (
            """
            serve --database FILE [--host ADDRESS] [--port N] [--secure-cookies] [--max-per-address N] \
            [--event-loops N] [--time-zone ZONE] [--no-io-uring]
            """,
            """
            Serve the API until SIGTERM, then finish requests in flight; one event loop per processor unless told; \
            ZONE (IANA, default UTC) is the core's \"today\" where no branch says; --no-io-uring reads each request \
            with its own read(2) and writes each answer with its own send(2) instead of a batch's reads, and its \
            answers, in one io_uring submission each.
            """
        ),
    ],
    status: """
        Status: serves the BackOffice JSON API (sessions, users and members, cards, PINs, agreements,
        plans, subscriptions, attendance, door commands, notifications, dashboard, devices) and branch
        sync (change feed, snapshots, attendance upload) with branch-scoped privileges and the audit
        trail, and the web UI for receptionists and administrators at /.
        """
)

runProgram(
    info, flags: ["--secure-cookies", "--no-io-uring"],
    valued: [
        "--database", "--username", "--email", "--host", "--port", "--max-per-address", "--event-loops", "--time-zone",
    ]
) { arguments in
    if arguments.positionals == ["serve"] {
        guard let path = arguments.value("--database") else {
            throw CommandLineArguments.UsageError(message: "serve needs --database FILE")
        }
        var configuration = HTTPServer.Configuration()
        configuration.host = arguments.value("--host") ?? "127.0.0.1"
        guard let port = UInt16(arguments.value("--port") ?? "8080") else {
            throw CommandLineArguments.UsageError(message: "--port needs a number from 0 to 65535")
        }
        configuration.port = port
        if let text = arguments.value("--max-per-address") {
            guard let limit = Int(text), limit > 0 else {
                throw CommandLineArguments.UsageError(message: "--max-per-address needs a positive number")
            }
            configuration.maximumConnectionsPerAddress = limit
        }
        if let text = arguments.value("--event-loops") {
            guard let loops = Int(text), (1...64).contains(loops) else {
                throw CommandLineArguments.UsageError(message: "--event-loops needs a number from 1 to 64")
            }
            configuration.eventLoops = loops
        }
        configuration.ioUring = !arguments.has("--no-io-uring")
        let zone = arguments.value("--time-zone") ?? "UTC"
        guard (try? ZoneRules(identifier: zone)) != nil else {
            throw CommandLineArguments.UsageError(message: "--time-zone needs an IANA name such as America/Mexico_City")
        }
        let api = try CoreAPI(path: path, secureCookies: arguments.has("--secure-cookies"), timeZone: zone)
        let server = try HTTPServer(configuration: configuration, router: api.router())
        // SIGTERM and SIGINT stop the server gracefully (requests in flight finish).
        for number in [SIGTERM, SIGINT] { signal(number, SIG_IGN) }
        let sources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                api.stopWaiting()
                server.stop()
            }
            source.resume()
            return source
        }
        // Device alarms (offline, stale replica) every 30 s, on a thread of their own.
        let maintenance = Thread {
            while !Thread.current.isCancelled {
                do { try api.maintain() } catch {
                    FileHandle.standardError.write(Data("portero-core: maintenance: \(error)\n".utf8))
                }
                Thread.sleep(forTimeInterval: 30)
            }
        }
        maintenance.name = "portero.maintenance"
        maintenance.start()
        print("portero-core serving http://\(configuration.host):\(server.port)/ (web UI) and /api/v1/")
        print("portero-core reads and writes sockets: \(server.socketIO)")
        fflush(nil)
        server.run()
        maintenance.cancel()
        sources.forEach { $0.cancel() }
        return .success
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
        let db = try Connection(path: path)
        let accounts = try SQLiteAccountStore(connection: db)
        let audit = try SQLiteAuditStore(connection: db)
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
                changes: #"{"username":"\#(username)","role":"superadministrador"}"#, at: now)
            print("created SuperAdministrador \(username) (user \(account.id)) in \(path)")
            return .success
        } catch let error as AccountError {
            printError("portero-core: \(error)")
            return .dataError
        }
    }
    guard arguments.positionals == ["audit", "verify"] else {
        printError("portero-core: name a command: serve, init or audit verify (see --help)")
        return .unavailable
    }
    guard let path = arguments.value("--database") else {
        throw CommandLineArguments.UsageError(message: "audit verify needs --database FILE")
    }
    var options = ConnectionOptions()
    options.readOnly = true
    let audit = try SQLiteAuditStore(connection: try Connection(path: path, options: options))
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
