#!/bin/sh
# Two servers on one database, 32 executors, 10,000 processes: every process assigned exactly
# once, none lost (tests/tests/assign.rs; CI runs the same test with 2,000).
set -eu
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/colonies-edge/target}"
exec cargo test --release -p colonies-blackbox --test assign \
    two_servers_32_executors_10000_processes_each_assigned_once -- --ignored --nocapture
