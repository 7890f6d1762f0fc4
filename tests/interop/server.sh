# Sourced by the interop suites' run.sh: the server they test, exported as
# COLONIES_SERVER_HOST / COLONIES_SERVER_PORT / COLONIES_SERVER_PRVKEY (the variables the
# official clients read).
#
# With COLONIES_TEST_URL set, that running server (COLONIES_TEST_SERVER_PRVKEY is its owner
# key). Otherwise the release binary `colonies-edge serve` (COLONIES_EDGE_BIN, default
# <target>/release/colonies-edge, built if missing) on a private PostgreSQL in a temporary
# directory, on a free port, with a fresh server owner key; it is stopped and its directory
# removed when the calling script exits. Its log is "$interop_log" (empty for a running server).
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../server.sh"; interop_server <name>

# Clients honour proxies; the server is local.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

interop_log=""

interop_server() {
  local name="$1"
  if [[ -n "${COLONIES_TEST_URL:-}" ]]; then
    local hostport="${COLONIES_TEST_URL#*://}"
    hostport="${hostport%%/*}"
    export COLONIES_SERVER_HOST="${hostport%%:*}" COLONIES_SERVER_PORT="${hostport##*:}"
    export COLONIES_SERVER_PRVKEY="${COLONIES_TEST_SERVER_PRVKEY:?COLONIES_TEST_SERVER_PRVKEY is the owner key of COLONIES_TEST_URL}"
    return
  fi
  local root target bin keys server_prvkey server_id port
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  target="${CARGO_TARGET_DIR:-$root/target}"
  bin="${COLONIES_EDGE_BIN:-$target/release/colonies-edge}"
  if [[ ! -x "$bin" ]]; then
    (cd "$root" && cargo build --release -p colonies-cli)
  fi
  keys="$("$bin" key generate --json)"
  server_prvkey="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["prvkey"])' "$keys")"
  server_id="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$keys")"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  interop_data="$(mktemp -d "/tmp/colonies-$name.XXXXXX")"
  interop_log="$interop_data/server.log"
  COLONIES_SERVER_ID="$server_id" "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$interop_data" >"$interop_log" 2>&1 &
  interop_pid=$!
  trap interop_stop EXIT
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$interop_pid" 2>/dev/null; then cat "$interop_log"; echo "the server exited" >&2; exit 1; fi
    sleep 0.2
  done
  echo "server: $("$bin" --version) on 127.0.0.1:$port"
  export COLONIES_SERVER_HOST=127.0.0.1 COLONIES_SERVER_PORT="$port" COLONIES_SERVER_PRVKEY="$server_prvkey"
}

interop_stop() {
  kill "$interop_pid" 2>/dev/null || true
  wait "$interop_pid" 2>/dev/null || true
  rm -rf "$interop_data"
}

# Prints the end of the server's log after a failed run (nothing for a running server).
interop_log_tail() {
  if [[ -n "$interop_log" && -f "$interop_log" ]]; then
    echo "--- server log (last 40 lines)"; tail -n 40 "$interop_log"
  fi
}
