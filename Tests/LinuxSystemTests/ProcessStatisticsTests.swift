import Foundation
import LinuxSystem
import Testing

@Suite struct ProcessStatisticsTests {
    @Test func theProcessIsDescribedAsProcSeesIt() throws {
        let process = try #require(ProcessStatistics.current())
        #expect(process.residentBytes > 1_000_000)
        #expect(abs(process.startTime - Date().timeIntervalSince1970) < 24 * 3600)
        #expect(process.startTime <= Date().timeIntervalSince1970)
        #expect(process.processorSeconds > 0)
        // Standard input, output and error at least (other tests open and close more meanwhile).
        #expect(process.openDescriptors >= 3)
    }
}
