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
# Each step's time, so a CI log shows where its minutes go (the developers'
# guide keeps the whole run under about 45).
step() { local started=$SECONDS; "$@"; echo "== test.sh: '$*' took $((SECONDS - started)) s"; }
step bash scripts/build.sh
step ctest --preset wasm
step ctest --preset native
cmake --preset asan >/dev/null
step cmake --build --preset asan
step ctest --preset asan
echo "== test.sh: all steps took $SECONDS s"
