#!/usr/bin/env bash
# Runs the Colonies Edge server with its private PostgreSQL and the dashboard at / — the main
# job, for a newcomer. The first run installs what is missing (scripts/setup.sh: PostgreSQL,
# the wasm toolchain, npm packages) and builds the dashboard; later runs start at once.
# Extra arguments go to `colonies-edge serve` (see `scripts/serve.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ ! -f web-demo/dist/index.html ] || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "[serve] first run: installing what is missing and building the dashboard (several minutes)"
  scripts/setup.sh
  npm run --silent build:wasm
  npm run --silent build:dashboard
fi

echo "[serve] dashboard: http://localhost:${COLONIES_SERVER_PORT:-50080}/"
exec cargo run --release --quiet -p colonies-cli -- serve "$@"
