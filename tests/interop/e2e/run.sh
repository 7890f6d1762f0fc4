#!/usr/bin/env bash
# The e2e vectors (core/tests/fixtures/e2e-vectors.json) re-derived by an independent Python
# implementation of protocol §16 (check_vectors.py: PyNaCl and cryptography, pinned in
# requirements.txt). No server; a second or two once the virtualenv exists.
#
#   tests/interop/e2e/run.sh [VECTORS]
#
# COLONIES_E2E_VENV   the virtualenv [default: ${XDG_CACHE_HOME:-$HOME/.cache}/colonies-edge/e2e-venv]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${COLONIES_E2E_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/colonies-edge/e2e-venv}"

# The venv is reused while requirements.txt is unchanged.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi
echo "pynacl $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pynacl"))')," \
     "cryptography $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("cryptography"))')," \
     "$("$venv/bin/python" --version)"

exec "$venv/bin/python" "$here/check_vectors.py" "$@"
