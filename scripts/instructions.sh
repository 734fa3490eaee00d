#!/usr/bin/env bash
# Instructions the core executes per request, without sockets: `portero-bench handler` (decoder,
# router, authentication, SQLite, JSON, serialization) run twice under valgrind's callgrind, with
# 5,000 and 15,000 requests per run; the difference over the 60,000 extra requests leaves out
# the start-up (the database, the sign-in's scrypt). Instruction counts do not move with the
# machine's speed or load, so two builds compare exactly where timings drift by a quarter.
# Usage: scripts/instructions.sh [PATH...]   (default /api/v1/health /api/v1/me /api/v1/users/1)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
install_packages libsqlite3-dev libgpiod-dev libudev-dev libssl-dev libcurl4-openssl-dev pkg-config valgrind

paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(/api/v1/health /api/v1/me /api/v1/users/1)
swift build -c release --product portero-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Total instructions of one run of the benchmark with REQUESTS requests per timed run.
count() {
    valgrind --tool=callgrind --callgrind-out-file="$work/out" .build/release/portero-bench handler \
        --target "$1" --requests "$2" --path "$work/db" > /dev/null 2> "$work/log"
    grep -E '^(summary|totals):' "$work/out" | head -n 1 | awk '{print $2}'
}

echo "path               instructions/request"
for path in "${paths[@]}"; do
    few=$(count "$path" 5000)
    many=$(count "$path" 15000)
    # Six runs of each size (one warm-up, five timed).
    printf "%-18s %10d\n" "$path" $(( (many - few) / 60000 ))
done
