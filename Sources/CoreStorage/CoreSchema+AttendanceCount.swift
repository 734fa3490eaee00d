import SQLite

extension CoreSchema {
    /// PostgreSQL counts uploaded attendance once per statement rather than once per row: a batch
    /// of events adds to each day's sum in one update (one version of the sum row, not one per
    /// event), notifies once, and puts the members whose visits other branches count in the feed in
    /// one insert. SQLite keeps its row trigger: in-process, a row costs it no round trip.
    static let postgresAttendanceCount = Migration(
        version: 26, name: "attendance counted per statement",
        sql: """
            DROP TRIGGER attendance_counted ON attendance;
            DROP FUNCTION attendance_counted();
            CREATE FUNCTION attendance_counted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO attendance_daily AS a (branch_id, local_day, granted, count)
                    SELECT branch_id, local_day, granted, count(*) FROM new_rows
                    GROUP BY branch_id, local_day, granted
                ON CONFLICT (branch_id, local_day, granted) DO UPDATE SET count = a.count + excluded.count;
                PERFORM pg_notify('portero_changes', '');
                -- An entry other branches count (on a pack, or by a member whose plan limits visits
                -- per period) puts the member in the feed again as 'visits'. Only when there is one:
                -- an insert into change_log takes the feed's order lock.
                IF EXISTS (SELECT 1 FROM new_rows n WHERE attendance_counts_elsewhere(
                    n.granted, n.direction, n.user_id, n.subscription_id, n.local_day)) THEN
                    INSERT INTO change_log (at, entity, entity_id)
                        SELECT n.received_at, 'visits', n.user_id FROM new_rows n
                        WHERE attendance_counts_elsewhere(
                            n.granted, n.direction, n.user_id, n.subscription_id, n.local_day);
                END IF;
                RETURN NULL;
            END $$;
            -- Arguments: granted, direction, user, subscription, local day.
            CREATE FUNCTION attendance_counts_elsewhere(BIGINT, TEXT, BIGINT, BIGINT, BIGINT)
            RETURNS boolean LANGUAGE sql STABLE AS $$
                SELECT $1 = 1 AND $2 = 'in' AND $3 IS NOT NULL AND (
                    ($4 IS NOT NULL AND (
                        SELECT v.visits_total FROM subscriptions s JOIN plan_versions v ON v.id = s.plan_version_id
                        WHERE s.id = $4) IS NOT NULL)
                    OR EXISTS (
                        SELECT 1 FROM subscriptions s JOIN plan_versions v ON v.id = s.plan_version_id
                        WHERE s.user_id = $3 AND s.status = 'active'
                            AND s.paid_through_day >= $5 AND v.visits_per_period = 1))
            $$;
            CREATE TRIGGER attendance_counted AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION attendance_counted();
            """)
}
