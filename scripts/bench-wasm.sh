#!/usr/bin/env bash
# Prints the speed of colonies-core's crypto compiled to wasm32 and run under Node.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/colonies-edge/target}"
cargo test -p colonies-core --release --target wasm32-unknown-unknown --test wasm_speed -- --nocapture
