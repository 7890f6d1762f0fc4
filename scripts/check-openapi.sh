#!/usr/bin/env bash
# Generates the mesh API's OpenAPI document (core/examples/openapi.rs) and validates it with the
# PyPI package openapi-spec-validator (`pip install --user openapi-spec-validator`) as
# OpenAPI 3.1. Not run by scripts/test.sh; the Rust tests (core/tests/mesh_openapi.rs) check the
# document against the code, this checks it against the OpenAPI specification.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$HOME/.local/bin:$PATH"

if python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  validate=(python3 -m openapi_spec_validator)
elif command -v openapi-spec-validator >/dev/null; then
  validate=(openapi-spec-validator)
else
  echo "openapi-spec-validator is not installed: pip install --user openapi-spec-validator" >&2
  exit 2
fi

file=$(mktemp --suffix=.json)
trap 'rm -f "$file"' EXIT
cargo run --quiet -p colonies-core --example openapi >"$file"
"${validate[@]}" --schema 3.1 --validation-errors all "$file"
echo "mesh OpenAPI document: valid OpenAPI 3.1 ($(wc -c <"$file") bytes)"
