import SQLite

extension CoreSchema {
    /// Step 27: each branch's capacity in people (a soft limit that warns, a hard one that may
    /// refuse entries), carried to its controllers with its doors and calendar.
    static let occupancy = Migration(
        version: 27, name: "branch occupancy limits",
        sql: """
            CREATE TABLE branch_occupancy (
                branch_id INTEGER PRIMARY KEY REFERENCES branches(id),
                warn INTEGER CHECK (warn BETWEEN 1 AND 100000),
                hard INTEGER CHECK (hard BETWEEN 1 AND 100000),
                updated_at INTEGER NOT NULL,
                CHECK (warn IS NULL OR hard IS NULL OR warn <= hard)
            ) STRICT;
            """)

    static let postgresOccupancy = Migration(
        version: 27, name: "branch occupancy limits",
        sql: """
            CREATE TABLE branch_occupancy (
                branch_id BIGINT PRIMARY KEY REFERENCES branches(id),
                warn BIGINT CHECK (warn BETWEEN 1 AND 100000),
                hard BIGINT CHECK (hard BETWEEN 1 AND 100000),
                updated_at BIGINT NOT NULL,
                CHECK (warn IS NULL OR hard IS NULL OR warn <= hard)
            );
            """)
}
