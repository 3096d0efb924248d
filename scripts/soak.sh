#!/usr/bin/env bash
# Sets up (idempotent), builds the local variant and runs the seeded fault soak (not a
# test): `npm run soak -- --cases N --seed S` (tests/soak/run.mjs). Exits 1 when a case
# lost, duplicated or left unexplained anything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs --local >/dev/null
node tests/soak/run.mjs "$@"
