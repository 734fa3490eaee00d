import SQLite

extension CoreSchema {
    /// Step 6: members and what hangs off them (agreements, cards, PINs, plans, subscriptions,
    /// attendance, door commands, notifications) and the change log the branches follow.
    static let members = Migration(
        version: 6,
        name:
            "members, agreements, cards, PINs, plans, subscriptions, attendance, door commands, notifications, "
            + "change log",
        sql: """
            -- Agreements (convenios): groups of users such as a company or a school.
            CREATE TABLE agreements (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                notes TEXT NOT NULL DEFAULT '',
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
            ) STRICT;
            CREATE UNIQUE INDEX agreements_by_name ON agreements(name COLLATE NOCASE);

            -- The rest of seed 003's profile. Dates are day numbers since 1970-01-01.
            ALTER TABLE users ADD COLUMN gender TEXT NOT NULL DEFAULT 'unspecified' CHECK (gender IN ('female',
                'male', 'other', 'unspecified'));
            ALTER TABLE users ADD COLUMN agreement_id INTEGER REFERENCES agreements(id);
            ALTER TABLE users ADD COLUMN birth_day INTEGER;
            ALTER TABLE users ADD COLUMN join_day INTEGER;
            ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
            ALTER TABLE users ADD COLUMN alternate_email TEXT NOT NULL DEFAULT '';
            ALTER TABLE users ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1));
            ALTER TABLE users ADD COLUMN notes TEXT NOT NULL DEFAULT '';
            ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en'));
            -- The PIN as the deployment's keyed hash (the same the replicas compare); never the digits.
            ALTER TABLE users ADD COLUMN pin_digest BLOB CHECK (pin_digest IS NULL OR length(pin_digest) = 32);
            ALTER TABLE users ADD COLUMN pin_set_at INTEGER;
            UPDATE users SET join_day = created_at / 86400000;
            CREATE INDEX users_by_agreement ON users(agreement_id) WHERE agreement_id IS NOT NULL;
            CREATE INDEX users_in_follow_up ON users(id) WHERE follow_up = 1;
            CREATE INDEX users_by_join_day ON users(join_day);
            CREATE INDEX user_branches_by_branch ON user_branches(branch_id, user_id);

            -- Card numbers, several per person; a number is active for one person at a time.
            CREATE TABLE cards (
                id INTEGER PRIMARY KEY,
                number INTEGER NOT NULL,
                user_id INTEGER NOT NULL REFERENCES users(id),
                status TEXT NOT NULL CHECK (status IN ('active', 'lost', 'revoked')),
                created_at INTEGER NOT NULL,
                changed_at INTEGER NOT NULL
            ) STRICT;
            CREATE UNIQUE INDEX cards_active_number ON cards(number) WHERE status = 'active';
            CREATE INDEX cards_by_number ON cards(number);
            CREATE INDEX cards_by_user ON cards(user_id);

            -- A plan's terms are versioned: a subscription keeps the version it was sold on unless
            -- a change is marked for existing subscriptions too. `body` is the PorteroModel.Plan JSON
            -- the replicas decide with (its id is the version id).
            CREATE TABLE plans (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                current_version INTEGER,
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE UNIQUE INDEX plans_by_name ON plans(name COLLATE NOCASE);
            CREATE TABLE plan_versions (
                id INTEGER PRIMARY KEY,
                plan_id INTEGER NOT NULL REFERENCES plans(id),
                body TEXT NOT NULL,
                price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
                currency TEXT NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX plan_versions_by_plan ON plan_versions(plan_id);
            -- Branches a plan covers (none listed: every branch).
            CREATE TABLE plan_branches (
                plan_id INTEGER NOT NULL REFERENCES plans(id),
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                PRIMARY KEY (plan_id, branch_id)
            ) STRICT, WITHOUT ROWID;

            -- Subscriptions (inscripciones): the sales. `end_day` is the paid end; freezes move the
            -- effective end by their days.
            CREATE TABLE subscriptions (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id),
                plan_id INTEGER NOT NULL REFERENCES plans(id),
                plan_version_id INTEGER NOT NULL REFERENCES plan_versions(id),
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                start_day INTEGER NOT NULL,
                end_day INTEGER NOT NULL CHECK (end_day >= start_day),
                grace_days INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
                status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
                price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
                currency TEXT NOT NULL,
                promotion TEXT NOT NULL DEFAULT '',
                payment_reference TEXT NOT NULL DEFAULT '',
                renews INTEGER REFERENCES subscriptions(id),
                sold_by INTEGER REFERENCES users(id),
                sold_at INTEGER NOT NULL,
                sold_day INTEGER NOT NULL,
                cancelled_at INTEGER,
                -- The last day it admits: end, grace and closed freezes; 2147483647 while a freeze is
                -- open (a frozen customer is still a customer). Kept by the store on every change.
                paid_through_day INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX subscriptions_by_user ON subscriptions(user_id, end_day);
            CREATE INDEX subscriptions_by_branch_day ON subscriptions(branch_id, sold_day);
            CREATE INDEX subscriptions_by_plan ON subscriptions(plan_id);
            CREATE INDEX subscriptions_by_sold_day ON subscriptions(sold_day);
            CREATE INDEX subscriptions_running ON subscriptions(paid_through_day, branch_id, user_id, start_day)
                WHERE status = 'active';
            -- Who became a customer of which branch and when (their first sale there), and the
            -- monthly and daily sums the dashboard reads instead of scanning every sale.
            CREATE TABLE customers (
                branch_id INTEGER NOT NULL,
                user_id INTEGER NOT NULL,
                first_day INTEGER NOT NULL,
                PRIMARY KEY (branch_id, user_id)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE customer_months (
                branch_id INTEGER NOT NULL,
                month TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (branch_id, month)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE sales_daily (
                branch_id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                plan_id INTEGER NOT NULL,
                currency TEXT NOT NULL,
                count INTEGER NOT NULL,
                amount INTEGER NOT NULL,
                PRIMARY KEY (branch_id, day, plan_id, currency)
            ) STRICT, WITHOUT ROWID;
            CREATE TRIGGER subscriptions_sum AFTER INSERT ON subscriptions BEGIN
                INSERT INTO sales_daily (branch_id, day, plan_id, currency, count, amount)
                    VALUES (NEW.branch_id, NEW.sold_day, NEW.plan_id, NEW.currency, 1, NEW.price_minor)
                ON CONFLICT (branch_id, day, plan_id, currency) DO UPDATE
                    SET count = count + 1, amount = amount + excluded.amount;
                INSERT OR IGNORE INTO customers (branch_id, user_id, first_day)
                    VALUES (NEW.branch_id, NEW.user_id, NEW.sold_day);
            END;
            CREATE TABLE customer_counts (
                branch_id INTEGER PRIMARY KEY,
                count INTEGER NOT NULL
            ) STRICT;
            CREATE TRIGGER customers_by_month AFTER INSERT ON customers BEGIN
                INSERT INTO customer_counts (branch_id, count) VALUES (NEW.branch_id, 1) ON CONFLICT (branch_id)
                    DO UPDATE SET count = count + 1;
                INSERT INTO customer_months (branch_id, month, count)
                    VALUES (NEW.branch_id, strftime('%Y-%m', NEW.first_day * 86400, 'unixepoch'), 1)
                ON CONFLICT (branch_id, month) DO UPDATE SET count = count + 1;
            END;
            CREATE TABLE freezes (
                subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
                start_day INTEGER NOT NULL,
                end_day INTEGER CHECK (end_day IS NULL OR end_day >= start_day),
                reason TEXT NOT NULL DEFAULT '',
                PRIMARY KEY (subscription_id, start_day)
            ) STRICT, WITHOUT ROWID;

            -- Attendance: every decision, as the branch made it (ids made at the door, kept once),
            -- and manual check-ins by staff.
            CREATE TABLE attendance (
                id BLOB PRIMARY KEY CHECK (length(id) = 16),
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                door_id INTEGER NOT NULL,
                at INTEGER NOT NULL,
                local_day INTEGER NOT NULL,
                direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                credential_kind TEXT NOT NULL,
                card_number INTEGER,
                user_id INTEGER,
                subscription_id INTEGER,
                granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
                reason TEXT NOT NULL,
                device_id INTEGER,
                recorded_by INTEGER,
                note TEXT NOT NULL DEFAULT '',
                received_at INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX attendance_by_branch_time ON attendance(branch_id, at);
            CREATE INDEX attendance_by_branch_day ON attendance(branch_id, local_day, granted);
            CREATE INDEX attendance_by_user_time ON attendance(user_id, at) WHERE user_id IS NOT NULL;
            -- Daily counts kept with each insert, so a dashboard over any range reads one row a day.
            CREATE TABLE attendance_daily (
                branch_id INTEGER NOT NULL,
                local_day INTEGER NOT NULL,
                granted INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (branch_id, local_day, granted)
            ) STRICT, WITHOUT ROWID;
            CREATE TRIGGER attendance_daily_count AFTER INSERT ON attendance BEGIN
                INSERT INTO attendance_daily (branch_id, local_day, granted, count)
                    VALUES (NEW.branch_id, NEW.local_day, NEW.granted, 1)
                ON CONFLICT (branch_id, local_day, granted) DO UPDATE SET count = count + 1;
            END;

            -- Door commands from the BackOffice, delivered to the branch by sync.
            CREATE TABLE door_commands (
                id INTEGER PRIMARY KEY,
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                door_id INTEGER,
                command TEXT NOT NULL CHECK (command IN ('unlock_once', 'lockdown', 'release')),
                reason TEXT NOT NULL,
                created_by INTEGER NOT NULL REFERENCES users(id),
                created_at INTEGER NOT NULL,
                delivered_at INTEGER
            ) STRICT;
            CREATE INDEX door_commands_by_branch ON door_commands(branch_id, id);

            -- Notifications to everyone (system), to a role (optionally at one branch) or to one user.
            CREATE TABLE notifications (
                id INTEGER PRIMARY KEY,
                audience TEXT NOT NULL CHECK (audience IN ('system', 'role', 'user')),
                role TEXT,
                user_id INTEGER REFERENCES users(id),
                branch_id INTEGER REFERENCES branches(id),
                level TEXT NOT NULL CHECK (level IN ('info', 'urgent')),
                title TEXT NOT NULL,
                body TEXT NOT NULL DEFAULT '',
                source TEXT NOT NULL,
                created_by INTEGER,
                created_at INTEGER NOT NULL,
                CHECK ((audience = 'role') = (role IS NOT NULL)),
                CHECK ((audience = 'user') = (user_id IS NOT NULL))
            ) STRICT;
            CREATE INDEX notifications_by_user ON notifications(user_id) WHERE user_id IS NOT NULL;
            CREATE TABLE notification_reads (
                notification_id INTEGER NOT NULL REFERENCES notifications(id),
                user_id INTEGER NOT NULL REFERENCES users(id),
                read_at INTEGER NOT NULL,
                PRIMARY KEY (user_id, notification_id)
            ) STRICT, WITHOUT ROWID;

            -- Alarms already raised for a device, so each outage or stale replica notifies once.
            ALTER TABLE devices ADD COLUMN offline_notified INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE devices ADD COLUMN stale_notified INTEGER NOT NULL DEFAULT 0;

            -- Every change that matters to a door, in order: the feed the branches follow (sync).
            CREATE TABLE change_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                entity TEXT NOT NULL,
                entity_id INTEGER NOT NULL
            ) STRICT;
            """)
}
