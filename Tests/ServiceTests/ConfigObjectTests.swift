import Foundation
import Service
import Testing

@Suite struct ConfigObjectTests {
    static func parse(_ text: String, allowed: [String] = ["name", "port", "tls"]) throws -> ConfigObject {
        try ConfigObject.parse(Data(text.utf8), file: "test.json", allowed: allowed)
    }

    @Test func unknownKeysAreNamedWithWhatIsAllowed() {
        #expect(
            throws: ConfigError(file: "test.json", key: "nmae", problem: "unknown key (allowed here: name, port, tls)")
        ) {
            try Self.parse(#"{"nmae": "x"}"#)
        }
    }

    @Test func nestedValuesAreNamedByKeyPath() throws {
        let root = try Self.parse(#"{"tls": {"cert": 5}}"#)
        let tls = try #require(try root.object("tls", allowed: ["cert"]))
        #expect(throws: ConfigError(file: "test.json", key: "tls.cert", problem: "expected a string")) {
            try tls.string("cert")
        }
    }

    @Test func wholeNumbersAreCheckedForRangeAndType() throws {
        let root = try Self.parse(#"{"port": 70000, "name": 1.5}"#)
        #expect(throws: ConfigError.self) { try root.integer("port", in: 1...65_535) }
        #expect(throws: ConfigError(file: "test.json", key: "name", problem: "expected a string")) {
            try root.string("name")
        }
    }

    @Test func malformedJSONIsAnErrorOfTheWholeFile() {
        #expect {
            try Self.parse("{")
        } throws: { error in
            (error as? ConfigError)?.key == "" && (error as? ConfigError)?.problem.hasPrefix("not valid JSON") == true
        }
    }
}
