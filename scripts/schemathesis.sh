#!/usr/bin/env bash
# Runs schemathesis (PyPI, in .build-venv) against a live portero-core built in .build/debug:
# a fresh database, the first SuperAdministrador, a branch and a personal API token, then every
# operation of /api/v1/openapi.json with generated and mutated requests, every check of schemathesis
# (answers as documented, valid requests accepted, invalid ones refused; see schemathesis.toml).
# Usage: scripts/schemathesis.sh [MAX_EXAMPLES] [postgres]   (default 100 per operation, on SQLite;
# with "postgres", on a new database of the cluster PORTERO_TEST_POSTGRES names)
# One worker: with two, hypothesis's lambda-description cache was seen to race in its own code.
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-100}"
core=.build/debug/portero-core
workdir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$workdir"' EXIT

database="$workdir/core.sqlite"
if [ "${2:-sqlite}" = "postgres" ]; then
    : "${PORTERO_TEST_POSTGRES:?the postgres run needs PORTERO_TEST_POSTGRES (scripts/test.sh sets it)}"
    name="schemathesis_$$"
    psql -q "$PORTERO_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
    database="${PORTERO_TEST_POSTGRES/\/postgres?//$name?}"
    trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$workdir"; psql -q "$PORTERO_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true' EXIT
fi
echo 'Secreto123' | "$core" init --database "$database" --username root --email root@club.mx >/dev/null
"$core" serve --database "$database" --port 0 > "$workdir/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q 'serving' "$workdir/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://[^ /]*' "$workdir/serve.log" | head -1)

python=.build-venv/bin/python3
# Sign in, make a branch and a token for the generated requests.
token=$("$python" - "$base" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def call(method, path, body=None, headers={}):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request) as response:
        return response.headers, json.loads(response.read() or b"{}")
headers, answer = call("POST", "/api/v1/session", {"login": "root", "password": "Secreto123"})
cookie = headers["Set-Cookie"].split(";")[0]
auth = {"Cookie": cookie, "X-CSRF-Token": answer["csrfToken"]}
call("POST", "/api/v1/branches", {"name": "Centro", "city": "CDMX", "timeZone": "America/Mexico_City"}, auth)
_, created = call("POST", "/api/v1/tokens", {"name": "schemathesis"}, auth)
print(created["token"])
PY
)

status=0
.build-venv/bin/schemathesis --config-file scripts/schemathesis.toml run "$base/api/v1/openapi.json" \
    --checks "${SCHEMATHESIS_CHECKS:-all}" \
    --header "Authorization: Bearer $token" \
    --max-examples "$examples" \
    --seed 20261122 \
    --workers 1 \
    --warnings off \
    --report junit --report-dir .build/schemathesis || status=$?
if [ "$status" -ne 0 ]; then
    echo "==> the core's log:"
    cat "$workdir/serve.log"
    if [ -n "${SCHEMATHESIS_HOLD:-}" ]; then echo "holding pid $server"; sleep "$SCHEMATHESIS_HOLD"; fi
    exit "$status"
fi

# The core must also still be up and its audit chain intact after the barrage.
curl -sf "$base/api/v1/health" >/dev/null
"$core" audit verify --database "$database"
