import PorteroCLI
import Testing

@Suite struct CommandLineArgumentsTests {
    @Test func parsesFlagsOptionsAndPositionals() throws {
        let arguments = try CommandLineArguments(
            ["--check-replica", "/x.sqlite", "--branch=3", "-v", "rest", "--", "--not-a-flag"],
            flags: ["-v"], valued: ["--check-replica", "--branch"])
        #expect(arguments.value("--check-replica") == "/x.sqlite")
        #expect(arguments.value("--branch") == "3")
        #expect(arguments.has("-v"))
        #expect(arguments.positionals == ["rest", "--not-a-flag"])
    }

    @Test func unknownOptionIsAUsageError() {
        #expect(throws: CommandLineArguments.UsageError(message: "unknown option --frobnicate")) {
            try CommandLineArguments(["--frobnicate"], flags: [], valued: [])
        }
        #expect(throws: CommandLineArguments.UsageError(message: "unknown option --help")) {
            try CommandLineArguments(["--help=yes"], flags: ["--help"], valued: [])
        }
    }

    @Test func optionWithoutValueIsAUsageError() {
        #expect(throws: CommandLineArguments.UsageError(message: "--branch needs a value")) {
            try CommandLineArguments(["--branch"], flags: [], valued: ["--branch"])
        }
    }

    @Test func helpListsEveryOptionAndTheStatus() {
        let info = ProgramInfo(
            name: "porterod", summary: "s", options: [("--check-replica PATH", "Check.")], status: "Status: partial.")
        #expect(info.helpText.contains("--check-replica PATH  Check."))
        #expect(info.helpText.contains("--version"))
        #expect(info.helpText.hasSuffix("Status: partial."))
        #expect(info.versionLine == "porterod \(ProgramInfo.version) (Portero)")
    }
}
