import Foundation
import Service
import Testing

@Suite struct LogTests {
    /// Lines written through a pipe, as a child's standard error would be.
    static func lines(style: Log.Style?, environment: [String: String] = [:], _ body: (Log) -> Void) throws -> [String]
    {
        let pipe = Pipe()
        let log = Log(
            minimum: .info, style: style, descriptor: pipe.fileHandleForWriting.fileDescriptor, environment: environment
        )
        body(log)
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    @Test func journalLinesCarryThePriorityPrefix() throws {
        let lines = try Self.lines(style: .journal) { log in
            log(.warning, "door held open")
            log(.error, "two\nlines")
        }
        #expect(lines == ["<4>door held open", "<3>two lines"])
    }

    @Test func plainLinesCarryTheTimeAndThePriorityName() throws {
        let lines = try Self.lines(style: .plain) { log in log(.notice, "stopping") }
        let line = try #require(lines.first)
        #expect(line.hasSuffix(" notice: stopping"))
        #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#, options: .regularExpression) != nil)
    }

    @Test func linesBelowTheMinimumAreLeftOut() throws {
        let lines = try Self.lines(style: .journal) { log in log(.debug, "noise") }
        #expect(lines.isEmpty)
    }

    @Test func journalStyleOnlyWhenStandardErrorIsTheJournalsStream() throws {
        // A JOURNAL_STREAM that names another file (inherited by a child whose stderr is a pipe).
        let lines = try Self.lines(style: nil, environment: ["JOURNAL_STREAM": "1:1"]) { log in log(.info, "hello") }
        #expect(lines.first?.hasSuffix(" info: hello") == true)
        let pipe = Pipe()
        var status = stat()
        #expect(fstat(pipe.fileHandleForWriting.fileDescriptor, &status) == 0)
        let stream = "\(status.st_dev):\(status.st_ino)"
        let log = Log(descriptor: pipe.fileHandleForWriting.fileDescriptor, environment: ["JOURNAL_STREAM": stream])
        #expect(log.style == .journal)
    }
}
