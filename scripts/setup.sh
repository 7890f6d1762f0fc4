#!/usr/bin/env bash
# Installs what the build and the tests need, only where it is missing. Idempotent; safe to
# run on every CI start. Needs only the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

export PATH="$HOME/.cargo/bin:$PATH"

# Rust targets: wasm32 for the browser/Workers builds, thumbv7em as the no_std proof.
installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown thumbv7em-none-eabihf; do
  if ! grep -qx "$target" <<<"$installed_targets"; then
    log "rustup target add $target"
    rustup target add "$target"
  fi
done
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

# wasm-bindgen-test-runner runs the wasm32 tests under Node (cargo's runner for wasm32).
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes on 2 cores)"
  # Not --locked: the registry mirror lacks one pinned transitive version (docs/toolchain.md).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# PostgreSQL server binaries for the embedded database and the test harness.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "apt-get install postgresql"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

command -v node >/dev/null || { echo "Node.js (>= 20) is required" >&2; exit 1; }

# wasm-pack builds the npm package; never the npm `wasm-pack` (it downloads from GitHub).
if ! command -v wasm-pack >/dev/null; then
  log "cargo install wasm-pack (about 4 minutes on 2 cores)"
  cargo install wasm-pack --locked
fi

# worker-build bundles the Worker (server-worker/workers) for wrangler.
if ! worker-build --version 2>/dev/null | grep -q "0.8.7"; then
  log "cargo install worker-build 0.8.7 (about 3 minutes on 2 cores)"
  cargo install worker-build --version 0.8.7 --locked --force
fi

# npm devDependencies, pinned in package-lock.json (binaryen's wasm-opt, …).
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
fi

# Debian's Chromium and its driver for the headless browser tests.
if ! { command -v chromium && command -v chromedriver; } >/dev/null; then
  log "apt-get install chromium chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# tmux drives the terminal test of `colonies-edge watch`.
if ! command -v tmux >/dev/null; then
  log "apt-get install tmux"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
fi

# The pycolonies interop suite builds its own venv (tests/interop/python/run.sh); it needs venv.
if ! python3 -m venv --help >/dev/null 2>&1; then
  log "apt-get install python3-venv"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi

log "ready"
