#!/usr/bin/env bash
# Shows that the server's route table is complete by construction: in a scratch copy of the
# workspace, adds a payloadtype to the protocol table (colonies-core, message/kind.rs) without
# a handler, and expects `cargo check` of the server to fail with a non-exhaustive match in
# `handlers::route`. Exits 0 when it fails that way, 1 otherwise. Not part of scripts/test.sh
# (it compiles the core and the server once more); run it by hand after changing the route.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/colonies-edge/target}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
tar --exclude=./node_modules --exclude=./target --exclude=./.git -cf - . | tar -C "$scratch" -xf -
kind="$scratch/core/src/message/kind.rs"
python3 - "$kind" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
row = '    GetNodes(GetNodesMsg) -> Empty, "getnodesmsg", Member, Api;\n'
anchor = "    // §7 WebSocket subscriptions"
assert anchor in text, "the table moved; update this script"
text = text.replace(anchor, row + anchor, 1)
text += '''
/// A payloadtype added to the table with no handler (scripts/prove-route-check.sh).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct GetNodesMsg {}
'''
open(path, "w").write(text)
PY
echo "added getnodesmsg to the protocol table of a scratch copy; checking the server…"
if (cd "$scratch" && cargo check -q -p colonies-worker --features native 2>"$scratch/check.log"); then
  echo "FAIL: the server compiled with a payloadtype that has no handler" >&2
  exit 1
fi
if grep -q "non-exhaustive patterns: \`MessageKind::GetNodes\` not covered" "$scratch/check.log"; then
  grep -A4 "non-exhaustive patterns" "$scratch/check.log" | head -8
  echo "OK: a payloadtype without a handler does not compile"
  exit 0
fi
cat "$scratch/check.log" >&2
echo "FAIL: the check failed for another reason (above)" >&2
exit 1
