#!/usr/bin/env bash
# Sets up (idempotent) and runs every test: Rust unit tests and lints, the manifest, the
# stand-ins' own tests, the browser adapters in headless Chromium (wasm-bindgen-test)
# and the end-to-end tests (Playwright). Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

say() { printf '\n== %s\n' "$*"; }

say "cargo fmt, clippy, unit tests"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo test

say "build (local variant)"
node scripts/build.mjs --local >/dev/null

say "manifest, the administrator's app registration, the deployment files, the build (CSP, integrity, SHA256SUMS)"
node --test tests/manifest.test.mjs tests/admin.test.mjs tests/deploy.test.mjs tests/build.test.mjs

say "stand-ins' own tests"
node --test --test-concurrency=1 tests/standins/*/selftest.mjs

say "iMIS contract: against the stand-in, and against a real site when IMIS_URL is set"
node --test tests/contract/standin.test.mjs
node tests/contract/real.mjs

say "browser adapters: wasm-bindgen-test in headless Chromium"
node tests/standins/start.mjs > .local/standins.log 2>&1 &
standins=$!
trap 'kill $standins 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  grep -q "demo is running" .local/standins.log && break
  kill -0 $standins 2>/dev/null || { cat .local/standins.log; exit 1; }
  sleep 0.2
done
eval "$(node --input-type=module -e 'import { urls } from "./scripts/local.mjs";
  for (const [k, v] of Object.entries(urls)) console.log(`export STANDIN_${k.toUpperCase()}_URL=${v}`);')"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} WASM_BINDGEN_TEST_TIMEOUT=180 \
  cargo test --target wasm32-unknown-unknown --tests
kill $standins; wait $standins 2>/dev/null || true
trap - EXIT

say "end to end: Playwright in headless Chromium"
node --test --test-concurrency=1 tests/e2e/

say "all tests passed"
