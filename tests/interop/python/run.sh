#!/usr/bin/env bash
# The pycolonies interop suite: pycolonies (pinned in requirements.txt) against our native
# server, the release binary `colonies-edge serve` on a private PostgreSQL in a temporary
# directory, on a free port, with a known server owner key.
#
#   tests/interop/python/run.sh [pytest args…]
#
# COLONIES_EDGE_BIN   the colonies-edge binary [default: <target>/release/colonies-edge, built if missing]
# COLONIES_PY_VENV    the virtualenv [default: ${XDG_CACHE_HOME:-$HOME/.cache}/colonies-edge/pyvenv]
# COLONIES_TEST_URL   test this running server instead (then COLONIES_TEST_SERVER_PRVKEY is its owner key)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${COLONIES_PY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/colonies-edge/pyvenv}"

# The venv is reused while requirements.txt is unchanged.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi
echo "pycolonies $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pycolonies"))')," \
     "pytest $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pytest"))')," \
     "$("$venv/bin/python" --version)"

source "$here/../server.sh"
interop_server pyinterop

cd "$here"
status=0
"$venv/bin/python" -m pytest -v -p no:cacheprovider -rxXs "$@" test_flow.py || status=$?
if [[ $status -ne 0 ]]; then interop_log_tail; fi
exit $status
