#!/usr/bin/env bash
# The black-box suite against the Worker under `wrangler dev` (workerd) on a private
# PostgreSQL, the Cron Trigger handler, and two Workers on one database with concurrent
# executors (no double assignment); everything is torn down afterwards. See
# scripts/worker/test.mjs for the steps and flags (--measure adds CPU per request).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/worker/test.mjs "$@"
