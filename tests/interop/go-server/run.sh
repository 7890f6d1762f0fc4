#!/usr/bin/env bash
# The Go server's own handler tests (github.com/colonyos/colonies v1.9.12,
# pkg/server/handlers/*) against our server.
#
# A scratch copy of the module (from the module cache, fetched through the Go module proxy if
# missing) gets shim/test_utils.go in place of pkg/server/test_utils.go: the tests' setup
# helpers then hand out a client of our server instead of starting an in-process Go server on a
# test database, and each test starts on a server without colonies. (*Server).Shutdown of the
# copy is patched to do nothing on the shim's placeholder server. exclusions.txt lists what is
# not run, and why (files deleted from the copy, tests skipped, tests run last on a fresh server).
#
# The test binaries are built at once (go test -c), then run one package after another (as
# go test -p 1 would) through go tool test2json; a package whose binary stops early (a panic, a
# timeout) is resumed after the tests that already ran. The summary counts top-level tests.
#
#   tests/interop/go-server/run.sh [-run REGEX] [PACKAGE…]     e.g. -run TestCron cron
#
# COLONIES_EDGE_BIN   the colonies-edge binary [default: <target>/release/colonies-edge, built if missing]
# GO                  the go command [default: go on PATH, else /usr/local/go/bin/go]
# COLONIES_TEST_URL   test this running server instead (then COLONIES_TEST_SERVER_PRVKEY is its owner
#                     key); the tests that change the server owner are then excluded. Every test
#                     removes every colony of that server first (as Go's harness wipes its database).
# GO_SERVER_TIMEOUT   per package test timeout [default: 4m]
# COLONIES_SHIM_WAIT_SECONDS  how long WaitForProcesses polls [default: 60]
# GO_SERVER_KEEP      keep the scratch directory (its path is printed)
#
# Exits non-zero when a test that is not excluded fails (or the tests do not build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
module="github.com/colonyos/colonies"
version="v1.9.12"
timeout="${GO_SERVER_TIMEOUT:-4m}"
"$go" version

run_regex=""
packages=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -run) run_regex="$2"; shift 2 ;;
    -run=*) run_regex="${1#-run=}"; shift ;;
    *) packages+=("$1"); shift ;;
  esac
done

scratch="$(mktemp -d /tmp/colonies-go-server.XXXXXX)"
cleanup() {
  if [[ -n "${interop_pid:-}" ]]; then interop_stop; fi
  if [[ -n "${GO_SERVER_KEEP:-}" ]]; then echo "scratch: $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT

# --- the scratch copy
dir="$(cd /tmp && GOFLAGS=-mod=mod "$go" mod download -json "$module@$version" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
src="$scratch/colonies"
cp -r "$dir" "$src"
chmod -R u+w "$src"
handlers="$src/pkg/server/handlers"

rm "$src/pkg/server/test_utils.go"
cp "$here/shim/test_utils.go" "$src/pkg/server/shim_test_utils.go"
sed -i 's/^func (server \*Server) Shutdown() {$/&\n\tif server.controller == nil {\n\t\treturn \/\/ the go-server shim'"'"'s placeholder\n\t}/' \
  "$src/pkg/server/server.go"
grep -q "the go-server shim's placeholder" "$src/pkg/server/server.go" || {
  echo "could not patch (*Server).Shutdown in pkg/server/server.go" >&2; exit 1; }

if [[ ${#packages[@]} -eq 0 ]]; then
  mapfile -t packages < <(cd "$handlers" && ls -d */ | tr -d /)
fi

# --- exclusions
declare -A skips=() lasts=()
excluded="$scratch/excluded.tsv" # package, test, reason
: >"$excluded"
while read -r kind pkg name reason; do
  [[ -z "$kind" || "$kind" == \#* ]] && continue
  case "$kind" in
    file)
      for f in "$handlers"/$pkg/"$name"; do
        [[ -f "$f" ]] || continue
        p="$(basename "$(dirname "$f")")"
        [[ " ${packages[*]} " == *" $p "* ]] || { rm "$f"; continue; }
        grep -oE '^func Test[A-Za-z0-9_]*' "$f" | sed 's/^func //' |
          while read -r t; do printf '%s\t%s\t%s\n' "$p" "$t" "$name: $reason"; done >>"$excluded"
        rm "$f"
      done ;;
    skip | last)
      [[ " ${packages[*]} " == *" $pkg "* ]] || continue
      printf '%s\t%s\t%s\n' "$pkg" "$name" "$reason" >>"$excluded"
      if [[ "$kind" == last ]]; then lasts[$pkg]+="$name "; fi
      skips[$pkg]+="${skips[$pkg]:+|}$name" ;;
    *) echo "exclusions.txt: unknown kind $kind" >&2; exit 1 ;;
  esac
done <"$here/exclusions.txt"

# --- build every test binary at once, then run them one package after another
bins="$scratch/bin"
mkdir -p "$bins"
pkgpaths=()
for p in "${packages[@]}"; do pkgpaths+=("./pkg/server/handlers/$p"); done
# -trimpath: the build cache does not depend on the scratch directory.
echo "building the tests of ${#packages[@]} packages"
(cd "$src" && "$go" test -c -trimpath -tags goservershim -o "$bins/" "${pkgpaths[@]}")

source "$here/../server.sh"
start_server() {
  interop_server goserver
  trap cleanup EXIT # interop_server set its own
}
start_server

results="$scratch/results.jsonl"
: >"$results"
# Runs one package's test binary; when a test panics (or times out) the binary stops, so it is
# run again, skipping every test that already has a result, until nothing more runs.
run_package() { # package, skip regex alternatives ("" none), run regex ("" all)
  local p="$1" skip="$2" run="${3:-}" seen before after t
  local bin="$bins/$p.test"
  [[ -x "$bin" ]] || return 0
  before=-1
  while true; do
    seen="$(python3 "$here/summary.py" --seen "$module/pkg/server/handlers/$p" "$results")"
    after="$(wc -w <<<"$seen")"
    [[ "$after" -eq "$before" ]] && break
    if [[ "$before" -ge 0 ]]; then
      # What is left to run?
      local left
      left="$("$bin" -test.list "${run:-.}" | grep -E '^Test' |
        grep -vxE "${skip:-^$}" | grep -vxF -f <(tr ' ' '\n' <<<"$seen" | grep .) || true)"
      [[ -z "$left" ]] && break
      echo "    (the test binary stopped early; running the rest)"
    fi
    before="$after"
    local all="$skip"
    for t in $seen; do all+="${all:+|}$t"; done
    local flags=(-test.v=test2json -test.count=1 -test.timeout="$timeout")
    [[ -n "$run" ]] && flags+=("-test.run=$run")
    [[ -n "$all" ]] && flags+=("-test.skip=^($all)\$")
    (cd "$handlers/$p" && "$go" tool test2json -t -p "$module/pkg/server/handlers/$p" \
      "$bin" "${flags[@]}") >>"$results" || true
  done
}
start=$SECONDS
for p in "${packages[@]}"; do
  echo "--- $p"
  before=$SECONDS
  run_package "$p" "${skips[$p]:-}" "$run_regex"
  python3 "$here/summary.py" --package "$module/pkg/server/handlers/$p" "$results" "$excluded" \
    --short "$((SECONDS - before))"
done
# The tests that change the server owner: each alone on a fresh server.
restart=""
for p in "${!lasts[@]}"; do
  [[ " ${packages[*]} " == *" $p "* ]] || continue
  for t in ${lasts[$p]}; do
    if [[ -n "${COLONIES_TEST_URL:-}" ]]; then continue; fi
    if [[ -n "$run_regex" ]] && ! grep -qE "$run_regex" <<<"$t"; then continue; fi
    if [[ -n "$restart" ]]; then interop_stop; interop_pid=""; start_server; fi
    restart=1
    echo "--- $p $t (alone, last)"
    run_package "$p" "" "^$t\$"
    # It ran: it is no longer an exclusion.
    awk -F'\t' -v p="$p" -v t="$t" '!($1 == p && $2 == t)' "$excluded" >"$excluded.new"
    mv "$excluded.new" "$excluded"
  done
done
echo "total time: $((SECONDS - start))s"

status=0
python3 "$here/summary.py" "$results" "$excluded" || status=$?
if [[ $status -ne 0 ]]; then interop_log_tail; fi
exit $status
