import CoreClient
import Crypto
import Foundation
import TestSupport
import Testing

/// `portero support` and `portero settings set --support-minutes` against a real portero-core.
@Suite(.serialized, .enabled(if: Built.directory != nil))
struct SupportCLITests {
    @Test func anAdministratorListsAndEndsSupportRequestsAndSetsTheirLength() throws {
        let core = try AdminCLITests.Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        #expect(
            try core.portero([
                "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
            ]).status == 0)
        #expect(
            try core.portero([
                "users", "create", "--user", "ana", "--email", "ana@correo.mx", "--name", "Ana", "--surname", "Pérez",
                "--branch", "1",
            ]).status == 0)
        // The support user's own second factor, turned on through the API with the CLI's token.
        let stored = try Data(contentsOf: core.directory.appendingPathComponent("config/credentials.json"))
        let token = try #require(
            (try JSONSerialization.jsonObject(with: stored) as? [String: Any])?["token"] as? String)
        let client = CoreClient(baseURL: try #require(URL(string: url)), token: token)
        let secret = try #require(
            (try client.send("POST", "api/v1/me/totp/secret").json() as? [String: Any])?["secret"] as? String)
        let code = try OneTimePassword(secret: try #require(Base32.decode(secret))).totp(
            at: Int64(Date().timeIntervalSince1970))
        let recovery = try #require(
            (try client.send("POST", "api/v1/me/totp", json: ["secret": secret, "code": code]).json()
                as? [String: Any])?["recovery_codes"] as? [String])
        _ = try client.send(
            "POST", "api/v1/support/requests", json: ["email": "ana@correo.mx", "totp": recovery[0]])

        let table = try core.portero(["support", "sessions"])
        #expect(table.status == 0 && table.out.hasPrefix("ID") && table.out.contains("ana@correo.mx"), "\(table.err)")
        #expect(table.out.contains("pending"))
        let noReason = try core.portero(["support", "end", "1"])
        #expect(noReason.status != 0 && noReason.err.contains("--reason"))
        let ended = try core.portero(["support", "end", "1", "--reason", "resuelto por teléfono", "--json"])
        let row = try #require(try JSONSerialization.jsonObject(with: Data(ended.out.utf8)) as? [String: Any])
        #expect(row["status"] as? String == "cancelled" && row["endedBy"] as? String == "support")
        let again = try core.portero(["support", "end", "1", "--reason", "otra vez"])
        #expect(again.status != 0 && again.err.contains("already closed"))
        #expect(
            try core.portero(["support", "sessions", "--status", "pending"]).out.contains("ana@correo.mx") == false)

        let set = try core.portero(["settings", "set", "--support-minutes", "3", "--json"])
        let settings = try #require(try JSONSerialization.jsonObject(with: Data(set.out.utf8)) as? [String: Any])
        #expect(settings["supportSessionMinutes"] as? Int == 3)
        let tooLong = try core.portero(["settings", "set", "--support-minutes", "9"])
        #expect(tooLong.status != 0 && tooLong.err.contains("supportSessionMinutes"))
    }
}
