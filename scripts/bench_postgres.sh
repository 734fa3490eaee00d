#!/usr/bin/env bash
# The core over PostgreSQL beside the core over SQLite, in one run on one machine: revocation to
# 3,000 long-polling devices (one SQLite core; two PostgreSQL instances), the sync benchmark
# (snapshot of 1,000,000 members, attendance upload, revocation to 50 daemons) on each database,
# and scripts/bench_http.sh (wrk on /api/v1/me, both databases). PostgreSQL is a throwaway cluster
# with its durable defaults (fsync and synchronous commit on), as scripts/lib/postgres.sh starts it.
# Usage: scripts/bench_postgres.sh [MEMBERS] [DEVICES]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
source scripts/lib/postgres.sh
install_packages libsqlite3-dev libgpiod-dev libudev-dev libssl-dev libcurl4-openssl-dev libpq-dev pkg-config \
    postgresql

members=${1:-1000000}
devices=${2:-3000}
work=$(mktemp -d)
trap 'stop_test_postgres; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)"

swift build -c release --product portero-bench
bench=.build/release/portero-bench
start_test_postgres durable
database() {
    psql -q "$PORTERO_TEST_POSTGRES" -c "CREATE DATABASE $1"
    echo "$PORTERO_TEST_POSTGRES" | sed "s|/postgres?|/$1?|"
}

echo "==> revocation to $devices devices: SQLite, one core"
TMPDIR=$work $bench fanout --devices "$devices" --instances 1
echo "==> revocation to $devices devices: PostgreSQL, two instances"
$bench fanout --devices "$devices" --instances 2 --database "$(database fanout)"

echo "==> sync, SQLite"
$bench sync --members "$members" --events "$members" --path "$work/sync-sqlite"
rm -rf "$work/sync-sqlite"
echo "==> sync, PostgreSQL"
$bench sync --members "$members" --events "$members" --path "$work/sync-postgres" --database "$(database sync)"
stop_test_postgres

scripts/bench_http.sh 3 10
