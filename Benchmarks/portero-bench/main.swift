import Foundation
import PorteroCLI
import SQLite

let info = ProgramInfo(
    name: "portero-bench",
    summary: "Portero benchmarks. Run in release mode: swift run -c release portero-bench decision --members 2000000",
    options: [
        ("decision", "Build a replica and measure look-up + decision, the durable write and peak RSS."),
        (
            "passes",
            "The decision replica with --phones members holding a phone pass: time the signature check, the "
                + "decision and the durable write of --requests scans of fresh codes."
        ),
        ("--phones N", "passes: members with a phone pass (default 10000)."),
        (
            "sync",
            """
            A core in this process and the daemon's sync client over loopback: snapshot of --members, change apply \
            rate, upload of --events, revocation propagation to --daemons.
            """
        ),
        ("--events N", "sync: buffered attendance events to upload (default 1000000)."),
        (
            "longpolls",
            """
            Idle long polls held by one core (clients in a child process): resident memory per connection, and \
            the time one change takes to answer them all (--connections, default 10000; --database FILE|URL).
            """
        ),
        ("--connections N", "longpolls: parked long polls (default 10000)."),
        (
            "fanout",
            """
            Revocation to --devices long-polling devices (default 3000) spread over --instances cores (default 2) \
            on one database (--database; PostgreSQL for more than one), --requests revocations (default 20): \
            p50/p99 from the request to each device's answer.
            """
        ),
        (
            "--database FILE|URL",
            "longpolls, sync, fanout: the core's database (default a new SQLite file; an empty postgres:// database)."
        ),
        ("--daemons N", "sync: long-polling daemons for the propagation figure (default 50)."),
        (
            "handler",
            """
            The core's cost of one request without sockets: decoder, router, SQLite, JSON, serialization \
            (--requests, default 100000).
            """
        ),
        ("--target PATH", "handler: time this path only (for profiling)."),
        ("dashboard", "Build a core database (--users, --attendance) and time each dashboard figure."),
        ("--users N", "dashboard: members (default 1000000)."),
        ("--attendance N", "dashboard: attendance rows (default 10000000)."),
        ("reports", "The dashboard's database (--users, --attendance) with --tickets shop tickets; time each report."),
        ("--tickets N", "reports: point-of-sale tickets of two lines (default 1000000)."),
        (
            "daemon",
            "Run porterod (built next to this binary) on a replica and time EM4100 frames on a pty to the relay."
        ),
        ("--swipes N", "daemon: frames to time (default 10000)."),
        ("--members N", "Members in the replica (default 2000000)."),
        ("--requests N", "Requests to time (default 100000)."),
        ("--unknown-share F", "Share of requests with unknown cards (default 0.1)."),
        ("--path FILE", "Replica file (default $TMPDIR/portero-bench-N.sqlite)."),
        ("--reads-only", "Time only the look-up + decision pass (for profiling); write nothing."),
        ("--occupancy", "The branch has occupancy limits: each entry also counts the people inside."),
        (
            "--synchronous MODE",
            "PRAGMA synchronous of the measured connection: FULL (default, durable) or NORMAL, for comparison."
        ),
        ("--gap-us N", "Sleep N microseconds before each request, as at a door where requests come apart (default 0)."),
        ("--warmup N", "Untimed look-ups before the timed ones (default 20000)."),
        ("--reuse", "Reuse an existing replica file instead of building it again."),
        ("--seed N", "Seed of the generated data (default 2024)."),
        ("--cache-mib N", "SQLite page cache of the measured connection, MiB (default: the replica's 8)."),
    ],
    status: "Figures go into docs/BENCHMARKS.md with the command that produced them."
)

runProgram(
    info, flags: ["--reuse", "--reads-only", "--occupancy"],
    valued: [
        "--target", "--events", "--daemons", "--users", "--attendance", "--swipes", "--warmup", "--gap-us",
        "--synchronous", "--cache-mib", "--members", "--requests", "--unknown-share", "--path", "--seed",
        "--connections", "--database", "--port", "--token", "--after", "--ports", "--devices", "--instances",
        "--tickets", "--phones",
    ]
) { arguments in
    if arguments.positionals == ["longpoll-clients"] {
        guard let port = UInt16(arguments.value("--port") ?? ""), let token = arguments.value("--token"),
            let after = Int64(arguments.value("--after") ?? ""), let count = Int(arguments.value("--connections") ?? "")
        else { throw CommandLineArguments.UsageError(message: "longpoll-clients is started by longpolls") }
        try LongPollClients.run(port: port, token: token, after: after, connections: count)
        return .success
    }
    if arguments.positionals == ["fanout-clients"] {
        let ports = (arguments.value("--ports") ?? "").split(separator: ",").compactMap { UInt16($0) }
        guard !ports.isEmpty, let file = arguments.value("--token") else {
            throw CommandLineArguments.UsageError(message: "fanout-clients is started by fanout")
        }
        let tokens = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        try FanoutClients.run(ports: ports, tokens: tokens)
        return .success
    }
    let benchmarks = [
        "decision", "passes", "daemon", "dashboard", "reports", "handler", "sync", "longpolls", "fanout",
    ]
    guard benchmarks.contains(arguments.positionals.first ?? ""), arguments.positionals.count == 1 else {
        throw CommandLineArguments.UsageError(
            message:
                "name a benchmark: decision, passes, daemon, dashboard, reports, handler, sync, longpolls or fanout")
    }
    func number(_ key: String, _ fallback: Int, allowZero: Bool = false) throws -> Int {
        guard let text = arguments.value(key) else { return fallback }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 || (allowZero && value == 0)
        else {
            throw CommandLineArguments.UsageError(message: "\(key) needs a positive whole number, got '\(text)'")
        }
        return value
    }
    let members = try number("--members", 2_000_000)
    let share = Double(arguments.value("--unknown-share") ?? "0.1") ?? -1
    guard (0...1).contains(share) else {
        throw CommandLineArguments.UsageError(message: "--unknown-share is a fraction from 0 to 1")
    }
    guard
        let synchronous = ConnectionOptions.Synchronous(
            rawValue: (arguments.value("--synchronous") ?? "FULL").uppercased())
    else {
        throw CommandLineArguments.UsageError(message: "--synchronous is FULL, NORMAL, EXTRA or OFF")
    }
    let temporary = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    if arguments.positionals == ["sync"] {
        try SyncBenchmark(
            members: try number("--members", 1_000_000), events: try number("--events", 1_000_000),
            daemons: try number("--daemons", 50),
            revocations: try number("--requests", 100),
            directory: arguments.value("--path") ?? "\(temporary)/portero-bench-sync",
            database: arguments.value("--database")
        ).run()
        return .success
    }
    if arguments.positionals == ["longpolls"] {
        let temporary = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let database = arguments.value("--database") ?? "\(temporary)/portero-bench-longpolls-\(getpid()).sqlite"
        defer { if !database.hasPrefix("postgres") { try? FileManager.default.removeItem(atPath: database) } }
        try LongPollBenchmark(connections: try number("--connections", 10_000), database: database).run()
        return .success
    }
    if arguments.positionals == ["fanout"] {
        let database = arguments.value("--database") ?? "\(temporary)/portero-bench-fanout-\(getpid()).sqlite"
        defer { if !database.hasPrefix("postgres") { try? FileManager.default.removeItem(atPath: database) } }
        try FanoutBenchmark(
            devices: try number("--devices", 3_000), instances: try number("--instances", 2),
            revocations: try number("--requests", 20), database: database
        ).run()
        return .success
    }
    if arguments.positionals == ["handler"] {
        var benchmark = HandlerBenchmark(
            requests: try number("--requests", 100_000),
            directory: arguments.value("--path") ?? "\(temporary)/portero-bench-handler")
        if let target = arguments.value("--target") { benchmark.targets = [target] }
        try benchmark.run()
        return .success
    }
    if arguments.positionals == ["dashboard"] {
        let users = try number("--users", 1_000_000)
        try DashboardBenchmark(
            users: users, attendance: try number("--attendance", 10_000_000),
            path: arguments.value("--path") ?? "\(temporary)/portero-bench-core-\(users).sqlite",
            reuse: arguments.has("--reuse")
        ).run()
        return .success
    }
    if arguments.positionals == ["reports"] {
        let users = try number("--users", 1_000_000)
        let dashboard = DashboardBenchmark(
            users: users, attendance: try number("--attendance", 10_000_000),
            path: arguments.value("--path") ?? "\(temporary)/portero-bench-reports-\(users).sqlite",
            reuse: arguments.has("--reuse"))
        try ReportBenchmark(dashboard: dashboard, tickets: try number("--tickets", 1_000_000)).run()
        return .success
    }
    if arguments.positionals == ["daemon"] {
        let members = try number("--members", 2_000_000)
        try DaemonBenchmark(
            members: members, swipes: try number("--swipes", 10_000),
            directory: arguments.value("--path") ?? "\(temporary)/portero-bench-daemon-\(members)",
            reuse: arguments.has("--reuse"), seed: UInt64(try number("--seed", 2024))
        ).run()
        return .success
    }
    var benchmark = DecisionBenchmark(
        members: members, requests: try number("--requests", 100_000), unknownShare: share,
        path: arguments.value("--path") ?? "\(temporary)/portero-bench-\(members).sqlite",
        reuse: arguments.has("--reuse"), seed: UInt64(try number("--seed", 2024)),
        cacheMiB: try number("--cache-mib", 8), readsOnly: arguments.has("--reads-only"), synchronous: synchronous,
        gapMicroseconds: UInt32(clamping: try number("--gap-us", 0, allowZero: true)),
        warmup: try number("--warmup", 20_000, allowZero: true))
    benchmark.occupancy = arguments.has("--occupancy")
    if arguments.positionals == ["passes"] {
        benchmark.requests = try number("--requests", 20_000)
        try PassBenchmark(decision: benchmark, phones: try number("--phones", 10_000)).run()
        return .success
    }
    try benchmark.run()
    return .success
}
