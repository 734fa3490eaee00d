# Sourced by scripts/test.sh: `start_test_postgres` starts a throwaway PostgreSQL cluster in a
# temporary folder (Debian's postgresql package; trust authentication on a Unix socket in that
# folder only, no TCP) and exports PORTERO_TEST_POSTGRES, the URL of its maintenance database.
# `stop_test_postgres` stops it and removes the folder. As root, the server runs as `postgres`.
# `start_test_postgres durable` keeps PostgreSQL's default fsync and synchronous commit, for
# benchmarks set beside SQLite's durable writes.
start_test_postgres() {
    local bin run=""
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PORTERO_PG_DIR=$(mktemp -d /tmp/portero-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PORTERO_PG_DIR"
        run="runuser -u postgres --"
    fi
    $run "$bin/initdb" -D "$PORTERO_PG_DIR/data" -U portero --auth=trust -E UTF8 --locale=C.UTF-8 -N >/dev/null
    # Durability is not under test here: fsync off keeps a test database fast on a slow disk.
    local durability="-c fsync=off -c synchronous_commit=off"
    [ "${1:-}" = "durable" ] && durability=""
    $run "$bin/pg_ctl" -D "$PORTERO_PG_DIR/data" -l "$PORTERO_PG_DIR/server.log" -w -s \
        -o "-k $PORTERO_PG_DIR -c listen_addresses='' $durability -c max_connections=300" \
        start
    export PORTERO_TEST_POSTGRES="postgresql:///postgres?host=$PORTERO_PG_DIR&user=portero"
    PORTERO_PG_RUN="$run"
    PORTERO_PG_BIN="$bin"
}

stop_test_postgres() {
    [ -n "${PORTERO_PG_DIR:-}" ] || return 0
    $PORTERO_PG_RUN "$PORTERO_PG_BIN/pg_ctl" -D "$PORTERO_PG_DIR/data" -m immediate -s stop || true
    rm -rf "$PORTERO_PG_DIR"
    PORTERO_PG_DIR=""
}
