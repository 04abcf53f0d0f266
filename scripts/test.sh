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
# The PostgreSQL suites run in pg_virtualenv's throwaway cluster "regress";
# a run killed midway leaves it behind, and pg_virtualenv then refuses to
# start. Nothing else uses that name: clear it.
if [ -e /etc/postgresql/15/regress ] && ! pgrep -f pg_virtualenv >/dev/null; then
  pg_dropcluster --stop 15 regress 2>/dev/null || rm -rf /etc/postgresql/15/regress /var/lib/postgresql/15/regress
fi
ctest --preset wasm
ctest --preset native
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
