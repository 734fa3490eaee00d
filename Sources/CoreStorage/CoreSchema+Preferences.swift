import SQLite

extension CoreSchema {
    /// What kind each notification is (door alarms, controllers, the desk, announcements), and
    /// which kinds reach each user in the web UI and which by email.
    static let notificationPreferences = Migration(
        version: 23, name: "notification preferences",
        sql: """
            ALTER TABLE notifications ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
            UPDATE notifications SET kind = CASE WHEN source = 'admin' THEN 'announcement'
                WHEN source LIKE 'device:%' THEN 'device' WHEN source = 'door' THEN 'door'
                WHEN source = 'sync' THEN 'desk' ELSE 'other' END;
            CREATE TABLE notification_preferences (
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('door', 'device', 'desk', 'announcement', 'other')),
                in_app INTEGER NOT NULL CHECK (in_app IN (0, 1)),
                email INTEGER NOT NULL CHECK (email IN (0, 1)),
                PRIMARY KEY (user_id, kind)
            ) STRICT, WITHOUT ROWID;
            """)

    static let postgresNotificationPreferences = Migration(
        version: 23, name: "notification preferences",
        sql: """
            ALTER TABLE notifications ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
            UPDATE notifications SET kind = CASE WHEN source = 'admin' THEN 'announcement'
                WHEN source LIKE 'device:%' THEN 'device' WHEN source = 'door' THEN 'door'
                WHEN source = 'sync' THEN 'desk' ELSE 'other' END;
            CREATE TABLE notification_preferences (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('door', 'device', 'desk', 'announcement', 'other')),
                in_app BIGINT NOT NULL CHECK (in_app IN (0, 1)),
                email BIGINT NOT NULL CHECK (email IN (0, 1)),
                PRIMARY KEY (user_id, kind)
            );
            """)
}
