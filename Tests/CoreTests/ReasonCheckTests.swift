@testable import BackOffice
import Testing

/// A reason is counted as the OpenAPI document states it: in code points, blanks around it left out.
@Suite struct ReasonCheckTests {
    @Test func codePointsCountNotCharacters() throws {
        // "0" and a skin-tone modifier are one Swift Character, two code points: three in all.
        #expect(try CoreAPI.checkReason("00\u{1F3FB}\t\n \r") == "00\u{1F3FB}")
        #expect(throws: (any Error).self) { try CoreAPI.checkReason("  ab  ") }
        #expect(throws: (any Error).self) { try CoreAPI.checkReason(String(repeating: "a", count: 201)) }
    }
}
