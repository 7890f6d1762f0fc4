#!/usr/bin/env bash
# Runs the Colonies Edge server with its private PostgreSQL: the main job, for a newcomer.
# Installs PostgreSQL's server binaries first where they are missing. Extra arguments go to
# `colonies-edge serve` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  echo "[serve] installing PostgreSQL (apt-get install postgresql)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

exec cargo run --release --quiet -p colonies-cli -- serve "$@"
