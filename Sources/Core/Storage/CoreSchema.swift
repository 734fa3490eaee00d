import SQLite

/// The core's database schema (SQLite by default). Never edit a released step: add one.
enum CoreSchema {
    /// `PRAGMA application_id` of core databases: "PRTC".
    static let applicationID: Int32 = 0x5052_5443

    static let migrator = Migrator(applicationID: applicationID, migrations: [
        Migration(version: 1, name: "audit trail", sql: """
            CREATE TABLE core_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            -- Append-only: every row carries the SHA-256 of the row before it.
            CREATE TABLE audit (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                changes TEXT NOT NULL,
                previous_hash BLOB NOT NULL CHECK (length(previous_hash) = 32),
                hash BLOB NOT NULL CHECK (length(hash) = 32)
            ) STRICT;
            CREATE TRIGGER audit_rows_are_never_updated BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'audit rows are never updated'); END;
            CREATE TRIGGER audit_rows_are_never_deleted BEFORE DELETE ON audit
                BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;
            """),
    ])
}
