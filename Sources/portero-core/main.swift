import PorteroCLI

let info = ProgramInfo(
    name: "portero-core",
    summary: "Portero BackOffice: the system of record at headquarters.",
    options: [],
    status: """
    Status: this build has the domain model, the access decision and the storage layers only.
    The HTTP API, authentication and web UI are not built yet, so portero-core has nothing to serve.
    """
)

runProgram(info) { _ in
    printError("portero-core: the BackOffice server is not built yet in \(ProgramInfo.version); nothing was started (see --help)")
    return .unavailable
}
