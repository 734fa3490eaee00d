#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses from sysexits.h, so scripts and systemd can tell a usage error from a failure.
public enum ExitCode: Int32, Sendable {
    case success = 0
    case failure = 1
    /// EX_USAGE: the command line was wrong.
    case usage = 64
    /// EX_DATAERR: the input data (a config, a database file) was wrong.
    case dataError = 65
    /// EX_UNAVAILABLE: the requested function is not available in this build.
    case unavailable = 69
    /// EX_SOFTWARE: an internal error.
    case software = 70
    /// EX_CONFIG: a configuration error.
    case config = 78
}

/// Writes `text` and a newline to standard error.
public func printError(_ text: String) {
    var line = text
    line.append("\n")
    var remaining = Array(line.utf8)[...]
    // write(2) to descriptor 2 directly: no shared FILE* buffer, and partial writes are resumed.
    while !remaining.isEmpty {
        let written = remaining.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        remaining = remaining.dropFirst(written)
    }
}

/// Runs a thin program: answers --help and --version, hands the rest to `body`, exits with its code.
public func runProgram(
    _ info: ProgramInfo, flags: Set<String> = [], valued: Set<String> = [],
    body: (CommandLineArguments) throws -> ExitCode
) -> Never {
    let raw = Array(CommandLine.arguments.dropFirst())
    let code: ExitCode
    do {
        let arguments = try CommandLineArguments(
            raw, flags: flags.union(["--help", "-h", "--version"]), valued: valued)
        if arguments.has("--help") || arguments.has("-h") {
            // `portero plans --help`: that command's help; otherwise the whole help.
            let command = arguments.positionals.first.flatMap { info.helpText(forCommand: $0) }
            print(command ?? info.helpText)
            code = .success
        } else if arguments.has("--version") {
            print(info.versionLine)
            code = .success
        } else {
            code = try body(arguments)
        }
    } catch let error as CommandLineArguments.UsageError {
        printError("\(info.name): \(error.message) (see \(info.name) --help)")
        code = .usage
    } catch {
        printError("\(info.name): \(error)")
        code = .failure
    }
    exit(code.rawValue)
}
