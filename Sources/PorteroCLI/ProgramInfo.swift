/// Name, version and help text of one Portero program; shared by the three executables.
public struct ProgramInfo: Sendable {
    /// The release of this source tree. Bumped by hand at each release; the git tag matches it.
    public static let version = "0.1.0"

    public let name: String
    public let summary: String
    /// Options this program really implements, each with its one-line description.
    public let options: [(flag: String, help: String)]
    /// Sentences on what the program does not do yet, so `--help` never promises what is missing.
    public let status: String

    public init(name: String, summary: String, options: [(flag: String, help: String)], status: String) {
        self.name = name
        self.summary = summary
        self.options = options
        self.status = status
    }

    public var versionLine: String { "\(name) \(Self.version) (Portero)" }

    /// The whole help: every option, then the status, wrapped at `width` columns.
    public var helpText: String { helpText(width: 80) }

    public func helpText(width: Int) -> String {
        let all = options + [("--help, -h", "Show this help and exit."), ("--version", "Print the version and exit.")]
        var lines = ["\(name) — \(summary)", "", "Usage: \(name) [options]", "", "Options:"]
        for option in all { lines += Self.describe(option, width: width) }
        lines += [""] + Self.wrap(status.split(separator: "\n").joined(separator: " "), width: width, indent: "")
        return lines.joined(separator: "\n")
    }

    /// The help of one command (`portero plans --help`): the options whose first word is
    /// `command`, or nil when none is.
    public func helpText(forCommand command: String, width: Int = 80) -> String? {
        let matching = options.filter { $0.flag.split(separator: " ").first.map(String.init) == command }
        guard !matching.isEmpty else { return nil }
        var lines = ["Usage: \(name) \(command) …", ""]
        for option in matching { lines += Self.describe(option, width: width) }
        return lines.joined(separator: "\n")
    }

    /// An option as help shows it: its usage on lines of its own, its description indented below
    /// (or beside it, when both fit on one line).
    static func describe(_ option: (flag: String, help: String), width: Int) -> [String] {
        let oneLine = "  " + option.flag + "  " + option.help
        if oneLine.count <= width { return [oneLine] }
        return wrap(option.flag, width: width, indent: "  ", continuation: "      ")
            + wrap(option.help, width: width, indent: "      ")
    }

    /// `text` in lines of at most `width` columns, broken between words (a word longer than a
    /// line has a line of its own).
    static func wrap(_ text: String, width: Int, indent: String, continuation: String? = nil) -> [String] {
        var lines: [String] = []
        var line = indent
        var fresh = true
        for word in text.split(separator: " ") {
            if !fresh && line.count + 1 + word.count > width {
                lines.append(line)
                line = continuation ?? indent
                fresh = true
            }
            line += (fresh ? "" : " ") + word
            fresh = false
        }
        if !fresh { lines.append(line) }
        return lines
    }
}

/// A parsed command line: flags and `--key value` options, in the order given.
public struct CommandLineArguments: Equatable, Sendable {
    public enum Item: Equatable, Sendable {
        case flag(String)
        case option(String, String)
        case positional(String)
    }

    public let items: [Item]

    /// An argument the program does not accept.
    public struct UsageError: Error, Equatable, CustomStringConvertible, Sendable {
        public let message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }

    /// Parses `arguments` (without the program name). `valued` lists options that take a value;
    /// `--key=value` and `--key value` are both accepted for them.
    public init(_ arguments: [String], flags: Set<String>, valued: Set<String>) throws {
        var items: [Item] = []
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                items.append(.positional(argument))
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if let equals = argument.firstIndex(of: "=") {
                let key = String(argument[..<equals])
                guard valued.contains(key) else { throw UsageError(message: "unknown option \(key)") }
                items.append(.option(key, String(argument[argument.index(after: equals)...])))
            } else if valued.contains(argument) {
                guard index < arguments.count else { throw UsageError(message: "\(argument) needs a value") }
                items.append(.option(argument, arguments[index]))
                index += 1
            } else if flags.contains(argument) {
                items.append(.flag(argument))
            } else {
                throw UsageError(message: "unknown option \(argument)")
            }
        }
        self.items = items
    }

    public func has(_ flag: String) -> Bool { items.contains(.flag(flag)) }

    /// The last value given for `key`.
    public func value(_ key: String) -> String? {
        for item in items.reversed() {
            if case let .option(k, v) = item, k == key { return v }
        }
        return nil
    }

    public var positionals: [String] {
        items.compactMap { if case let .positional(p) = $0 { p } else { nil } }
    }
}
