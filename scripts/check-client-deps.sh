#!/usr/bin/env bash
# Fails if the Rust client (colonies-client) depends, in its normal dependencies, on the server
# or what only the server needs: colonies-worker, the black-box suite, PostgreSQL drivers, axum.
# A program that wants the client must not build the server. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# Captured first, so that a failing `cargo tree` fails the check rather than passing it.
tree=$(cargo tree -p colonies-client -e normal --prefix none)
crates=$(sed 's/ (\*)$//; s/ (proc-macro)$//' <<<"$tree" | sort -u)
grep -q '^colonies-client ' <<<"$crates" || { echo "cargo tree printed no colonies-client" >&2; exit 1; }
forbidden='^(colonies-worker|colonies-blackbox|tokio-postgres|postgres-[a-z-]+|deadpool-postgres|axum|axum-core) '
if found=$(grep -E "$forbidden" <<<"$crates"); then
  echo "colonies-client must not depend on server crates; its dependency tree has:" >&2
  echo "$found" >&2
  echo "(where from: cargo tree -p colonies-client -e normal -i <crate>)" >&2
  exit 1
fi
echo "colonies-client: no server dependencies ($(wc -l <<<"$crates") crates in its tree)"
