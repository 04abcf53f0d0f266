#!/usr/bin/env bash
# Runs firstfix on the sample help center in content/ with no configuration:
# builds everything, then serves the demo site with the widget at
# http://127.0.0.1:8080/ (extra arguments go to `firstfix serve`). --demo adds
# the demo back office, its inbox, demo staff logins and a month of demo events;
# a real deployment never passes it (README: "Running it for real").
set -euo pipefail
cd "$(dirname "$0")/.."
FIRSTFIX_WITH_BROWSER=0 bash scripts/build.sh
exec ./build/native/firstfix serve --demo "$@"
