#!/usr/bin/env bash
# Builds everything: the native CLI and server, the WebAssembly core, and
# the widget (installing Debian and npm packages first, idempotently).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset native >/dev/null
cmake --build --preset native
cmake --preset wasm >/dev/null
cmake --build --preset wasm
[ -d node_modules/esbuild ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
node widget/build.mjs
