import SQLite

extension CoreSchema {
    /// The sums the reports read instead of scanning sales and attendance, each kept by a trigger
    /// in the transaction that writes the row it counts:
    /// - `sales_summary`: subscriptions sold per branch, local day, plan, payment method (`owed`
    ///   until paid) and cashier (0: none);
    /// - `attendance_hours`: granted entries per branch and UTC hour (the report turns each hour
    ///   into the branch's local weekday and hour);
    /// - `interbranch_daily`: entries on a subscription sold at another branch, per visited and
    ///   selling branch and local day;
    /// - `last_visits`: each member's latest granted entry (`at` 0: bought, never came);
    /// - `pos_product_daily`: shop units and amounts per branch, local day and product, less
    ///   refunds and voids.
    /// A subscription paid at once or settled later keeps the method in `payment_method`.
    static let reports = Migration(
        version: 28, name: "report summaries",
        sql: """
            ALTER TABLE subscriptions ADD COLUMN payment_method TEXT
                CHECK (payment_method IN ('cash', 'card', 'transfer'));
            \(reportBackfillMethod)
            CREATE INDEX subscriptions_by_end ON subscriptions(end_day, id) WHERE status = 'active';
            CREATE INDEX audit_by_action ON audit(action, id);
            CREATE INDEX audit_by_time ON audit(at);
            CREATE TABLE sales_summary (
                branch_id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                plan_id INTEGER NOT NULL,
                method TEXT NOT NULL,
                cashier INTEGER NOT NULL,
                currency TEXT NOT NULL,
                count INTEGER NOT NULL,
                amount INTEGER NOT NULL,
                PRIMARY KEY (branch_id, day, plan_id, method, cashier, currency)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE attendance_hours (
                branch_id INTEGER NOT NULL,
                hour INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (branch_id, hour)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE interbranch_daily (
                visited_branch INTEGER NOT NULL,
                home_branch INTEGER NOT NULL,
                day INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (day, visited_branch, home_branch)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE last_visits (
                user_id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                branch_id INTEGER
            ) STRICT;
            CREATE TABLE pos_product_daily (
                branch_id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                product_id INTEGER NOT NULL,
                quantity INTEGER NOT NULL,
                amount INTEGER NOT NULL,
                PRIMARY KEY (branch_id, day, product_id)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX last_visits_by_time ON last_visits(at, user_id);
            \(reportBackfill)
            CREATE TRIGGER sales_summary_sold AFTER INSERT ON subscriptions BEGIN
                INSERT INTO sales_summary (branch_id, day, plan_id, method, cashier, currency, count, amount)
                    VALUES (NEW.branch_id, NEW.sold_day, NEW.plan_id, coalesce(NEW.payment_method, 'owed'),
                            coalesce(NEW.sold_by, 0), NEW.currency, 1, NEW.price_minor)
                ON CONFLICT (branch_id, day, plan_id, method, cashier, currency) DO UPDATE
                    SET count = count + 1, amount = amount + excluded.amount;
                INSERT OR IGNORE INTO last_visits (user_id, at, branch_id) VALUES (NEW.user_id, 0, NULL);
            END;
            CREATE TRIGGER sales_summary_paid AFTER UPDATE OF payment_method ON subscriptions
                WHEN coalesce(OLD.payment_method, 'owed') <> coalesce(NEW.payment_method, 'owed') BEGIN
                UPDATE sales_summary SET count = count - 1, amount = amount - OLD.price_minor
                    WHERE branch_id = OLD.branch_id AND day = OLD.sold_day AND plan_id = OLD.plan_id
                        AND method = coalesce(OLD.payment_method, 'owed') AND cashier = coalesce(OLD.sold_by, 0)
                        AND currency = OLD.currency;
                INSERT INTO sales_summary (branch_id, day, plan_id, method, cashier, currency, count, amount)
                    VALUES (NEW.branch_id, NEW.sold_day, NEW.plan_id, coalesce(NEW.payment_method, 'owed'),
                            coalesce(NEW.sold_by, 0), NEW.currency, 1, NEW.price_minor)
                ON CONFLICT (branch_id, day, plan_id, method, cashier, currency) DO UPDATE
                    SET count = count + 1, amount = amount + excluded.amount;
            END;
            CREATE TRIGGER pos_product_sold AFTER INSERT ON pos_sale_lines BEGIN
                INSERT INTO pos_product_daily (branch_id, day, product_id, quantity, amount)
                    SELECT s.branch_id, s.sold_day, NEW.product_id, NEW.quantity - NEW.refunded_quantity,
                           NEW.net_minor - NEW.refunded_minor
                    FROM pos_sales s WHERE s.id = NEW.sale_id AND s.status = 'completed'
                ON CONFLICT (branch_id, day, product_id) DO UPDATE
                    SET quantity = quantity + excluded.quantity, amount = amount + excluded.amount;
            END;
            CREATE TRIGGER pos_product_refunded AFTER UPDATE OF refunded_quantity, refunded_minor ON pos_sale_lines
            BEGIN
                UPDATE pos_product_daily
                    SET quantity = quantity - (NEW.refunded_quantity - OLD.refunded_quantity),
                        amount = amount - (NEW.refunded_minor - OLD.refunded_minor)
                    WHERE product_id = NEW.product_id AND (branch_id, day) =
                        (SELECT s.branch_id, s.sold_day FROM pos_sales s WHERE s.id = NEW.sale_id);
            END;
            CREATE TRIGGER pos_product_voided AFTER UPDATE OF status ON pos_sales
                WHEN OLD.status = 'completed' AND NEW.status = 'void' BEGIN
                INSERT INTO pos_product_daily (branch_id, day, product_id, quantity, amount)
                    SELECT NEW.branch_id, NEW.sold_day, l.product_id, -sum(l.quantity - l.refunded_quantity),
                           -sum(l.net_minor - l.refunded_minor)
                    FROM pos_sale_lines l WHERE l.sale_id = NEW.id GROUP BY l.product_id
                ON CONFLICT (branch_id, day, product_id) DO UPDATE
                    SET quantity = quantity + excluded.quantity, amount = amount + excluded.amount;
            END;
            CREATE TRIGGER attendance_reported AFTER INSERT ON attendance
                WHEN NEW.granted = 1 AND NEW.direction = 'in' BEGIN
                INSERT INTO attendance_hours (branch_id, hour, count) VALUES (NEW.branch_id, NEW.at / 3600000, 1)
                ON CONFLICT (branch_id, hour) DO UPDATE SET count = count + 1;
                INSERT INTO interbranch_daily (visited_branch, home_branch, day, count)
                    SELECT NEW.branch_id, s.branch_id, NEW.local_day, 1 FROM subscriptions s
                    WHERE s.id = NEW.subscription_id AND s.branch_id <> NEW.branch_id
                ON CONFLICT (day, visited_branch, home_branch) DO UPDATE SET count = count + 1;
                INSERT INTO last_visits (user_id, at, branch_id)
                    SELECT NEW.user_id, NEW.at, NEW.branch_id WHERE NEW.user_id IS NOT NULL
                ON CONFLICT (user_id) DO UPDATE SET at = excluded.at, branch_id = excluded.branch_id
                    WHERE excluded.at > last_visits.at;
            END;
            """)

    /// Step 28 on PostgreSQL: the same sums; attendance adds to them once per statement.
    static let postgresReports = Migration(
        version: 28, name: "report summaries",
        sql: """
            ALTER TABLE subscriptions ADD COLUMN payment_method TEXT
                CHECK (payment_method IN ('cash', 'card', 'transfer'));
            \(reportBackfillMethod)
            CREATE INDEX subscriptions_by_end ON subscriptions(end_day, id) WHERE status = 'active';
            CREATE INDEX audit_by_action ON audit(action, id);
            CREATE INDEX audit_by_time ON audit(at);
            CREATE TABLE sales_summary (
                branch_id BIGINT NOT NULL,
                day BIGINT NOT NULL,
                plan_id BIGINT NOT NULL,
                method TEXT NOT NULL,
                cashier BIGINT NOT NULL,
                currency TEXT NOT NULL,
                count BIGINT NOT NULL,
                amount BIGINT NOT NULL,
                PRIMARY KEY (branch_id, day, plan_id, method, cashier, currency)
            );
            CREATE TABLE attendance_hours (
                branch_id BIGINT NOT NULL,
                hour BIGINT NOT NULL,
                count BIGINT NOT NULL,
                PRIMARY KEY (branch_id, hour)
            );
            CREATE TABLE interbranch_daily (
                visited_branch BIGINT NOT NULL,
                home_branch BIGINT NOT NULL,
                day BIGINT NOT NULL,
                count BIGINT NOT NULL,
                PRIMARY KEY (day, visited_branch, home_branch)
            );
            CREATE TABLE last_visits (
                user_id BIGINT PRIMARY KEY,
                at BIGINT NOT NULL,
                branch_id BIGINT
            );
            CREATE TABLE pos_product_daily (
                branch_id BIGINT NOT NULL,
                day BIGINT NOT NULL,
                product_id BIGINT NOT NULL,
                quantity BIGINT NOT NULL,
                amount BIGINT NOT NULL,
                PRIMARY KEY (branch_id, day, product_id)
            );
            CREATE INDEX last_visits_by_time ON last_visits(at, user_id);
            \(reportBackfill)
            CREATE FUNCTION sales_summary_kept() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' THEN
                    IF coalesce(OLD.payment_method, 'owed') = coalesce(NEW.payment_method, 'owed') THEN
                        RETURN NULL;
                    END IF;
                    UPDATE sales_summary SET count = count - 1, amount = amount - OLD.price_minor
                        WHERE branch_id = OLD.branch_id AND day = OLD.sold_day AND plan_id = OLD.plan_id
                            AND method = coalesce(OLD.payment_method, 'owed')
                            AND cashier = coalesce(OLD.sold_by, 0) AND currency = OLD.currency;
                ELSE
                    INSERT INTO last_visits (user_id, at, branch_id) VALUES (NEW.user_id, 0, NULL)
                        ON CONFLICT (user_id) DO NOTHING;
                END IF;
                INSERT INTO sales_summary AS s (branch_id, day, plan_id, method, cashier, currency, count, amount)
                    VALUES (NEW.branch_id, NEW.sold_day, NEW.plan_id, coalesce(NEW.payment_method, 'owed'),
                            coalesce(NEW.sold_by, 0), NEW.currency, 1, NEW.price_minor)
                ON CONFLICT (branch_id, day, plan_id, method, cashier, currency) DO UPDATE
                    SET count = s.count + 1, amount = s.amount + excluded.amount;
                RETURN NULL;
            END $$;
            CREATE TRIGGER sales_summary_sold AFTER INSERT ON subscriptions
                FOR EACH ROW EXECUTE FUNCTION sales_summary_kept();
            CREATE TRIGGER sales_summary_paid AFTER UPDATE OF payment_method ON subscriptions
                FOR EACH ROW EXECUTE FUNCTION sales_summary_kept();
            CREATE FUNCTION pos_product_kept() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_TABLE_NAME = 'pos_sales' THEN
                    UPDATE pos_product_daily d SET quantity = d.quantity - l.quantity, amount = d.amount - l.amount
                        FROM (SELECT product_id, sum(quantity - refunded_quantity) AS quantity,
                                     sum(net_minor - refunded_minor) AS amount
                              FROM pos_sale_lines WHERE sale_id = NEW.id GROUP BY product_id) l
                        WHERE d.branch_id = NEW.branch_id AND d.day = NEW.sold_day AND d.product_id = l.product_id;
                ELSIF TG_OP = 'UPDATE' THEN
                    UPDATE pos_product_daily d
                        SET quantity = d.quantity - (NEW.refunded_quantity - OLD.refunded_quantity),
                            amount = d.amount - (NEW.refunded_minor - OLD.refunded_minor)
                        FROM pos_sales s
                        WHERE s.id = NEW.sale_id AND d.branch_id = s.branch_id AND d.day = s.sold_day
                            AND d.product_id = NEW.product_id;
                ELSE
                    INSERT INTO pos_product_daily AS d (branch_id, day, product_id, quantity, amount)
                        SELECT s.branch_id, s.sold_day, NEW.product_id, NEW.quantity - NEW.refunded_quantity,
                               NEW.net_minor - NEW.refunded_minor
                        FROM pos_sales s WHERE s.id = NEW.sale_id AND s.status = 'completed'
                    ON CONFLICT (branch_id, day, product_id) DO UPDATE
                        SET quantity = d.quantity + excluded.quantity, amount = d.amount + excluded.amount;
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER pos_product_sold AFTER INSERT ON pos_sale_lines
                FOR EACH ROW EXECUTE FUNCTION pos_product_kept();
            CREATE TRIGGER pos_product_refunded AFTER UPDATE OF refunded_quantity, refunded_minor ON pos_sale_lines
                FOR EACH ROW EXECUTE FUNCTION pos_product_kept();
            CREATE TRIGGER pos_product_voided AFTER UPDATE OF status ON pos_sales
                FOR EACH ROW WHEN (OLD.status = 'completed' AND NEW.status = 'void')
                EXECUTE FUNCTION pos_product_kept();
            CREATE FUNCTION attendance_reported() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO attendance_hours AS h (branch_id, hour, count)
                    SELECT branch_id, at / 3600000, count(*) FROM new_rows
                    WHERE granted = 1 AND direction = 'in' GROUP BY 1, 2
                ON CONFLICT (branch_id, hour) DO UPDATE SET count = h.count + excluded.count;
                INSERT INTO interbranch_daily AS d (visited_branch, home_branch, day, count)
                    SELECT n.branch_id, s.branch_id, n.local_day, count(*) FROM new_rows n
                    JOIN subscriptions s ON s.id = n.subscription_id
                    WHERE n.granted = 1 AND n.direction = 'in' AND s.branch_id <> n.branch_id GROUP BY 1, 2, 3
                ON CONFLICT (day, visited_branch, home_branch) DO UPDATE SET count = d.count + excluded.count;
                INSERT INTO last_visits AS l (user_id, at, branch_id)
                    SELECT DISTINCT ON (user_id) user_id, at, branch_id FROM new_rows
                    WHERE granted = 1 AND direction = 'in' AND user_id IS NOT NULL ORDER BY user_id, at DESC
                ON CONFLICT (user_id) DO UPDATE SET at = excluded.at, branch_id = excluded.branch_id
                    WHERE excluded.at > l.at;
                RETURN NULL;
            END $$;
            CREATE TRIGGER attendance_reported AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION attendance_reported();
            """)

    /// The method of a paid subscription sold before the column: the last settling payment's,
    /// else the cash movement the desk posted, else cash (the sale form's default).
    static let reportBackfillMethod = """
        CREATE INDEX cash_movements_by_subscription ON cash_movements(reference) WHERE kind = 'subscription';
        UPDATE subscriptions SET payment_method = coalesce(
            (SELECT p.method FROM subscription_payments p WHERE p.subscription_id = subscriptions.id
                AND p.outcome = 'paid' ORDER BY p.id DESC LIMIT 1),
            (SELECT m.method FROM cash_movements m WHERE m.kind = 'subscription'
                AND m.reference = 'subscription:' || subscriptions.id ORDER BY m.id LIMIT 1),
            'cash')
        WHERE payment_status = 'paid';
        """

    /// Fills the summaries from the rows already there (the migration; the report benchmark after
    /// its bulk load).
    package static let reportBackfill = """
        INSERT INTO sales_summary (branch_id, day, plan_id, method, cashier, currency, count, amount)
            SELECT branch_id, sold_day, plan_id, coalesce(payment_method, 'owed'), coalesce(sold_by, 0), currency,
                   count(*), sum(price_minor)
            FROM subscriptions GROUP BY 1, 2, 3, 4, 5, 6;
        INSERT INTO attendance_hours (branch_id, hour, count)
            SELECT branch_id, at / 3600000, count(*) FROM attendance WHERE granted = 1 AND direction = 'in'
            GROUP BY 1, 2;
        INSERT INTO interbranch_daily (visited_branch, home_branch, day, count)
            SELECT a.branch_id, s.branch_id, a.local_day, count(*) FROM attendance a
            JOIN subscriptions s ON s.id = a.subscription_id
            WHERE a.granted = 1 AND a.direction = 'in' AND s.branch_id <> a.branch_id GROUP BY 1, 2, 3;
        INSERT INTO last_visits (user_id, at, branch_id)
            SELECT user_id, max(at), CAST(NULL AS BIGINT) FROM attendance WHERE granted = 1 AND direction = 'in'
                AND user_id IS NOT NULL GROUP BY user_id;
        UPDATE last_visits SET branch_id = (SELECT a.branch_id FROM attendance a
            WHERE a.user_id = last_visits.user_id AND a.at = last_visits.at LIMIT 1);
        INSERT INTO pos_product_daily (branch_id, day, product_id, quantity, amount)
            SELECT s.branch_id, s.sold_day, l.product_id, sum(l.quantity - l.refunded_quantity),
                   sum(l.net_minor - l.refunded_minor)
            FROM pos_sales s JOIN pos_sale_lines l ON l.sale_id = s.id WHERE s.status = 'completed'
            GROUP BY 1, 2, 3;
        INSERT INTO last_visits (user_id, at, branch_id)
            SELECT DISTINCT s.user_id, 0, CAST(NULL AS BIGINT) FROM subscriptions s
            WHERE NOT EXISTS (SELECT 1 FROM last_visits l WHERE l.user_id = s.user_id);
        """
}
