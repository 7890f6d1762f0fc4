#!/usr/bin/env bash
# Runs every check and test of the project: formatting, lints, the three targets of
# colonies-core, the native tests (both signature backends), and the wasm32 tests under Node.
# Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export PATH="$HOME/.cargo/bin:$PATH"
# Build outside the clone so a fresh checkout reuses earlier work.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/colonies-edge/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-always}"

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
python3 scripts/check-doc-refs.py

step "the server's layers point down (ARCHITECTURE.md), and the check fails on a back-import"
python3 scripts/check-layers.py
python3 scripts/check-layers.py --self-test

step "clippy (warnings denied), default backend and libsecp256k1 backend"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p colonies-core --all-targets --features secp256k1 -- -D warnings

step "colonies-client has no server dependencies (no colonies-worker, tokio-postgres, axum)"
scripts/check-client-deps.sh

step "colonies-core builds for bare metal (no_std proof) and wasm32; the server's handler layer for wasm32"
cargo build -p colonies-core --no-default-features --target thumbv7em-none-eabihf
cargo build -p colonies-core --target wasm32-unknown-unknown
cargo build -p colonies-worker --target wasm32-unknown-unknown --no-default-features
cargo clippy -p colonies-worker --target wasm32-unknown-unknown --no-default-features -- -D warnings

step "native tests"
cargo test --workspace
cargo test -p colonies-core --features secp256k1
# The JSON Schema (schema/colonies.schema.json) and wasm-client/src/protocol.d.ts are what the
# generator writes; every fixture validates against the schema.
cargo clippy -p colonies-core --all-targets --features schema -- -D warnings
cargo test -p colonies-core --features schema --test schema

step "wasm32 tests under Node (wasm-bindgen-test)"
cargo test -p colonies-core --target wasm32-unknown-unknown --test crypto_vectors --test envelope --test e2e_vectors

step "wasm package: build (size budget), wasm-bindgen tests in Node and Chrome, package tests"
cargo clippy -p colonies-wasm --all-targets --target wasm32-unknown-unknown -- -D warnings
npm run build:wasm
(cd wasm-client && wasm-pack test --node && wasm-pack test --headless --chrome)
node --experimental-websocket --test wasm-client/tests/*.mjs
# The package against a real native server: submit, assign, close, workflow, subscription.
scripts/with-server.sh node --experimental-websocket --test wasm-client/tests/server.test.mjs

step "package declarations (tsc), dashboard build, browser end-to-end (screenshots in target/e2e-screenshots/)"
npm run check:types
npm run build:dashboard
node --test web-demo/e2e/

step "the Worker: the black-box suite against wrangler dev (workerd) on PostgreSQL, two Workers on one database (no double assignment), CPU per request"
cargo clippy -p colonies-worker --target wasm32-unknown-unknown --no-default-features --features worker -- -D warnings
WORKER_TEST_PROCESSES=300 scripts/worker-test.sh --measure

step "interop: the e2e vectors re-derived in Python (PyNaCl, cryptography; protocol §16), and the generator agrees with the file"
cargo run -q -p colonies-core --example e2e_vectors -- --check
tests/interop/e2e/run.sh

step "interop: pycolonies, the colonyos crate and the Go client against the native server (release build)"
cargo build --release -p colonies-cli
tests/interop/python/run.sh
tests/interop/rust/run.sh
tests/interop/go/run.sh

step "the Go server's own handler tests (colonyos/colonies v1.9.12) against the native server"
tests/interop/go-server/run.sh

step "all checks passed"
