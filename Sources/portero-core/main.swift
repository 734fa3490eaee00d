import Core
import PorteroCLI
import SQLite

let info = ProgramInfo(
    name: "portero-core",
    summary: "Portero BackOffice: the system of record at headquarters.",
    options: [
        ("audit verify --database FILE", "Walk the audit trail's hash chain and report the first edited, removed or inserted row."),
    ],
    status: """
    Status: the HTTP server, the audit trail and the domain are built; the API, authentication and
    web UI are not yet, so portero-core does not serve.
    """
)

runProgram(info, valued: ["--database"]) { arguments in
    guard arguments.positionals == ["audit", "verify"] else {
        printError("portero-core: the BackOffice server is not built yet in \(ProgramInfo.version); only 'audit verify' works (see --help)")
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
