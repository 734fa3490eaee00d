import SQLite

/// The core's database schema (SQLite by default). Never edit a released step: add one.
package enum CoreSchema {
    /// `PRAGMA application_id` of core databases: "PRTC".
    package static let applicationID: Int32 = 0x5052_5443

    /// Brings a database to the current schema (or refuses a file that is not the core's).
    /// Run once when a program opens the database (`CoreAPI` at start, `portero-core init`, the
    /// demo's seed), not by each store or connection: the stores expect the schema in place.
    public static func migrate(_ db: Connection) throws { try migrator.migrate(db) }

    package static let migrator = Migrator(
        applicationID: applicationID,
        migrations: [
            Migration(
                version: 1, name: "audit trail",
                sql: """
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
            Migration(
                version: 2, name: "users, branches, sessions",
                sql: """
                    CREATE TABLE branches (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        city TEXT NOT NULL,
                        time_zone TEXT NOT NULL,
                        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
                    ) STRICT;

                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY,
                        username TEXT NOT NULL,
                        email TEXT NOT NULL,
                        password_hash TEXT,
                        clave INTEGER NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        paternal_surname TEXT NOT NULL,
                        maternal_surname TEXT NOT NULL DEFAULT '',
                        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    -- Login by either, so both are unique without regard to case.
                    CREATE UNIQUE INDEX users_by_username ON users(username COLLATE NOCASE);
                    CREATE UNIQUE INDEX users_by_email ON users(email COLLATE NOCASE);

                    CREATE TABLE user_roles (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        role TEXT NOT NULL CHECK (role IN ('superadministrador', 'administrador', 'gerente_sucursal',
                            'recepcion', 'cliente')),
                        PRIMARY KEY (user_id, role)
                    ) STRICT, WITHOUT ROWID;

                    CREATE TABLE user_branches (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        branch_id INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
                        PRIMARY KEY (user_id, branch_id)
                    ) STRICT, WITHOUT ROWID;

                    -- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
                    CREATE TABLE sessions (
                        token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        csrf_token TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX sessions_by_user ON sessions(user_id);
                    """),
            Migration(
                version: 3, name: "api tokens",
                sql: """
                    -- Personal tokens for scripts (device tokens for branch daemons join with enrolment).
                    -- Only the SHA-256 of the token is kept; the token is shown once, at creation.
                    CREATE TABLE api_tokens (
                        id INTEGER PRIMARY KEY,
                        token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        last_used INTEGER,
                        revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
                    ) STRICT;
                    """),
            Migration(
                version: 4, name: "second factor",
                sql: """
                    ALTER TABLE users ADD COLUMN totp_secret BLOB;
                    ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
                    -- One-time recovery codes, kept as SHA-256 only.
                    CREATE TABLE recovery_codes (
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),
                        PRIMARY KEY (user_id, code_hash)
                    ) STRICT, WITHOUT ROWID;
                    """),
            Migration(
                version: 5, name: "devices",
                sql: """
                    -- Branch controllers (porterod). A device is registered with a one-time enrolment code
                    -- and trades it for its token; only SHA-256 hashes of both are kept.
                    CREATE TABLE devices (
                        id INTEGER PRIMARY KEY,
                        branch_id INTEGER NOT NULL REFERENCES branches(id),
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        enrollment_code_hash BLOB UNIQUE CHECK (enrollment_code_hash IS NULL
                            OR length(enrollment_code_hash) = 32),
                        enrollment_expires_at INTEGER,
                        token_hash BLOB UNIQUE CHECK (token_hash IS NULL OR length(token_hash) = 32),
                        enrolled_at INTEGER,
                        revoked_at INTEGER,
                        last_seen INTEGER,
                        software_version TEXT,
                        replica_age_seconds INTEGER,
                        outbox_depth INTEGER,
                        UNIQUE (branch_id, name)
                    ) STRICT;
                    """),
            members,
            Migration(
                version: 7, name: "language chosen",
                sql: """
                    -- Whether the user chose their language: until then the web UI follows the browser's.
                    ALTER TABLE users ADD COLUMN language_chosen INTEGER NOT NULL DEFAULT 0;
                    """),
            Migration(
                version: 8, name: "visit packs",
                sql: """
                    -- A plan version's total entries over a subscription (a pack); null for none.
                    ALTER TABLE plan_versions ADD COLUMN visits_total INTEGER;
                    UPDATE plan_versions SET visits_total = json_extract(body, '$.plan.visitLimit.perSubscription');
                    -- An entry on a pack changes what every other branch must count: the member goes to the feed again.
                    CREATE TRIGGER attendance_on_a_pack AFTER INSERT ON attendance
                    WHEN NEW.granted = 1 AND NEW.direction = 'in' AND NEW.subscription_id IS NOT NULL
                        AND NEW.user_id IS NOT NULL
                        AND (SELECT v.visits_total FROM subscriptions s JOIN plan_versions v ON v.id = s.plan_version_id
                            WHERE s.id = NEW.subscription_id) IS NOT NULL
                    BEGIN
                        INSERT INTO change_log (at, entity, entity_id) VALUES (NEW.received_at, 'user', NEW.user_id);
                    END;
                    """),
            Migration(
                version: 9, name: "branch commands",
                sql: """
                    -- Changes made at a branch (a card given at reception), applied once per device and id.
                    CREATE TABLE device_commands (
                        device_id INTEGER NOT NULL REFERENCES devices(id),
                        local_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        body TEXT NOT NULL,
                        applied INTEGER NOT NULL,
                        message TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        PRIMARY KEY (device_id, local_id)
                    ) STRICT, WITHOUT ROWID;
                    """),
            Migration(
                version: 10, name: "sign-in generation",
                sql: """
                    -- Moves on with every change to what a session check reads (a session ended, an
                    -- account's fields, roles or branches), in the same transaction as the change, by
                    -- whichever process makes it. Each connection keeps the sessions it has checked with
                    -- the generation it read them at, and uses one only while the generation is the same.
                    -- A session's idle clock (last_seen) is not counted: a kept copy only runs behind it.
                    CREATE TABLE sign_in_generation (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        value INTEGER NOT NULL
                    ) STRICT;
                    INSERT INTO sign_in_generation (id, value) VALUES (1, 0);
                    """
                        + [
                            ("session_ended", "DELETE ON sessions"),
                            ("session_changed", "UPDATE OF token_hash, user_id, csrf_token, created_at ON sessions"),
                            ("user_changed", "UPDATE ON users"), ("user_removed", "DELETE ON users"),
                            ("role_added", "INSERT ON user_roles"), ("role_removed", "DELETE ON user_roles"),
                            ("role_changed", "UPDATE ON user_roles"),
                            ("branch_added", "INSERT ON user_branches"), ("branch_removed", "DELETE ON user_branches"),
                            ("branch_changed", "UPDATE ON user_branches"),
                        ].map { name, event in
                            "CREATE TRIGGER sign_in_\(name) AFTER \(event) BEGIN UPDATE sign_in_generation "
                                + "SET value = value + 1 WHERE id = 1; END;"
                        }.joined(separator: "\n")),
            Migration(
                version: 11, name: "lasting door modes",
                sql: """
                    -- Free access joins the commands; a lockdown or free access may end by itself (until_at).
                    CREATE TABLE door_commands_new (
                        id INTEGER PRIMARY KEY,
                        branch_id INTEGER NOT NULL REFERENCES branches(id),
                        door_id INTEGER,
                        command TEXT NOT NULL
                            CHECK (command IN ('unlock_once', 'lockdown', 'free_access', 'release')),
                        reason TEXT NOT NULL,
                        created_by INTEGER NOT NULL REFERENCES users(id),
                        created_at INTEGER NOT NULL,
                        delivered_at INTEGER,
                        until_at INTEGER
                    ) STRICT;
                    INSERT INTO door_commands_new (id, branch_id, door_id, command, reason, created_by, created_at,
                        delivered_at)
                        SELECT id, branch_id, door_id, command, reason, created_by, created_at, delivered_at
                        FROM door_commands;
                    DROP TABLE door_commands;
                    ALTER TABLE door_commands_new RENAME TO door_commands;
                    CREATE INDEX door_commands_by_branch ON door_commands(branch_id, id);
                    -- Each door's mode as the device last reported it (JSON list of {door, name, mode, ...}).
                    ALTER TABLE devices ADD COLUMN door_modes TEXT;
                    """),
            Migration(
                version: 12, name: "duress PINs",
                sql: """
                    -- A second PIN that admits like the PIN and raises the silent alarm. Every PIN and
                    -- duress PIN is one person's alone (a PIN-only keypad identifies the person by it):
                    -- the store checks both columns before it writes one.
                    ALTER TABLE users ADD COLUMN duress_digest BLOB
                        CHECK (duress_digest IS NULL OR length(duress_digest) = 32);
                    ALTER TABLE users ADD COLUMN duress_set_at INTEGER;
                    CREATE INDEX users_by_pin ON users(pin_digest) WHERE pin_digest IS NOT NULL;
                    CREATE INDEX users_by_duress ON users(duress_digest) WHERE duress_digest IS NOT NULL;
                    """),
            Migration(
                version: 13, name: "audit branches",
                sql: """
                    -- The branches each audit row is about, written with the row: a listing shows a
                    -- caller the rows about their branches. Rows written before this step name none,
                    -- so only a SuperAdministrador lists them. Not part of the hash chain, which
                    -- covers what happened; this says only who may read it.
                    CREATE TABLE audit_branches (
                        branch_id INTEGER NOT NULL,
                        audit_id INTEGER NOT NULL REFERENCES audit(id),
                        PRIMARY KEY (branch_id, audit_id)
                    ) STRICT, WITHOUT ROWID;
                    CREATE TRIGGER audit_branches_are_never_updated BEFORE UPDATE ON audit_branches
                        BEGIN SELECT RAISE(ABORT, 'audit rows are never updated'); END;
                    CREATE TRIGGER audit_branches_are_never_deleted BEFORE DELETE ON audit_branches
                        BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;
                    """),
            Migration(
                version: 14, name: "visits elsewhere",
                sql: """
                    -- A plan version limits visits per day, week or month (1) or not (0).
                    ALTER TABLE plan_versions ADD COLUMN visits_per_period INTEGER NOT NULL DEFAULT 0
                        CHECK (visits_per_period IN (0, 1));
                    UPDATE plan_versions SET visits_per_period = (
                        json_extract(body, '$.plan.visitLimit.perDay') IS NOT NULL
                        OR json_extract(body, '$.plan.visitLimit.perWeek') IS NOT NULL
                        OR json_extract(body, '$.plan.visitLimit.perMonth') IS NOT NULL);
                    -- An entry that other branches count (on a pack, or by a member whose plan limits visits
                    -- per period) puts the member in the feed again as 'visits': only the branches that hold
                    -- the member take it, the rest move their cursor past it.
                    DROP TRIGGER attendance_on_a_pack;
                    CREATE TRIGGER attendance_counted_elsewhere AFTER INSERT ON attendance
                    WHEN NEW.granted = 1 AND NEW.direction = 'in' AND NEW.user_id IS NOT NULL AND (
                        (NEW.subscription_id IS NOT NULL AND (
                            SELECT v.visits_total FROM subscriptions s JOIN plan_versions v ON v.id = s.plan_version_id
                            WHERE s.id = NEW.subscription_id) IS NOT NULL)
                        OR EXISTS (
                            SELECT 1 FROM subscriptions s JOIN plan_versions v ON v.id = s.plan_version_id
                            WHERE s.user_id = NEW.user_id AND s.status = 'active'
                                AND s.paid_through_day >= NEW.local_day AND v.visits_per_period = 1))
                    BEGIN
                        INSERT INTO change_log (at, entity, entity_id) VALUES (NEW.received_at, 'visits', NEW.user_id);
                    END;
                    """),
            Migration(
                version: 15, name: "doors and calendars",
                sql: """
                    -- Each branch's doors as headquarters defines them (the controllers keep only the
                    -- wiring), and its calendar of closures and special hours. A change to either puts
                    -- 'branch_setup' for the branch in the change log (written by the store).
                    CREATE TABLE doors (
                        branch_id INTEGER NOT NULL REFERENCES branches(id),
                        id INTEGER NOT NULL CHECK (id BETWEEN 1 AND 2147483647),
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('turnstile', 'maglock', 'strike')),
                        direction TEXT NOT NULL CHECK (direction IN ('both', 'in', 'out')),
                        mode TEXT NOT NULL CHECK (mode IN ('normal', 'free_access', 'lockdown')),
                        schedule TEXT,
                        card_and_pin INTEGER NOT NULL CHECK (card_and_pin IN (0, 1)),
                        anti_passback INTEGER NOT NULL CHECK (anti_passback IN (0, 1)),
                        reentry_delay_s INTEGER CHECK (reentry_delay_s BETWEEN 1 AND 86400),
                        presence_expiry_s INTEGER NOT NULL CHECK (presence_expiry_s BETWEEN 60 AND 604800),
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (branch_id, id)
                    ) STRICT, WITHOUT ROWID;
                    CREATE UNIQUE INDEX doors_by_name ON doors (branch_id, name);
                    CREATE TABLE calendar_days (
                        branch_id INTEGER NOT NULL REFERENCES branches(id),
                        day INTEGER NOT NULL,
                        hours TEXT,
                        note TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (branch_id, day)
                    ) STRICT, WITHOUT ROWID;
                    """),
            pointOfSale,
            promotions,
            invoices,
            payments,
            mail,
            webhooks,
            notificationPreferences,
            oidc,
            support,
            occupancy,
            reports,
            photos,
            phones,
        ])
}
