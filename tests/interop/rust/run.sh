#!/usr/bin/env bash
# The colonyos interop suite: the colonyos crate (pinned in Cargo.toml) against the release
# `colonies-edge serve` (built if missing; COLONIES_EDGE_BIN to use another binary).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
export COLONIES_EDGE_BIN="${COLONIES_EDGE_BIN:-$target/release/colonies-edge}"
if [[ ! -x "$COLONIES_EDGE_BIN" ]]; then
  (cd "$root" && cargo build --release -p colonies-cli)
fi
# Its own target directory: a separate workspace with its own Cargo.lock.
CARGO_TARGET_DIR="$target/interop-rust" cargo test --manifest-path "$here/Cargo.toml" -- --nocapture "$@"
