#!/usr/bin/env bash
# Runs every test: builds everything (scripts/build.sh), then the unit, CLI,
# server and browser tests (native preset) and the wasm parity tests; then
# the asan preset (clang, ASan + UBSan): the unit, CLI and server tests again
# under the sanitizers, and each libFuzzer target for a bounded time
# (FIRSTFIX_FUZZ_SECONDS each, default 20). The first run on a machine also
# builds zlib, Xapian and ICU for wasm (about 10 minutes; cached under
# ~/.cache/firstfix afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --preset wasm
ctest --preset native
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
