#!/usr/bin/env bash
# The Portero demo in one command: installs the Debian packages it builds against, builds, and
# runs `portero demo` (a seeded core with the web UI and API, one branch daemon on simulated
# GPIO reading a pty on which cards are swiped). Arguments go to `portero demo`; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/packages.sh
install_packages libsqlite3-dev libgpiod-dev libudev-dev libssl-dev libcurl4-openssl-dev libpq-dev pkg-config

echo "==> building"
swift build --product portero
swift build --product porterod
swift build --product portero-core
exec .build/debug/portero demo "$@"
