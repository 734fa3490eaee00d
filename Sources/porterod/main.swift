import Daemon
import PorteroCLI
import PorteroModel
import Replica
import Service

let info = ProgramInfo(
    name: "porterod",
    summary: "Portero branch daemon: decides card and PIN requests against the branch replica.",
    options: [
        ("--config FILE", "Run the daemon with this configuration (default /etc/portero/porterod.json)."),
        (
            "--simulate",
            "Run with simulated GPIO and readers: relay changes are logged, cards are typed on standard input"
                + " as 'READER CARD'."
        ),
        ("--simulate-gpio", "Run with simulated GPIO only: real readers, relay changes logged."),
        (
            "--check-config [FILE]",
            "Validate the configuration (default /etc/portero/porterod.json) without touching hardware."
        ),
        (
            "--check-replica PATH",
            "Open the replica at PATH read-only, check its schema and integrity, print its counts."
        ),
        ("--branch ID", "With --check-replica: the branch the replica must belong to."),
        ("--time-zone NAME", "With --check-replica: the branch's IANA time zone (default UTC)."),
        (
            "enroll --code CODE [--core URL] [--config FILE]",
            "Trade a one-time enrolment code from the BackOffice for this device's token (kept 0600 at"
                + " core.token_file) and the PIN key (pin_key_file); the core is core.url unless --core names it."
                + " Over https://, or http:// to this machine: never plain http:// across a network."
        ),
    ],
    status: """
        Status: the daemon runs doors and readers against the replica, journals every decision, serves
        its status and metrics, and syncs with portero-core when the configuration names one (change
        feed down, attendance up) over HTTPS, verifying the core against the system's CAs or against
        core.ca_file, or over plain HTTP to this machine (to another only with core.allow_plain_http).
        """
)

runProgram(
    info, flags: ["--check-config", "--simulate", "--simulate-gpio"],
    valued: ["--config", "--check-replica", "--branch", "--time-zone", "--core", "--code"]
) { arguments in
    if arguments.positionals == ["enroll"] {
        return try Enrollment.run(
            configurationPath: arguments.value("--config") ?? DaemonConfiguration.defaultPath,
            core: arguments.value("--core"), code: arguments.value("--code"))
    }
    if arguments.has("--check-config") {
        let path = arguments.positionals.first ?? DaemonConfiguration.defaultPath
        do {
            let configuration = try DaemonConfiguration.load(path: path)
            print(
                "\(path): ok — branch \(configuration.branchID) (\(configuration.timeZone)), "
                    + "\(configuration.doors.count) door(s), \(configuration.readers.count) reader(s)"
            )
            return .success
        } catch let error as ConfigError {
            printError("porterod: \(error)")
            return .config
        }
    }
    guard let path = arguments.value("--check-replica") else {
        let simulate = arguments.has("--simulate")
        let options = BranchDaemon.Options(
            configurationPath: arguments.value("--config") ?? DaemonConfiguration.defaultPath,
            simulateGPIO: simulate || arguments.has("--simulate-gpio"), simulateReaders: simulate)
        let daemon: BranchDaemon
        do {
            daemon = try BranchDaemon(options: options)
        } catch let error as ConfigError {
            printError("porterod: \(error)")
            return .config
        }
        try daemon.run()
        return .success
    }
    guard let branchText = arguments.value("--branch"), let branch = Int64(branchText) else {
        throw CommandLineArguments.UsageError(message: "--check-replica needs --branch ID (a number)")
    }
    var options = ReplicaStore.defaultOptions
    options.readOnly = true
    let store = try ReplicaStore(
        path: path, branchID: BranchID(branch), timeZone: arguments.value("--time-zone") ?? "UTC", options: options)
    let problems = try store.integrityProblems()
    let stats = try store.statistics()
    print(
        """
        replica \(path)
          branch \(branch), schema version \(stats.schemaVersion), sync cursor \(stats.syncCursor)
          users \(stats.users), credentials \(stats.credentials), plans \(stats.plans), \
        subscriptions \(stats.subscriptions)
          attendance \(stats.attendance), outbox \(stats.outbox), chain card index \(stats.chainCards)
          integrity \(problems.isEmpty ? "ok" : problems.joined(separator: "; "))
        """)
    return problems.isEmpty ? .success : .dataError
}
