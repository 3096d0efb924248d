#!/usr/bin/env bash
# Sets up (idempotent), builds the demo variant and starts the stand-ins with the
# simulated Outlook. Prints the URL to open.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs --local >/dev/null
exec node tests/standins/start.mjs
