import PorteroModel

/// `--simulate`'s standard input: each line `READER CARD` (`entrada 12345670`) or
/// `READER keys DIGITS` (`entrada keys 1234#`) stands for that reader's input. Pure: bytes in,
/// commands out, so a test feeds it without a terminal.
struct SimulatorInput {
    enum Command: Equatable {
        case card(reader: String, CardNumber)
        case keys(reader: String, [Character])
    }

    /// A line that is not a command, with what was expected.
    struct Refusal: Error, Equatable, CustomStringConvertible {
        let line: String
        let problem: String
        var description: String { "\(problem), got '\(line)'" }
    }

    private var buffer: [UInt8] = []
    /// A line longer than this without a newline is dropped, so input without newlines cannot
    /// grow the buffer without bound.
    static let longestLine = 4_096

    /// Takes bytes; returns what each complete line says, in order (empty lines are skipped).
    mutating func append(_ bytes: some Sequence<UInt8>) -> [Result<Command, Refusal>] {
        buffer += bytes
        var results: [Result<Command, Refusal>] = []
        while let newline = buffer.firstIndex(of: 10) {
            let line = String(decoding: buffer[..<newline], as: UTF8.self)
            buffer.removeSubrange(...newline)
            if let result = Self.parse(line) { results.append(result) }
        }
        if buffer.count > Self.longestLine {
            results.append(.failure(Refusal(line: "\(buffer.count) bytes", problem: "a line too long")))
            buffer.removeAll()
        }
        return results
    }

    /// One line's command; nil for a blank line.
    static func parse(_ line: String) -> Result<Command, Refusal>? {
        let words = line.split(separator: " ").map(String.init)
        guard !words.isEmpty else { return nil }
        guard words.count >= 2 else {
            return .failure(Refusal(line: line, problem: "expected 'READER CARD' or 'READER keys DIGITS'"))
        }
        if words[1] == "keys" {
            guard words.count == 3, words[2].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "#" || $0 == "*") })
            else {
                return .failure(Refusal(line: line, problem: "expected 'READER keys DIGITS' (digits, # and *)"))
            }
            return .success(.keys(reader: words[0], Array(words[2])))
        }
        guard words.count == 2, let number = try? CardNumber(parsing: words[1]) else {
            return .failure(Refusal(line: line, problem: "'\(words[1])' is not a card number"))
        }
        return .success(.card(reader: words[0], number))
    }
}
