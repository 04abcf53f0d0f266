#!/usr/bin/env bash
# Runs firstfix on the sample help center in content/ with no configuration:
# installs what is missing, builds the CLI, compiles the content and runs a
# search (pass your own query as arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
FIRSTFIX_WITH_BROWSER=0 bash scripts/install-deps.sh
cmake --preset native >/dev/null
cmake --build --preset native --target firstfix
./build/native/firstfix check content
./build/native/firstfix build content -o dist
if [ $# -gt 0 ]; then query="$*"; else query="pasword resett"; fi
./build/native/firstfix search --index dist "$query"
