@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
import Crypto
import Foundation
import PorteroModel
import PostgreSQL
import SQLite
import TestSupport
import Testing

/// A chain grown on SQLite moves to PostgreSQL whole: every row, the audit chain intact, ids that
/// go on from where they were, and a core that serves from it.
@Suite(.enabled(if: PostgresTestServer.available)) struct CoreMigrationTests {
    @Test func aSeededChainIsCopiedWholeAndServedFromPostgreSQL() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("core.sqlite")
        let hasher = PasswordHasher(logN: 8, r: 8, p: 1)
        let chain: DemoChain
        do {
            let sqlite = try CoreAPI(path: path, hasher: hasher)
            defer { sqlite.stopWaiting() }
            chain = try sqlite.withDatabase { try DemoChain.seed($0, members: 60) }
        }
        let scratch = try #require(try CoreTestDatabase.make(always: true))
        // The scratch database was copied from the migrated template: start from an empty one.
        let url = try #require(try scratch.empty("empty"))

        var progress: [String] = []
        let report = try CoreMigration.copy(from: path, to: url) { table, _ in progress.append(table) }
        guard case let .intact(rows, _) = report.audit else {
            Issue.record("audit on the target: \(report.audit)")
            return
        }
        #expect(rows > 0 && report.rows["audit"] == rows)
        #expect((report.rows["users"] ?? 0) >= 60 && (report.rows["attendance"] ?? 0) > 0)
        #expect(Set(progress) == Set(report.rows.keys))

        let source = try Connection(path: path)
        for (table, count) in report.rows {
            #expect(try source.scalar("SELECT count(*) FROM \(table)", as: Int.self) == count, "\(table)")
        }
        // A second run is refused: the target is no longer empty.
        #expect(throws: CoreMigration.Refusal.self) { try CoreMigration.copy(from: path, to: url) }

        let postgres = try CoreAPI(path: url, hasher: hasher)
        defer { postgres.stopWaiting() }
        try postgres.withDatabase { database in
            #expect(try database.accounts.branches().count == 3)
            #expect(try database.members.user(UserID(1)) != nil)
            let before = try database.accounts.branches().map(\.id.rawValue).max() ?? 0
            let added = try database.write {
                try database.accounts.createBranch(name: "Nueva", city: "Puebla", timeZone: "America/Mexico_City")
            }
            #expect(added.rawValue == before + 1, "ids go on from the largest copied")
            _ = try database.write {
                try database.audit.append(
                    actor: "system", action: "test.after", target: "core", changes: "{}", concerning: [],
                    at: Timestamp.now())
            }
            guard case .intact = try database.audit.verify() else {
                Issue.record("the chain goes on after the move")
                return
            }
        }
        _ = chain
    }
}
