import Foundation
import Testing

/// `portero settings set`'s configuration options against a real portero-core on loopback.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct ConfigurationCLITests {
    @Test func theConfigurationIsSetShownRefusedByFieldAndResetToTheDefault() throws {
        let core = try AdminCLITests.Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        let set = try core.portero([
            "settings", "set", "--chain-name", "Club Sur", "--language", "en", "--password-length", "10",
            "--password-classes", "upper,digit", "--idle-minutes", "20", "--lockout-account", "4",
            "--offline-minutes", "15",
        ])
        #expect(set.status == 0, "\(set.err)")
        let shown = try core.portero(["settings", "show", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])
        #expect(object["chainName"] as? String == "Club Sur" && object["defaultLanguage"] as? String == "en")
        #expect(
            object["passwordMinimumLength"] as? Int == 10
                && object["passwordClasses"] as? [String] == ["upper", "digit"])
        #expect(object["sessionIdleMinutes"] as? Int == 20 && object["lockoutFailuresPerAccount"] as? Int == 4)
        #expect(object["deviceOfflineMinutes"] as? Int == 15)
        let refused = try core.portero(["settings", "set", "--password-length", "3"])
        #expect(refused.status != 0 && refused.err.contains("passwordMinimumLength"))
        let typo = try core.portero(["settings", "set", "--idle-minutes", "many"])
        #expect(typo.status != 0 && typo.err.contains("--idle-minutes"))
        #expect(try core.portero(["settings", "set", "--password-length", "default"]).status == 0)
        let after = try core.portero(["settings", "show"])
        #expect(!after.out.contains("passwordMinimumLength") && after.out.contains("Club Sur"))
        let png = core.directory.appendingPathComponent("logo.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 3, count: 40)).write(to: png)
        let logo = try core.portero(["settings", "logo", png.path])
        #expect(logo.status == 0 && logo.out.contains("image/png"), "\(logo.err)")
        let text = core.directory.appendingPathComponent("logo.txt")
        try Data("not an image".utf8).write(to: text)
        let wrong = try core.portero(["settings", "logo", text.path])
        #expect(wrong.status != 0 && wrong.err.contains("JPEG"))
        #expect(try core.portero(["settings", "logo", "--clear"]).status == 0)
    }
}
