@testable import BackOffice
@testable import CoreStorage
import Crypto
import Foundation
import PorteroModel
import Testing

/// Headquarters' day-pass key: made once on the first pass, kept, and its public half carried in
/// every branch's setup, announced to the feed when it is made.
@Suite struct DayPassKeyTests {
    @Test func theFirstPassMakesTheKeyEveryBranchThenHolds() throws {
        let f = try APIFixture()
        try f.api.withDatabase { database in
            let today = LocalDay(daysSinceEpoch: 20_000)
            #expect(try database.doors.setup(branch: f.own, from: today).dayPassKey == nil)
            #expect(try DayPassKey.publicHex(database.db) == nil)
            let head = try database.sync.head()
            let first = try DayPassKey.code(for: SubscriptionID(5), database.db)
            let second = try DayPassKey.code(for: SubscriptionID(6), database.db)
            let hex = try #require(try database.doors.setup(branch: f.other, from: today).dayPassKey)
            let published = try DayPassKey.publicHex(database.db)
            #expect(hex.count == 128 && hex == published)
            #expect(try database.sync.head() == head + 1, "one change: every branch's setup")
            let bytes = try #require(Hex.decode(hex))
            let key = try PublicKey.p256(x: Array(bytes[0..<32]), y: Array(bytes[32...]))
            #expect(key.verifySHA256(signature: first.signature, message: first.message))
            #expect(key.verifySHA256(signature: second.signature, message: second.message))
            #expect(!key.verifySHA256(signature: first.signature, message: second.message))
        }
    }

    /// A kept key that does not read back (a hand-edited restore) is an error when a pass is issued,
    /// never a silent new key nobody can check; the branches' setup still goes, without a key.
    @Test func aKeptKeyThatDoesNotReadBackIsAnErrorNotANewKey() throws {
        let f = try APIFixture()
        try f.api.withDatabase { database in
            _ = try DayPassKey.code(for: SubscriptionID(5), database.db)
            let kept = try #require(try DayPassKey.publicHex(database.db))
            // A stray newline from a restore is forgiven; a cut value is not.
            try database.db.run("UPDATE core_meta SET value = value || ? WHERE key = 'day_pass_key'", "\n")
            #expect(try DayPassKey.publicHex(database.db) == kept)
            try database.db.run("UPDATE core_meta SET value = substr(value, 1, 41) WHERE key = ?", "day_pass_key")
            #expect(throws: DayPassKey.DayPassKeyError.self) {
                try DayPassKey.code(for: SubscriptionID(6), database.db)
            }
            #expect(try DayPassKey.publicHex(database.db) == nil)
            #expect(try database.doors.setup(branch: f.own, from: LocalDay(daysSinceEpoch: 20_000)).dayPassKey == nil)
        }
    }
}
