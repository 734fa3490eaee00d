#!/usr/bin/env bash
# Builds libFuzzer targets for the reader parsers and runs each for a number of executions.
#   scripts/fuzz.sh [RUNS] [TARGET...]      RUNS defaults to 1000000; targets: em4100 wiegand keypad osdp http
# Each target is one Swift module made of PorteroModel, the Readers parsers and Fuzz/TARGET.swift,
# compiled with -sanitize=fuzzer,address. Crashes are written to .build-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(em4100 wiegand keypad osdp http)

out=.build-fuzz
mkdir -p "$out/src-readers" "$out/src-http"
rm -f "$out"/src-readers/*.swift "$out"/src-http/*.swift
# One module per family: the import lines between our own modules go away.
# The parsers only: the transports (Transports.swift, OSDPBus.swift) need the Hardware module.
for file in Sources/PorteroModel/*/*.swift $(ls Sources/Readers/*.swift Sources/Readers/OSDP/*.swift | grep -v -e Transports.swift -e OSDPBus.swift); do
    sed -e '/^import PorteroModel$/d' -e '/^import Hardware$/d' "$file" > "$out/src-readers/$(echo "$file" | tr / _)"
done
# The HTTP codec: the decoder and its types (the server and io_uring are a module of their own).
cp Sources/HTTP/*.swift "$out/src-http/"

status=0
for target in "${targets[@]}"; do
    echo "==> fuzz-$target: building"
    sources="$out/src-readers"
    [ "$target" = http ] && sources="$out/src-http"
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Fuzz "$sources"/*.swift "Fuzz/$target.swift" \
        -o "$out/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
    mkdir -p "$out/corpus-$target"
    # Seed inputs (valid requests, frames) start the search where the interesting code is.
    [ -d "Fuzz/seeds/$target" ] && cp Fuzz/seeds/"$target"/* "$out/corpus-$target/"
    echo "==> fuzz-$target: $runs executions"
    if "$out/fuzz-$target" -runs="$runs" -max_len=512 -artifact_prefix="$out/crash-$target-" "$out/corpus-$target" \
        > "$out/fuzz-$target.log" 2>&1; then
        tail -n 2 "$out/fuzz-$target.log"
    else
        status=1
        echo "fuzz-$target FAILED:"; tail -n 30 "$out/fuzz-$target.log"
    fi
done
exit $status
