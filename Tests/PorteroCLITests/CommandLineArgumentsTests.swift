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

@Suite struct HelpTextTests {
    static let info = ProgramInfo(
        name: "portero", summary: "s",
        options: [
            (
                "plans list | create --name --price 599.00 [--currency MXN] --months N|--days N [--branches 1,2]",
                "Plans."
            ),
            (
                "cards add USER NUMBER",
                "Cards of a member, lost or revoked, found by number, given at the desk, "
                    + String(repeating: "word ", count: 30)
            ),
        ],
        status: "Status: " + String(repeating: "long ", count: 40))

    @Test func everyLineFitsEightyColumns() {
        for line in Self.info.helpText.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        #expect(Self.info.helpText.contains("--branches 1,2]"))
    }

    @Test func aCommandsHelpShowsThatCommandOnly() throws {
        let plans = try #require(Self.info.helpText(forCommand: "plans"))
        #expect(plans.hasPrefix("Usage: portero plans"))
        #expect(plans.contains("Plans.") && !plans.contains("Cards"))
        #expect(Self.info.helpText(forCommand: "frobnicate") == nil)
    }
}
