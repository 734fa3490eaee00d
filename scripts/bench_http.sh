#!/usr/bin/env bash
# The core's HTTP server under wrk: 1,000 keep-alive connections on /api/v1/health (static),
# /api/v1/me (the caller's account: a read transaction, the sign-in generation from SQLite and
# the session the connection keeps, a JSON answer) and /api/v1/notifications/unread (a count
# SQLite computes on every request), three runs each, next to nginx answering a static 200 on the
# same machine in the same minutes (the machine's speed drifts, so the reference is measured each
# time). The core runs over SQLite, then over PostgreSQL (a throwaway cluster with PostgreSQL's
# durable defaults, as scripts/lib/postgres.sh starts it). Usage: scripts/bench_http.sh [RUNS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
source scripts/lib/postgres.sh
install_packages libsqlite3-dev libgpiod-dev libudev-dev libssl-dev libcurl4-openssl-dev libpq-dev pkg-config wrk \
    nginx-light curl postgresql

runs=${1:-3}
seconds=${2:-10}
work=$(mktemp -d)
core_port=18080
nginx_port=18090
ulimit -n 8192
trap 'kill "$core_pid" 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; stop_test_postgres; rm -rf "$work"' EXIT
core_pid=""

swift build -c release --product portero-core
summary() { grep -E '^ +(50|99)%|Requests/sec' | awk '{printf "%s %s  ", $1, $2} END {print ""}'; }

cat > "$work/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$nginx_port; location / { default_type application/json; return 200 '{"status":"ok"}'; } }
}
EOF
nginx -c "$work/nginx.conf"
for _ in $(seq "$runs"); do
    echo "nginx static 200:  $(wrk -t2 -c1000 -d"${seconds}s" --latency "http://127.0.0.1:$nginx_port/" | summary)"
done
kill "$(cat "$work/nginx.pid")"

# bench_core LABEL DATABASE: a core over DATABASE under wrk, RUNS times each path.
bench_core() {
    local label=$1 database=$2
    echo "==> the core over $label"
    echo 'Secreto123' | .build/release/portero-core init --database "$database" --username root --email root@club.mx > /dev/null
    .build/release/portero-core serve --database "$database" --port "$core_port" --max-per-address 2000 > "$work/core.log" 2>&1 &
    core_pid=$!
    for _ in $(seq 50); do curl -s "http://127.0.0.1:$core_port/api/v1/health" > /dev/null && break; sleep 0.1; done
    cookie=$(curl -si -X POST -H 'Content-Type: application/json' -d '{"login":"root","password":"Secreto123"}' \
        "http://127.0.0.1:$core_port/api/v1/session" | grep -i '^set-cookie' | grep -o 'portero_session=[^;]*')
    for _ in $(seq "$runs"); do
        echo "GET /api/v1/health: $(wrk -t2 -c1000 -d"${seconds}s" --latency "http://127.0.0.1:$core_port/api/v1/health" | summary)"
        echo "GET /api/v1/me:     $(wrk -t2 -c1000 -d"${seconds}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$core_port/api/v1/me" | summary)"
        echo "GET /api/v1/notifications/unread: $(wrk -t2 -c1000 -d"${seconds}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$core_port/api/v1/notifications/unread" | summary)"
    done
    echo "GET /api/v1/me, 100 connections: $(wrk -t2 -c100 -d"${seconds}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$core_port/api/v1/me" | summary)"
    kill "$core_pid"
    wait "$core_pid" 2>/dev/null || true
    core_pid=""
}

bench_core SQLite "$work/core.sqlite"
start_test_postgres durable
psql -q "$PORTERO_TEST_POSTGRES" -c "CREATE DATABASE bench_http"
bench_core PostgreSQL "$(echo "$PORTERO_TEST_POSTGRES" | sed 's|/postgres?|/bench_http?|')"
