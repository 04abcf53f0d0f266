#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the native and the
# WebAssembly presets, and runs their tests with CTest. The first run on a
# machine also builds zlib, Xapian and ICU for wasm (about 10 minutes; cached
# under ~/.cache/firstfix afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset native >/dev/null
cmake --build --preset native
cmake --preset wasm >/dev/null
cmake --build --preset wasm
ctest --preset native
ctest --preset wasm
