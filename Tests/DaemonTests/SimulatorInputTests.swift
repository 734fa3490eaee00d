@testable import Daemon
import PorteroModel
import Testing

@Suite struct SimulatorInputTests {
    @Test func linesBecomeCardsAndKeysWhateverTheChunking() throws {
        var input = SimulatorInput()
        #expect(input.append(Array("entrada 12345".utf8)).isEmpty)
        let results = input.append(Array("670\n\nentrada keys 1234#\n".utf8))
        #expect(
            results == [
                .success(.card(reader: "entrada", try CardNumber(parsing: "12345670"))),
                .success(.keys(reader: "entrada", Array("1234#"))),
            ])
    }

    @Test(arguments: ["entrada", "entrada tarjeta", "entrada keys 12a4", "entrada 1 2", "entrada keys"])
    func malformedLinesAreRefusedWithWhatWasExpected(line: String) {
        guard case .failure(let refusal)? = SimulatorInput.parse(line) else {
            Issue.record("'\(line)' was accepted")
            return
        }
        #expect(refusal.line == line && !refusal.problem.isEmpty)
    }

    @Test func aLineWithoutEndIsDroppedBeforeItGrowsWithoutBound() {
        var input = SimulatorInput()
        let results = input.append([UInt8](repeating: 65, count: SimulatorInput.longestLine + 1))
        #expect(results.count == 1)
        #expect(input.append(Array("x 1\n".utf8)).count == 1, "the next line is read afresh")
    }
}
