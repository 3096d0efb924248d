#!/usr/bin/env bash
# Sets up (idempotent), builds the local variant and remakes the README's screenshots
# (docs/screenshots/*.png) from the demo: `npm run screenshots`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs --local >/dev/null
node scripts/screenshots.mjs
