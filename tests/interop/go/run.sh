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
go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
"$go" version

source "$here/../server.sh"
interop_server gointerop

cd "$here"
status=0
# -count=1: never a cached result, the server is what is under test.
"$go" test -v -count=1 -timeout 5m "$@" ./... || status=$?
if [[ $status -ne 0 ]]; then interop_log_tail; fi
exit $status
