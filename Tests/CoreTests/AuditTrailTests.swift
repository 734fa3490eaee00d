@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import PorteroModel
import SQLite
import TestSupport
import Testing

@Suite struct AuditTrailTests {
    let directory: TemporaryDirectory
    let db: Connection
    let audit: SQLAuditStore

    init() throws {
        directory = try TemporaryDirectory()
        db = try Connection(path: directory.file("core.sqlite"))
        try CoreSchema.migrate(db)
        audit = try SQLAuditStore(connection: SQLiteDatabase(db))
        for (index, action) in ["login.success", "user.create", "user.update"].enumerated() {
            _ = try audit.append(
                actor: "user:1", action: action, target: "user:\(index + 2)", changes: #"{"name":"Ana"}"#,
                at: Timestamp(milliseconds: 1_700_000_000_000 + Int64(index)))
        }
    }

    @Test func anUntouchedTrailVerifies() throws {
        guard case let .intact(rows, head) = try audit.verify() else {
            Issue.record("not intact")
            return
        }
        #expect(rows == 3)
        #expect(head == (try audit.recent(limit: 1)).first?.hash)
    }

    @Test func aRowWhoseTextHoldsNULStillVerifies() throws {
        // Found by schemathesis: text was bound up to its first NUL, so the stored row no longer matched its hash.
        _ = try audit.append(
            actor: "anonymous", action: "login.failure", target: "login:a\u{0}b", changes: #"{"login":"a\u0000b"}"#,
            at: Timestamp(milliseconds: 1_700_000_000_100))
        guard case let .intact(rows, _) = try audit.verify() else {
            Issue.record("not intact")
            return
        }
        #expect(rows == 4)
        #expect(try audit.recent(limit: 1).first?.target == "login:a\u{0}b")
    }

    @Test func eachRowChainsToThePrevious() throws {
        let rows = try audit.recent(limit: 10).reversed().map { $0 }
        #expect(rows.first?.previousHash == SQLAuditStore.zeroHash)
        for (earlier, later) in zip(rows, rows.dropFirst()) { #expect(later.previousHash == earlier.hash) }
    }

    @Test func rowsCannotBeUpdatedOrDeletedThroughSQL() {
        #expect(throws: SQLiteError.self) { try db.run("UPDATE audit SET actor = 'user:9' WHERE id = 2") }
        #expect(throws: SQLiteError.self) { try db.run("DELETE FROM audit WHERE id = 2") }
    }

    @Test func anEditedRowIsDetected() throws {
        // Someone with the file drops the trigger and edits a row.
        try db.execute("DROP TRIGGER audit_rows_are_never_updated")
        try db.run("UPDATE audit SET changes = '{\"name\":\"Eve\"}' WHERE id = 2")
        #expect(try audit.verify() == .broken(rowID: 2, reason: "its content does not match its hash (edited)"))
    }

    @Test func aDeletedRowIsDetected() throws {
        try db.execute("DROP TRIGGER audit_rows_are_never_deleted")
        try db.run("DELETE FROM audit WHERE id = 2")
        #expect(try audit.verify() == .broken(rowID: 3, reason: "row 2 is missing"))
    }

    @Test func removingTheNewestRowsIsDetected() throws {
        try db.execute("DROP TRIGGER audit_rows_are_never_deleted")
        try db.run("DELETE FROM audit WHERE id = 3")
        guard case let .broken(_, reason) = try audit.verify() else {
            Issue.record("not detected")
            return
        }
        #expect(reason.contains("rows after 2 were removed"))
    }

    @Test func aRowRecomputedByHandStillBreaksTheNextLink() throws {
        // An editor who recomputes the edited row's own hash still breaks row 3's link.
        try db.execute("DROP TRIGGER audit_rows_are_never_updated")
        let previous = try #require(try audit.recent(limit: 3).last?.hash)
        let forged = AuditEntry.hash(
            id: 2, at: Timestamp(milliseconds: 1_700_000_000_001), actor: "user:1", action: "user.create",
            target: "user:3", changes: "{}", previous: previous)
        try db.run("UPDATE audit SET changes = '{}', hash = ? WHERE id = 2", forged)
        #expect(try audit.verify() == .broken(rowID: 3, reason: "its previous hash does not match row 2"))
    }

    @Test func fieldsCannotBleedIntoEachOther() {
        let a = AuditEntry.hash(
            id: 1, at: Timestamp(milliseconds: 0), actor: "ab", action: "c", target: "", changes: "", previous: [])
        let b = AuditEntry.hash(
            id: 1, at: Timestamp(milliseconds: 0), actor: "a", action: "bc", target: "", changes: "", previous: [])
        #expect(a != b)
    }
}
