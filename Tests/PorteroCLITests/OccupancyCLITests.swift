import Foundation
import Testing

/// `portero branches occupancy` and `portero reports occupancy` against a real portero-core on loopback.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct OccupancyCLITests {
    @Test func aBranchsCapacityIsSetAndTheReportReadsIt() throws {
        let core = try AdminCLITests.Core()
        let url = "http://127.0.0.1:\(core.port)"
        #expect(try core.portero(["login", "--core", url, "--user", "root"], input: "Secreto123\n").status == 0)
        let created = try core.portero([
            "branches", "create", "--name", "Centro", "--city", "CDMX", "--time-zone", "America/Mexico_City",
        ])
        #expect(created.status == 0, "\(created.err)")
        let set = try core.portero(["branches", "occupancy", "--branch", "1", "--warn", "40", "--capacity", "50"])
        #expect(set.status == 0 && set.out.contains("50"), "\(set.err)")
        let onlyWarn = try core.portero(["branches", "occupancy", "--branch", "1", "--warn", "45"])
        #expect(onlyWarn.status == 0 && onlyWarn.out.contains("45") && onlyWarn.out.contains("50"), "kept the capacity")
        let above = try core.portero(["branches", "occupancy", "--branch", "1", "--warn", "60"])
        #expect(above.status != 0 && above.err.contains("warn"))
        let typo = try core.portero(["branches", "occupancy", "--branch", "1", "--capacity", "lots"])
        #expect(typo.status != 0 && typo.err.contains("--capacity"))

        let report = try core.portero(["reports", "occupancy"])
        #expect(report.status == 0, "\(report.err)")
        #expect(report.out.contains("INSIDE") && report.out.contains("Centro") && report.out.contains("estimated"))
        let json = try core.portero(["reports", "occupancy", "--branch", "1", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let line = try #require((object["branches"] as? [[String: Any]])?.first)
        #expect(line["inside"] as? Int == 0 && line["limit"] as? Int == 50 && line["state"] as? String == "ok")

        let refuses = try core.portero(["settings", "set", "--occupancy-refuses", "yes", "--usual-visit", "60"])
        #expect(refuses.status == 0, "\(refuses.err)")
        let shown = try core.portero(["settings", "show", "--json"])
        let settings = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])
        #expect(settings["occupancyRefuses"] as? Bool == true && settings["usualVisitMinutes"] as? Int == 60)
        #expect(try core.portero(["settings", "set", "--journal-days", "10"]).status != 0, "under 35 days")
    }
}
