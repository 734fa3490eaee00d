#!/usr/bin/env bash
# Portero's one test command: installs what the tests need on Debian 12, builds, runs every test
# on this machine, then runs the same test bundle inside the vmtest VM, where the tests that need
# real kernel devices (gpio-sim, uinput, serial gadget) run too.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/packages.sh
. scripts/lib/postgres.sh
# chromium drives the web UI in the browser test; zbar-tools reads the TOTP QR code back;
# postgresql is the server the PostgreSQL tests run against, in a cluster of their own.
install_packages libsqlite3-dev libgpiod-dev libudev-dev libssl-dev pkg-config libcurl4-openssl-dev libpq-dev postgresql gpiod python3 python3-venv systemd curl chromium fonts-dejavu-core zbar-tools nginx-light openssl
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Test peers from PyPI, pinned: libosdp's peripheral-device emulator (the OSDP tests talk to an
# independent implementation), schemathesis (generated requests against a live core), aiosmtpd
# (the SMTP server the mail tests send to) and oidc-provider-mock with joserfc (the OpenID
# provider the sign-in tests go through, and the signer of the bad tokens they are refused).
if ! .build-venv/bin/python3 -c "import osdp, schemathesis, aiosmtpd, oidc_provider_mock, joserfc" 2>/dev/null; then
    echo "==> installing libosdp, schemathesis, aiosmtpd and oidc-provider-mock (PyPI) into .build-venv"
    rm -rf .build-venv
    python3 -m venv .build-venv
    .build-venv/bin/python3 -m pip install --quiet --disable-pip-version-check libosdp==3.2.9 schemathesis==4.32.5 \
        aiosmtpd==1.4.6 oidc-provider-mock==0.3.4 joserfc==1.8.0
fi

echo "==> swift format lint (.swift-format: 120 columns, one statement a line)"
swift format lint --strict --recursive --parallel Sources Tests Benchmarks Fuzz Package.swift

echo "==> building (debug, with tests)"
swift build --build-tests

echo "==> systemd-analyze verify systemd/*.service (against the binaries just built)"
unit_dir=$(mktemp -d)
for unit in porterod portero-core; do
    sed "s|/usr/local/bin/$unit|$PWD/.build/debug/$unit|g" "systemd/$unit.service" > "$unit_dir/$unit.service"
done
# verify exits 0 on warnings such as an unknown key; any output at all fails the run.
verify_output=$(systemd-analyze verify --man=no "$unit_dir"/*.service 2>&1 || true)
rm -rf "$unit_dir"
if [ -n "$verify_output" ]; then
    echo "$verify_output"
    echo "error: a unit in systemd/ does not verify cleanly" >&2
    exit 1
fi

echo "==> a throwaway PostgreSQL cluster for the tests that need one"
start_test_postgres
trap stop_test_postgres EXIT

echo "==> tests on this machine"
swift test --skip-build --disable-xctest  # every test uses Swift Testing

echo "==> the core's storage and API tests again, over PostgreSQL"
PORTERO_TEST_CORE_BACKEND=postgres swift test --skip-build --disable-xctest --filter CoreTests

echo "==> the web UI in headless Chromium against portero demo (screenshots in .build/browser-artifacts)"
python3 scripts/browser_test.py .build/debug

echo "==> schemathesis against a live portero-core (no server errors allowed)"
scripts/schemathesis.sh 50
echo "==> schemathesis again, against a core over PostgreSQL"
scripts/schemathesis.sh 25 postgres

echo "==> fuzz targets build and run briefly (the 1,000,000-run campaign is scripts/fuzz.sh)"
scripts/fuzz.sh 20000

vmtest="../shared/tools/vmtest"
if [ -x "$vmtest" ]; then
    echo "==> tests in the vmtest VM (real kernel GPIO, input and serial devices)"
    if [ ! -d "${VMTEST_CACHE:-/var/cache/vmtest}" ] || [ -z "$(ls -A "${VMTEST_CACHE:-/var/cache/vmtest}" 2>/dev/null)" ]; then
        $sudo "$vmtest" --setup
    fi
    # A VM that fails to come up (exit 99 with "vmtest: error:", e.g. its USB serial gadget not
    # ready) is retried once; a failing test exits with its own status and is never retried.
    status=0
    "$vmtest" --timeout 900 -- .build/debug/PorteroPackageTests.xctest --testing-library swift-testing || status=$?
    if [ "$status" -eq 99 ]; then
        echo "==> the VM failed to start or finish; trying once more"
        status=0
        "$vmtest" --timeout 900 -- .build/debug/PorteroPackageTests.xctest --testing-library swift-testing || status=$?
    fi
    [ "$status" -eq 0 ] || exit "$status"
elif [ "${CI:-}" = "true" ]; then
    echo "error: $vmtest is missing; CI must run the kernel-device tests" >&2
    exit 1
else
    echo "==> skipped the VM tests: $vmtest not found (it comes with the shared/ folder beside the project)"
fi
