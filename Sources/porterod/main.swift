import PorteroCLI
import PorteroModel
import Replica

let info = ProgramInfo(
    name: "porterod",
    summary: "Portero branch daemon: decides card and PIN requests against the branch replica.",
    options: [
        ("--check-replica PATH", "Open the replica at PATH read-only, check its schema and integrity, print its counts."),
        ("--branch ID", "With --check-replica: the branch the replica must belong to."),
        ("--time-zone NAME", "With --check-replica: the branch's IANA time zone (default UTC)."),
    ],
    status: """
    Status: the replica, the access decision and the attendance journal are built; the service loop
    (readers, relays, systemd notify, sync) is not, so porterod does not run as a daemon yet.
    """
)

runProgram(info, valued: ["--check-replica", "--branch", "--time-zone"]) { arguments in
    guard let path = arguments.value("--check-replica") else {
        printError("porterod: the service loop is not built yet in \(ProgramInfo.version); only --check-replica works (see --help)")
        return .unavailable
    }
    guard let branchText = arguments.value("--branch"), let branch = Int64(branchText) else {
        throw CommandLineArguments.UsageError(message: "--check-replica needs --branch ID (a number)")
    }
    var options = ReplicaStore.defaultOptions
    options.readOnly = true
    let store = try ReplicaStore(path: path, branchID: BranchID(branch), timeZone: arguments.value("--time-zone") ?? "UTC", options: options)
    let problems = try store.integrityProblems()
    let stats = try store.statistics()
    print("""
        replica \(path)
          branch \(branch), schema version \(stats.schemaVersion), sync cursor \(stats.syncCursor)
          users \(stats.users), credentials \(stats.credentials), plans \(stats.plans), subscriptions \(stats.subscriptions)
          attendance \(stats.attendance), outbox \(stats.outbox)
          integrity \(problems.isEmpty ? "ok" : problems.joined(separator: "; "))
        """)
    return problems.isEmpty ? .success : .dataError
}
