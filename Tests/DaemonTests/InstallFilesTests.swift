import Foundation
import Testing

/// The udev rules file, read the way udev reads it: each rule is comma-separated `KEY op "value"`
/// pairs. (udevadm verify arrives with systemd 253; Debian 12 ships 252.)
@Suite struct UdevRulesTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("udev/60-portero.rules").path

    static let keys: Set<String> = ["SUBSYSTEM", "KERNEL", "ENV", "GROUP", "MODE", "SYMLINK", "ATTRS", "TAG", "OWNER"]

    @Test func everyRuleIsWellFormed() throws {
        let text = try String(contentsOfFile: Self.path, encoding: .utf8)
        let rules = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty && !$0.hasPrefix("#")
        }
        #expect(rules.count >= 4)
        let pair = try Regex(#"^([A-Z_]+)(\{[A-Za-z_]+\})?(==|!=|\+=|:=|=)"([^"]*)"$"#)
        for rule in rules {
            var assignsGroup = false
            for token in rule.components(separatedBy: ", ") {
                let match = try #require(try pair.wholeMatch(in: token), "malformed token '\(token)' in: \(rule)")
                let key = String(match.output[1].substring ?? "")
                #expect(Self.keys.contains(key), "unexpected key \(key)")
                if key == "GROUP" { assignsGroup = true }
                if key == "SYMLINK" { #expect(match.output[4].substring?.hasPrefix("portero/") == true) }
            }
            #expect(assignsGroup, "rule without GROUP: \(rule)")
        }
    }
}
