import SQLite

extension CoreSchema {
    /// Members' photos: the one the desk shows and one a member sent, waiting for staff.
    static let photos = Migration(
        version: 29, name: "member photos",
        sql: """
            CREATE TABLE member_photos (
                user_id INTEGER NOT NULL REFERENCES users(id),
                state TEXT NOT NULL CHECK (state IN ('approved', 'pending')),
                type TEXT NOT NULL CHECK (type IN ('image/jpeg', 'image/png')),
                bytes BLOB NOT NULL CHECK (length(bytes) BETWEEN 1 AND 524288),
                uploaded_by INTEGER NOT NULL REFERENCES users(id),
                uploaded_at INTEGER NOT NULL,
                PRIMARY KEY (user_id, state)
            ) STRICT;
            CREATE INDEX member_photos_waiting ON member_photos(uploaded_at) WHERE state = 'pending';
            """)

    static let postgresPhotos = Migration(
        version: 29, name: "member photos",
        sql: """
            CREATE TABLE member_photos (
                user_id BIGINT NOT NULL REFERENCES users(id),
                state TEXT NOT NULL CHECK (state IN ('approved', 'pending')),
                type TEXT NOT NULL CHECK (type IN ('image/jpeg', 'image/png')),
                bytes BYTEA NOT NULL CHECK (length(bytes) BETWEEN 1 AND 524288),
                uploaded_by BIGINT NOT NULL REFERENCES users(id),
                uploaded_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, state)
            );
            CREATE INDEX member_photos_waiting ON member_photos(uploaded_at) WHERE state = 'pending';
            """)
}
