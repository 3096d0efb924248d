#!/usr/bin/env bash
# Sets up (idempotent), builds the local variant and runs the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs --local >/dev/null
node tests/bench/run.mjs
