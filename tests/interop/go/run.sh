#!/usr/bin/env bash
# The Go interop suite: the official Go client github.com/colonyos/colonies (pinned in
# go.mod/go.sum) against our native server, the release binary `colonies-edge serve` on a
# private PostgreSQL in a temporary directory, on a free port, with a known server owner key.
#
#   tests/interop/go/run.sh [go test args…]        e.g. -run TestWorkflow
#
# COLONIES_EDGE_BIN   the colonies-edge binary [default: <target>/release/colonies-edge, built if missing]
# GO                  the go command [default: go on PATH, else /usr/local/go/bin/go]
# COLONIES_TEST_URL   test this running server instead (then COLONIES_TEST_SERVER_PRVKEY is its owner key)
#
# The modules come from the Go module proxy into the default module cache (~/go/pkg/mod).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
"$go" version

# resty honours proxies; the server is local.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

if [[ -n "${COLONIES_TEST_URL:-}" ]]; then
  hostport="${COLONIES_TEST_URL#*://}"
  hostport="${hostport%%/*}"
  export COLONIES_SERVER_HOST="${hostport%%:*}" COLONIES_SERVER_PORT="${hostport##*:}"
  export COLONIES_SERVER_PRVKEY="${COLONIES_TEST_SERVER_PRVKEY:?COLONIES_TEST_SERVER_PRVKEY is the owner key of COLONIES_TEST_URL}"
else
  target="${CARGO_TARGET_DIR:-$root/target}"
  bin="${COLONIES_EDGE_BIN:-$target/release/colonies-edge}"
  if [[ ! -x "$bin" ]]; then
    (cd "$root" && cargo build --release -p colonies-cli)
  fi
  keys="$("$bin" key generate --json)"
  server_prvkey="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["prvkey"])' "$keys")"
  server_id="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$keys")"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  data="$(mktemp -d /tmp/colonies-gointerop.XXXXXX)"
  log="$data/server.log"
  COLONIES_SERVER_ID="$server_id" "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$data" >"$log" 2>&1 &
  server_pid=$!
  cleanup() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -rf "$data"
  }
  trap cleanup EXIT
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$log"; echo "the server exited" >&2; exit 1; fi
    sleep 0.2
  done
  echo "server: $("$bin" --version) on 127.0.0.1:$port"
  export COLONIES_SERVER_HOST=127.0.0.1 COLONIES_SERVER_PORT="$port" COLONIES_SERVER_PRVKEY="$server_prvkey"
fi

cd "$here"
status=0
# -count=1: never a cached result, the server is what is under test.
"$go" test -v -count=1 -timeout 5m "$@" ./... || status=$?
if [[ $status -ne 0 && -n "${log:-}" ]]; then
  echo "--- server log (last 40 lines)"; tail -n 40 "$log"
fi
exit $status
