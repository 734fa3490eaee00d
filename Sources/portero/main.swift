import PorteroCLI

let info = ProgramInfo(
    name: "portero",
    summary: "Portero administration command line.",
    options: [
        ("card decode wiegand BITS", "Decode a Wiegand frame (26, 34, 35, 37 bits, keypad bursts, raw) and print it as JSON."),
        ("card decode em4100 HEXBYTES", "Decode an EM4100 tag (10 hex digits, or 12 with the checksum) and print it as JSON."),
    ],
    status: """
    Status: the card decoder works; the administration commands need the BackOffice API and
    `portero demo` needs the daemon, the core and sync, none of which is built yet.
    """
)

runProgram(info) { arguments in
    let words = arguments.positionals
    if words.count >= 2, words[0] == "card", words[1] == "decode" {
        return try CardDecodeCommand.run(Array(words.dropFirst(2)))
    }
    let command = words.first.map { "'\($0)'" } ?? "a command"
    printError("portero: \(command) is not available in \(ProgramInfo.version); see --help for what this build does")
    return .unavailable
}
