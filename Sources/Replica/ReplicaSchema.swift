import SQLite

/// The branch replica's schema, one migration per step. Never edit a released step: add one.
enum ReplicaSchema {
    /// `PRAGMA application_id` of replica files: "PRTR" in ASCII.
    static let applicationID: Int32 = 0x5052_5452

    static let migrator = Migrator(
        applicationID: applicationID,
        migrations: [
            Migration(
                version: 1, name: "branch replica",
                sql: """
                    CREATE TABLE replica_meta (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    ) STRICT;

                    -- Plans are few; the store keeps them in memory and stores each as its JSON.
                    CREATE TABLE plans (
                        id INTEGER PRIMARY KEY,
                        body TEXT NOT NULL
                    ) STRICT;

                    -- A user and their decision state (visit counters, anti-passback presence, PIN attempts)
                    -- share one row, so a look-up reads one b-tree leaf for both.
                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY,
                        clave INTEGER NOT NULL,
                        display_name TEXT NOT NULL,
                        active INTEGER NOT NULL CHECK (active IN (0, 1)),
                        roles INTEGER NOT NULL DEFAULT 0,
                        -- A staff role of this user applies at this replica's branch.
                        granted_here INTEGER NOT NULL DEFAULT 0 CHECK (granted_here IN (0, 1)),
                        pin_digest BLOB,
                        duress_digest BLOB,
                        visit_day INTEGER,
                        day_count INTEGER NOT NULL DEFAULT 0,
                        visit_week INTEGER,
                        week_count INTEGER NOT NULL DEFAULT 0,
                        visit_month INTEGER,
                        month_count INTEGER NOT NULL DEFAULT 0,
                        inside INTEGER,
                        presence_since INTEGER,
                        last_entry INTEGER,
                        pin_failures INTEGER NOT NULL DEFAULT 0,
                        pin_locked_until INTEGER
                    ) STRICT;

                    -- Cards keyed by their number (the 64 bits stored as a signed integer): a look-up is one
                    -- b-tree descent that lands on the row itself.
                    CREATE TABLE cards (
                        card_number INTEGER PRIMARY KEY,
                        id INTEGER NOT NULL UNIQUE,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        status TEXT NOT NULL CHECK (status IN ('active', 'lost', 'revoked'))
                    ) STRICT;
                    CREATE INDEX cards_by_user ON cards(user_id);

                    -- PIN-only credentials (keypads), keyed by the PIN's keyed hash.
                    CREATE TABLE pins (
                        digest BLOB PRIMARY KEY CHECK (length(digest) = 32),
                        id INTEGER NOT NULL UNIQUE,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        status TEXT NOT NULL CHECK (status IN ('active', 'lost', 'revoked'))
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX pins_by_user ON pins(user_id);

                    -- Clustered by user, so one user's subscriptions sit together in one leaf.
                    CREATE TABLE subscriptions (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        id INTEGER NOT NULL UNIQUE,
                        plan_id INTEGER NOT NULL,
                        start_day INTEGER NOT NULL,
                        end_day INTEGER NOT NULL,
                        grace_days INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
                        status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
                        -- Freeze periods as 'start-end' day numbers separated by commas; an open one is 'start-'.
                        freezes TEXT NOT NULL DEFAULT '',
                        price_minor INTEGER NOT NULL DEFAULT 0,
                        currency TEXT NOT NULL DEFAULT '',
                        PRIMARY KEY (user_id, id)
                    ) STRICT, WITHOUT ROWID;

                    -- The attendance journal: every decision, granted or denied. Ids are UUIDv7 (16 bytes).
                    CREATE TABLE attendance (
                        id BLOB PRIMARY KEY CHECK (length(id) = 16),
                        at INTEGER NOT NULL,
                        door_id INTEGER NOT NULL,
                        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                        credential_kind TEXT NOT NULL,
                        card_number INTEGER,
                        user_id INTEGER,
                        subscription_id INTEGER,
                        granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
                        reason TEXT NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX attendance_by_time ON attendance(at);

                    -- Events not yet acknowledged by the core.
                    CREATE TABLE outbox (
                        event_id BLOB PRIMARY KEY REFERENCES attendance(id),
                        queued_at INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    """),
            Migration(
                version: 2, name: "snapshot staging",
                sql: """
                    -- Snapshot pages land in these tables (the live ones' shapes, without the decision state)
                    -- until the last page is in; then one transaction swaps them in, so the live tables are
                    -- never half old, half new.
                    CREATE TABLE snapshot_users (
                        id INTEGER PRIMARY KEY,
                        clave INTEGER NOT NULL,
                        display_name TEXT NOT NULL,
                        active INTEGER NOT NULL,
                        roles INTEGER NOT NULL,
                        granted_here INTEGER NOT NULL,
                        pin_digest BLOB,
                        duress_digest BLOB
                    ) STRICT;
                    CREATE TABLE snapshot_cards (
                        card_number INTEGER PRIMARY KEY,
                        id INTEGER NOT NULL,
                        user_id INTEGER NOT NULL,
                        status TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE snapshot_subscriptions (
                        user_id INTEGER NOT NULL,
                        id INTEGER NOT NULL,
                        plan_id INTEGER NOT NULL,
                        start_day INTEGER NOT NULL,
                        end_day INTEGER NOT NULL,
                        grace_days INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        freezes TEXT NOT NULL,
                        price_minor INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        PRIMARY KEY (user_id, id)
                    ) STRICT, WITHOUT ROWID;
                    CREATE TABLE snapshot_plans (
                        id INTEGER PRIMARY KEY,
                        body TEXT NOT NULL
                    ) STRICT;
                    """),
            Migration(
                version: 3, name: "pack visits",
                sql: """
                    -- A pack's entries counted by the core at other branches; this branch's own come from the journal.
                    ALTER TABLE subscriptions ADD COLUMN visits_elsewhere INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE snapshot_subscriptions ADD COLUMN visits_elsewhere INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX attendance_by_subscription ON attendance(subscription_id)
                        WHERE subscription_id IS NOT NULL AND granted = 1;
                    """),
            Migration(
                version: 4, name: "local commands",
                sql: """
                    -- Changes made here (a card given at reception), applied at once and sent to the core,
                    -- which applies them for good and sends the result down through the feed.
                    -- AUTOINCREMENT: an id is never used twice, since the core remembers each one per device.
                    CREATE TABLE local_commands (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        user_id INTEGER NOT NULL,
                        card_number INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    """),
            Migration(
                version: 5, name: "door modes",
                sql: """
                    -- The lockdowns and free-access modes from the core in force here (SyncWire's
                    -- DoorModeTable): door 0 is the command for every door, the others one door's own.
                    -- Written with the cursor of the batch that brought them.
                    CREATE TABLE door_modes (
                        door INTEGER PRIMARY KEY,
                        command TEXT NOT NULL
                    ) STRICT;
                    """),
            Migration(
                version: 6, name: "PIN-only keypads",
                sql: """
                    -- A person's PIN and duress PIN, as the core sends them on the person, are also the
                    -- person's PIN-only credentials: a keypad finds the person by the digest. The core
                    -- keeps every PIN one person's alone; should two arrive equal, the later holds it.
                    -- Ids are the person's, negated (PIN 2n, duress 2n + 1), so they never meet a card's.
                    CREATE TRIGGER pins_of_new_user AFTER INSERT ON users BEGIN
                        INSERT OR REPLACE INTO pins (digest, id, user_id, status)
                            SELECT NEW.pin_digest, -2 * NEW.id, NEW.id, 'active' WHERE NEW.pin_digest IS NOT NULL;
                        INSERT OR REPLACE INTO pins (digest, id, user_id, status)
                            SELECT NEW.duress_digest, -2 * NEW.id - 1, NEW.id, 'active'
                            WHERE NEW.duress_digest IS NOT NULL;
                    END;
                    CREATE TRIGGER pins_of_changed_user AFTER UPDATE OF pin_digest, duress_digest ON users BEGIN
                        DELETE FROM pins WHERE user_id = NEW.id;
                        INSERT OR REPLACE INTO pins (digest, id, user_id, status)
                            SELECT NEW.pin_digest, -2 * NEW.id, NEW.id, 'active' WHERE NEW.pin_digest IS NOT NULL;
                        INSERT OR REPLACE INTO pins (digest, id, user_id, status)
                            SELECT NEW.duress_digest, -2 * NEW.id - 1, NEW.id, 'active'
                            WHERE NEW.duress_digest IS NOT NULL;
                    END;
                    INSERT OR REPLACE INTO pins (digest, id, user_id, status)
                        SELECT pin_digest, -2 * id, id, 'active' FROM users WHERE pin_digest IS NOT NULL;
                    INSERT OR REPLACE INTO pins (digest, id, user_id, status)
                        SELECT duress_digest, -2 * id - 1, id, 'active' FROM users WHERE duress_digest IS NOT NULL;
                    """),
            Migration(
                version: 7, name: "local users",
                sql: """
                    -- The local account that made a change here, as the kernel named the status socket's peer
                    -- (SO_PEERCRED): its uid, and its login name when the password database had one.
                    ALTER TABLE local_commands ADD COLUMN local_uid INTEGER;
                    ALTER TABLE local_commands ADD COLUMN local_name TEXT;
                    -- Free text kept with an event: a manual check-in's reason and who made it; empty otherwise.
                    ALTER TABLE attendance ADD COLUMN note TEXT NOT NULL DEFAULT '';
                    """),
            Migration(
                version: 8, name: "chain card index and visits elsewhere",
                sql: """
                    -- Every active card of the chain, whoever holds it, with the person's id and standing
                    -- only (no name, no PIN, no subscriptions): a card this branch does not hold is looked up
                    -- here, so a member of another branch is told apart from a stranger.
                    -- subscribed_through: the last day of their latest subscription anywhere (NULL: none).
                    CREATE TABLE chain_cards (
                        card_number INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL,
                        active INTEGER NOT NULL CHECK (active IN (0, 1)),
                        subscribed_through INTEGER
                    ) STRICT;
                    CREATE INDEX chain_cards_by_user ON chain_cards(user_id);
                    CREATE TABLE snapshot_chain_cards (
                        card_number INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL,
                        active INTEGER NOT NULL,
                        subscribed_through INTEGER
                    ) STRICT;
                    -- The index and the visits elsewhere come whole only with a snapshot: a replica made
                    -- before this step takes one.
                    DELETE FROM replica_meta WHERE key = 'bootstrapped';
                    -- For a member whose plan limits visits per day, week or month: the entries the core
                    -- counted at other branches in the periods named (as the user's own counters are keyed).
                    """ + "\n"
                        + ["users", "snapshot_users"].flatMap { table in
                            ["day", "week", "month"].flatMap { period in
                                [
                                    "ALTER TABLE \(table) ADD COLUMN elsewhere_\(period) INTEGER;",
                                    "ALTER TABLE \(table) ADD COLUMN elsewhere_\(period)_count INTEGER NOT NULL "
                                        + "DEFAULT 0;",
                                ]
                            }
                        }.joined(separator: "\n")),
            Migration(
                version: 9, name: "PIN moves",
                sql: """
                    -- A PIN that moves from one person to another may arrive for the new holder before
                    -- the old one's change: the holder's rows and any row with the same digest go
                    -- first, then the person's own go in (an upsert's update cannot replace).
                    DROP TRIGGER pins_of_new_user;
                    DROP TRIGGER pins_of_changed_user;
                    """
                        + ["INSERT", "UPDATE OF pin_digest, duress_digest"].enumerated().map { index, event in
                            """
                            CREATE TRIGGER pins_of_user_\(index) AFTER \(event) ON users BEGIN
                                DELETE FROM pins
                                    WHERE user_id = NEW.id OR digest IN (NEW.pin_digest, NEW.duress_digest);
                                INSERT INTO pins (digest, id, user_id, status)
                                    SELECT NEW.pin_digest, -2 * NEW.id, NEW.id, 'active'
                                    WHERE NEW.pin_digest IS NOT NULL;
                                INSERT INTO pins (digest, id, user_id, status)
                                    SELECT NEW.duress_digest, -2 * NEW.id - 1, NEW.id, 'active'
                                    WHERE NEW.duress_digest IS NOT NULL AND NEW.duress_digest IS NOT NEW.pin_digest;
                            END;
                            """
                        }.joined(separator: "\n")
                            + """
                            -- A replica from before door modes were kept asks the core for those in force.
                            INSERT OR REPLACE INTO replica_meta (key, value) VALUES ('door_modes_pending', '1');
                            """),
            Migration(
                version: 10, name: "branch setup",
                sql: """
                    -- The doors and calendar headquarters defines for this branch, as the feed last
                    -- brought them (one JSON document, replaced whole). A replica that has none yet asks
                    -- the core for them.
                    CREATE TABLE branch_setup (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        body TEXT NOT NULL
                    ) STRICT;
                    INSERT OR REPLACE INTO replica_meta (key, value) VALUES ('branch_setup_pending', '1');
                    """),
            Migration(
                version: 11, name: "payments owed",
                sql: """
                    -- While a payment is owed on a subscription: the first day the door refuses it.
                    ALTER TABLE subscriptions ADD COLUMN unpaid_from INTEGER;
                    ALTER TABLE snapshot_subscriptions ADD COLUMN unpaid_from INTEGER;
                    -- Debts come whole only with a snapshot: a replica made before this step takes one.
                    DELETE FROM replica_meta WHERE key = 'bootstrapped';
                    """),
            Migration(
                version: 12, name: "snapshot chain index by person",
                sql: """
                    -- A snapshot page replaces each person's entries in the staged chain index: found by
                    -- person, not by reading the whole table once per person.
                    CREATE INDEX snapshot_chain_cards_by_user ON snapshot_chain_cards(user_id);
                    """),
            ReplicaSchema.occupancy,
            ReplicaSchema.phones,
        ])
}
