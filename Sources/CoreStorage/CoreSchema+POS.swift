import SQLite

extension CoreSchema {
    /// Step 16: the point of sale (catalogue, stock per branch, tickets, refunds, purchases) and
    /// the cash registers with their shifts, ledger of cash movements and cuts. A closed cut never
    /// changes: its movements, counts and shift row refuse updates and deletes, and only a
    /// correction may be added to it.
    static let pointOfSale = Migration(
        version: 16, name: "point of sale and cash cut",
        sql: """
            CREATE TABLE pos_categories (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                active INTEGER NOT NULL CHECK (active IN (0, 1))
            ) STRICT;
            CREATE TABLE pos_products (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                sku TEXT NOT NULL UNIQUE,
                price_minor INTEGER NOT NULL CHECK (price_minor > 0),
                tax_basis_points INTEGER NOT NULL CHECK (tax_basis_points BETWEEN 0 AND 10000),
                category_id INTEGER REFERENCES pos_categories(id),
                active INTEGER NOT NULL CHECK (active IN (0, 1)),
                tracks_stock INTEGER NOT NULL CHECK (tracks_stock IN (0, 1)),
                allows_negative_stock INTEGER NOT NULL CHECK (allows_negative_stock IN (0, 1)),
                created_at INTEGER NOT NULL
            ) STRICT;
            -- Stock on hand, kept by the same transaction that writes each movement.
            CREATE TABLE pos_stock (
                product_id INTEGER NOT NULL REFERENCES pos_products(id),
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                quantity INTEGER NOT NULL,
                PRIMARY KEY (product_id, branch_id)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE pos_stock_movements (
                id INTEGER PRIMARY KEY,
                product_id INTEGER NOT NULL REFERENCES pos_products(id),
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                kind TEXT NOT NULL CHECK (kind IN ('purchase', 'sale', 'refund', 'void', 'adjustment')),
                quantity INTEGER NOT NULL CHECK (quantity <> 0),
                reference TEXT NOT NULL,
                reason TEXT NOT NULL,
                by_user INTEGER NOT NULL REFERENCES users(id),
                at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX pos_stock_movements_by_product ON pos_stock_movements (product_id, branch_id, id);

            CREATE TABLE cash_registers (
                id INTEGER PRIMARY KEY,
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                name TEXT NOT NULL,
                active INTEGER NOT NULL CHECK (active IN (0, 1)),
                UNIQUE (branch_id, name)
            ) STRICT;
            CREATE TABLE cash_shifts (
                id INTEGER PRIMARY KEY,
                register_id INTEGER NOT NULL REFERENCES cash_registers(id),
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                opened_by INTEGER NOT NULL REFERENCES users(id),
                opened_at INTEGER NOT NULL,
                float_minor INTEGER NOT NULL CHECK (float_minor >= 0),
                closed_by INTEGER REFERENCES users(id),
                closed_at INTEGER,
                CHECK ((closed_by IS NULL) = (closed_at IS NULL))
            ) STRICT;
            -- One open shift per register: of two opens at once, the second breaks this index.
            CREATE UNIQUE INDEX cash_shifts_one_open ON cash_shifts (register_id) WHERE closed_at IS NULL;
            CREATE TRIGGER cash_shifts_closed_never_change BEFORE UPDATE ON cash_shifts
                WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'a closed cut never changes'); END;
            -- Every amount that enters or leaves a register, signed, by payment method.
            CREATE TABLE cash_movements (
                id INTEGER PRIMARY KEY,
                shift_id INTEGER NOT NULL REFERENCES cash_shifts(id),
                kind TEXT NOT NULL CHECK (kind IN ('sale', 'void', 'refund', 'withdrawal', 'deposit', 'correction',
                    'subscription')),
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                amount_minor INTEGER NOT NULL,
                reference TEXT NOT NULL,
                reason TEXT NOT NULL,
                by_user INTEGER NOT NULL REFERENCES users(id),
                at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX cash_movements_by_shift ON cash_movements (shift_id, id);
            CREATE TRIGGER cash_movements_closed_cut BEFORE INSERT ON cash_movements
                WHEN NEW.kind <> 'correction'
                    AND (SELECT closed_at FROM cash_shifts WHERE id = NEW.shift_id) IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'a closed cut takes only corrections'); END;
            CREATE TRIGGER cash_movements_never_updated BEFORE UPDATE ON cash_movements
                BEGIN SELECT RAISE(ABORT, 'cash movements never change'); END;
            CREATE TRIGGER cash_movements_never_deleted BEFORE DELETE ON cash_movements
                BEGIN SELECT RAISE(ABORT, 'cash movements never change'); END;
            CREATE TABLE cash_counts (
                shift_id INTEGER NOT NULL REFERENCES cash_shifts(id),
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                expected_minor INTEGER NOT NULL,
                counted_minor INTEGER NOT NULL CHECK (counted_minor >= 0),
                PRIMARY KEY (shift_id, method)
            ) STRICT, WITHOUT ROWID;
            CREATE TRIGGER cash_counts_never_updated BEFORE UPDATE ON cash_counts
                BEGIN SELECT RAISE(ABORT, 'a closed cut never changes'); END;
            CREATE TRIGGER cash_counts_never_deleted BEFORE DELETE ON cash_counts
                BEGIN SELECT RAISE(ABORT, 'a closed cut never changes'); END;

            CREATE TABLE pos_sales (
                id INTEGER PRIMARY KEY,
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                shift_id INTEGER NOT NULL REFERENCES cash_shifts(id),
                sold_by INTEGER NOT NULL REFERENCES users(id),
                sold_at INTEGER NOT NULL,
                sold_day INTEGER NOT NULL,
                subtotal_minor INTEGER NOT NULL CHECK (subtotal_minor > 0),
                discount_minor INTEGER NOT NULL CHECK (discount_minor >= 0),
                total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
                tax_minor INTEGER NOT NULL CHECK (tax_minor >= 0),
                change_minor INTEGER NOT NULL CHECK (change_minor >= 0),
                status TEXT NOT NULL CHECK (status IN ('completed', 'void')),
                voided_by INTEGER REFERENCES users(id),
                voided_at INTEGER,
                void_reason TEXT
            ) STRICT;
            CREATE INDEX pos_sales_by_shift ON pos_sales (shift_id, id);
            CREATE INDEX pos_sales_by_branch ON pos_sales (branch_id, sold_day);
            CREATE TABLE pos_sale_lines (
                sale_id INTEGER NOT NULL REFERENCES pos_sales(id),
                line INTEGER NOT NULL CHECK (line >= 1),
                product_id INTEGER NOT NULL REFERENCES pos_products(id),
                name TEXT NOT NULL,
                sku TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor > 0),
                discount_minor INTEGER NOT NULL CHECK (discount_minor >= 0),
                -- What the line is paid: after its discount and its share of the ticket's.
                net_minor INTEGER NOT NULL CHECK (net_minor >= 0),
                tax_basis_points INTEGER NOT NULL,
                tax_minor INTEGER NOT NULL,
                refunded_quantity INTEGER NOT NULL CHECK (refunded_quantity BETWEEN 0 AND quantity),
                refunded_minor INTEGER NOT NULL CHECK (refunded_minor BETWEEN 0 AND net_minor),
                PRIMARY KEY (sale_id, line)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE pos_sale_payments (
                sale_id INTEGER NOT NULL REFERENCES pos_sales(id),
                position INTEGER NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                PRIMARY KEY (sale_id, position)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE pos_refunds (
                id INTEGER PRIMARY KEY,
                sale_id INTEGER NOT NULL REFERENCES pos_sales(id),
                shift_id INTEGER NOT NULL REFERENCES cash_shifts(id),
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
                reason TEXT NOT NULL,
                by_user INTEGER NOT NULL REFERENCES users(id),
                at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX pos_refunds_by_sale ON pos_refunds (sale_id);
            CREATE TABLE pos_refund_lines (
                refund_id INTEGER NOT NULL REFERENCES pos_refunds(id),
                line INTEGER NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
                PRIMARY KEY (refund_id, line)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE pos_purchases (
                id INTEGER PRIMARY KEY,
                branch_id INTEGER NOT NULL REFERENCES branches(id),
                supplier TEXT NOT NULL,
                total_cost_minor INTEGER NOT NULL CHECK (total_cost_minor >= 0),
                by_user INTEGER NOT NULL REFERENCES users(id),
                at INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE pos_purchase_lines (
                purchase_id INTEGER NOT NULL REFERENCES pos_purchases(id),
                line INTEGER NOT NULL,
                product_id INTEGER NOT NULL REFERENCES pos_products(id),
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                unit_cost_minor INTEGER NOT NULL CHECK (unit_cost_minor >= 0),
                PRIMARY KEY (purchase_id, line)
            ) STRICT, WITHOUT ROWID;
            -- Each branch's POS sales per local day, kept by the sale, void and refund transactions.
            CREATE TABLE pos_sales_daily (
                branch_id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                count INTEGER NOT NULL,
                amount_minor INTEGER NOT NULL,
                refunded_minor INTEGER NOT NULL,
                PRIMARY KEY (branch_id, day)
            ) STRICT, WITHOUT ROWID;
            """)

    /// Step 16 on PostgreSQL: the same tables, with PL/pgSQL for the triggers.
    static let postgresPointOfSale = Migration(
        version: 16, name: "point of sale and cash cut",
        sql: """
            CREATE TABLE pos_categories (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                active BIGINT NOT NULL CHECK (active IN (0, 1))
            );
            CREATE TABLE pos_products (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL,
                sku TEXT NOT NULL UNIQUE,
                price_minor BIGINT NOT NULL CHECK (price_minor > 0),
                tax_basis_points BIGINT NOT NULL CHECK (tax_basis_points BETWEEN 0 AND 10000),
                category_id BIGINT REFERENCES pos_categories(id),
                active BIGINT NOT NULL CHECK (active IN (0, 1)),
                tracks_stock BIGINT NOT NULL CHECK (tracks_stock IN (0, 1)),
                allows_negative_stock BIGINT NOT NULL CHECK (allows_negative_stock IN (0, 1)),
                created_at BIGINT NOT NULL
            );
            CREATE TABLE pos_stock (
                product_id BIGINT NOT NULL REFERENCES pos_products(id),
                branch_id BIGINT NOT NULL REFERENCES branches(id),
                quantity BIGINT NOT NULL,
                PRIMARY KEY (product_id, branch_id)
            );
            CREATE TABLE pos_stock_movements (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                product_id BIGINT NOT NULL REFERENCES pos_products(id),
                branch_id BIGINT NOT NULL REFERENCES branches(id),
                kind TEXT NOT NULL CHECK (kind IN ('purchase', 'sale', 'refund', 'void', 'adjustment')),
                quantity BIGINT NOT NULL CHECK (quantity <> 0),
                reference TEXT NOT NULL,
                reason TEXT NOT NULL,
                by_user BIGINT NOT NULL REFERENCES users(id),
                at BIGINT NOT NULL
            );
            CREATE INDEX pos_stock_movements_by_product ON pos_stock_movements (product_id, branch_id, id);

            CREATE TABLE cash_registers (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                branch_id BIGINT NOT NULL REFERENCES branches(id),
                name TEXT NOT NULL,
                active BIGINT NOT NULL CHECK (active IN (0, 1)),
                UNIQUE (branch_id, name)
            );
            CREATE TABLE cash_shifts (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                register_id BIGINT NOT NULL REFERENCES cash_registers(id),
                branch_id BIGINT NOT NULL REFERENCES branches(id),
                opened_by BIGINT NOT NULL REFERENCES users(id),
                opened_at BIGINT NOT NULL,
                float_minor BIGINT NOT NULL CHECK (float_minor >= 0),
                closed_by BIGINT REFERENCES users(id),
                closed_at BIGINT,
                CHECK ((closed_by IS NULL) = (closed_at IS NULL))
            );
            CREATE UNIQUE INDEX cash_shifts_one_open ON cash_shifts (register_id) WHERE closed_at IS NULL;
            CREATE FUNCTION cash_cut_is_closed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'a closed cut never changes'; END $$;
            CREATE TRIGGER cash_shifts_closed_never_change BEFORE UPDATE ON cash_shifts
                FOR EACH ROW WHEN (OLD.closed_at IS NOT NULL) EXECUTE FUNCTION cash_cut_is_closed();
            CREATE TABLE cash_movements (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                shift_id BIGINT NOT NULL REFERENCES cash_shifts(id),
                kind TEXT NOT NULL CHECK (kind IN ('sale', 'void', 'refund', 'withdrawal', 'deposit', 'correction',
                    'subscription')),
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                amount_minor BIGINT NOT NULL,
                reference TEXT NOT NULL,
                reason TEXT NOT NULL,
                by_user BIGINT NOT NULL REFERENCES users(id),
                at BIGINT NOT NULL
            );
            CREATE INDEX cash_movements_by_shift ON cash_movements (shift_id, id);
            CREATE FUNCTION cash_movement_on_open_cut() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.kind <> 'correction'
                    AND (SELECT closed_at FROM cash_shifts WHERE id = NEW.shift_id) IS NOT NULL THEN
                    RAISE EXCEPTION 'a closed cut takes only corrections';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER cash_movements_closed_cut BEFORE INSERT ON cash_movements
                FOR EACH ROW EXECUTE FUNCTION cash_movement_on_open_cut();
            CREATE TRIGGER cash_movements_never_change BEFORE UPDATE OR DELETE ON cash_movements
                FOR EACH ROW EXECUTE FUNCTION cash_cut_is_closed();
            CREATE TABLE cash_counts (
                shift_id BIGINT NOT NULL REFERENCES cash_shifts(id),
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                expected_minor BIGINT NOT NULL,
                counted_minor BIGINT NOT NULL CHECK (counted_minor >= 0),
                PRIMARY KEY (shift_id, method)
            );
            CREATE TRIGGER cash_counts_never_change BEFORE UPDATE OR DELETE ON cash_counts
                FOR EACH ROW EXECUTE FUNCTION cash_cut_is_closed();

            CREATE TABLE pos_sales (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                branch_id BIGINT NOT NULL REFERENCES branches(id),
                shift_id BIGINT NOT NULL REFERENCES cash_shifts(id),
                sold_by BIGINT NOT NULL REFERENCES users(id),
                sold_at BIGINT NOT NULL,
                sold_day BIGINT NOT NULL,
                subtotal_minor BIGINT NOT NULL CHECK (subtotal_minor > 0),
                discount_minor BIGINT NOT NULL CHECK (discount_minor >= 0),
                total_minor BIGINT NOT NULL CHECK (total_minor >= 0),
                tax_minor BIGINT NOT NULL CHECK (tax_minor >= 0),
                change_minor BIGINT NOT NULL CHECK (change_minor >= 0),
                status TEXT NOT NULL CHECK (status IN ('completed', 'void')),
                voided_by BIGINT REFERENCES users(id),
                voided_at BIGINT,
                void_reason TEXT
            );
            CREATE INDEX pos_sales_by_shift ON pos_sales (shift_id, id);
            CREATE INDEX pos_sales_by_branch ON pos_sales (branch_id, sold_day);
            CREATE TABLE pos_sale_lines (
                sale_id BIGINT NOT NULL REFERENCES pos_sales(id),
                line BIGINT NOT NULL CHECK (line >= 1),
                product_id BIGINT NOT NULL REFERENCES pos_products(id),
                name TEXT NOT NULL,
                sku TEXT NOT NULL,
                quantity BIGINT NOT NULL CHECK (quantity > 0),
                unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor > 0),
                discount_minor BIGINT NOT NULL CHECK (discount_minor >= 0),
                net_minor BIGINT NOT NULL CHECK (net_minor >= 0),
                tax_basis_points BIGINT NOT NULL,
                tax_minor BIGINT NOT NULL,
                refunded_quantity BIGINT NOT NULL CHECK (refunded_quantity BETWEEN 0 AND quantity),
                refunded_minor BIGINT NOT NULL CHECK (refunded_minor BETWEEN 0 AND net_minor),
                PRIMARY KEY (sale_id, line)
            );
            CREATE TABLE pos_sale_payments (
                sale_id BIGINT NOT NULL REFERENCES pos_sales(id),
                position BIGINT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
                PRIMARY KEY (sale_id, position)
            );
            CREATE TABLE pos_refunds (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                sale_id BIGINT NOT NULL REFERENCES pos_sales(id),
                shift_id BIGINT NOT NULL REFERENCES cash_shifts(id),
                method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
                amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
                reason TEXT NOT NULL,
                by_user BIGINT NOT NULL REFERENCES users(id),
                at BIGINT NOT NULL
            );
            CREATE INDEX pos_refunds_by_sale ON pos_refunds (sale_id);
            CREATE TABLE pos_refund_lines (
                refund_id BIGINT NOT NULL REFERENCES pos_refunds(id),
                line BIGINT NOT NULL,
                quantity BIGINT NOT NULL CHECK (quantity > 0),
                amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
                PRIMARY KEY (refund_id, line)
            );
            CREATE TABLE pos_purchases (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                branch_id BIGINT NOT NULL REFERENCES branches(id),
                supplier TEXT NOT NULL,
                total_cost_minor BIGINT NOT NULL CHECK (total_cost_minor >= 0),
                by_user BIGINT NOT NULL REFERENCES users(id),
                at BIGINT NOT NULL
            );
            CREATE TABLE pos_purchase_lines (
                purchase_id BIGINT NOT NULL REFERENCES pos_purchases(id),
                line BIGINT NOT NULL,
                product_id BIGINT NOT NULL REFERENCES pos_products(id),
                quantity BIGINT NOT NULL CHECK (quantity > 0),
                unit_cost_minor BIGINT NOT NULL CHECK (unit_cost_minor >= 0),
                PRIMARY KEY (purchase_id, line)
            );
            CREATE TABLE pos_sales_daily (
                branch_id BIGINT NOT NULL,
                day BIGINT NOT NULL,
                count BIGINT NOT NULL,
                amount_minor BIGINT NOT NULL,
                refunded_minor BIGINT NOT NULL,
                PRIMARY KEY (branch_id, day)
            );
            """)
}
