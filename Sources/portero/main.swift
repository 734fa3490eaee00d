import PorteroCLI

let info = ProgramInfo(
    name: "portero",
    summary: "Portero administration command line.",
    options: [],
    status: """
    Status: no administration commands exist yet in this build (they need the BackOffice API);
    `portero demo` arrives with the daemon, the core and sync.
    """
)

runProgram(info) { arguments in
    let command = arguments.positionals.first.map { "'\($0)'" } ?? "a command"
    printError("portero: \(command) is not available in \(ProgramInfo.version); see --help for what this build does")
    return .unavailable
}
