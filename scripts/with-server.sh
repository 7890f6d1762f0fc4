#!/usr/bin/env bash
# Runs a command against a fresh native server: builds `colonies-edge` if needed, starts it on
# a free port with a private PostgreSQL in a temporary directory and a generated server owner
# key, exports COLONIES_TEST_URL, COLONIES_TEST_SERVER_KEY and COLONIES_TEST_SERVER_PRVKEY,
# runs the command, and stops the server (and its PostgreSQL) whatever the outcome.
#
#   scripts/with-server.sh node --test wasm-client/tests/server.test.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-$HOME/.cache/colonies-edge/target}"
bin="${COLONIES_EDGE_BIN:-$target/debug/colonies-edge}"
[ -x "$bin" ] || CARGO_TARGET_DIR="$target" cargo build -p colonies-cli

dir=$(mktemp -d /tmp/colonies-with-server.XXXXXX)
chmod 755 "$dir"   # PostgreSQL runs as its own user when we are root
key_json=$("$bin" key generate --json)
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$key_json")
prvkey=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["prvkey"])' "$key_json")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

COLONIES_SERVER_ID="$id" "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$dir/data" \
  >"$dir/server.log" 2>&1 &
server=$!
stop() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap stop EXIT

for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$dir/server.log"; echo "the server exited" >&2; exit 1; }
  sleep 0.2
done

export COLONIES_TEST_URL="http://127.0.0.1:$port"
export COLONIES_TEST_SERVER_KEY="$prvkey" COLONIES_TEST_SERVER_PRVKEY="$prvkey"
status=0
"$@" || status=$?
[ "$status" = 0 ] || { echo "--- server log (last 30 lines)"; tail -30 "$dir/server.log"; }
exit "$status"
