#!/usr/bin/env bash
# Search learning at scale (printed, not asserted): `firstfix suggest` over a
# year of the demo generator's visits to the sample help center (EVENTS in
# all, default 1,000,000), beside `firstfix report` over the same year as a
# peer in the same run, on SQLite and PostgreSQL. Issue 15's target:
# suggestions over 1 million events in <= 10 s.
#   bash tests/bench/suggest_bench.sh [EVENTS]
#   FIRSTFIX_BENCH_ENGINES="sqlite postgresql" (the default) or either one alone
set -euo pipefail
cd "$(dirname "$0")/../.."
events=${1:-1000000}
if [ -z "${FIRSTFIX_BENCH_IN_CLUSTER:-}" ]; then
  exec bash tests/support/pg_virtualenv.sh -o shared_buffers=1GB -o work_mem=64MB -o max_wal_size=8GB \
    env FIRSTFIX_BENCH_IN_CLUSTER=1 bash "$0" "$@"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./build/native/firstfix build content -o "$work/data/dist" --quiet
from=$(date -u -d '364 days ago' +%F)
echo "suggest benchmark: $events events over a year, $(nproc) cores"
timed() {  # label, command...: prints the wall time of the command
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/out.json"
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" 'BEGIN { printf "  %-44s %6.2f s\n", l, e - s }'
}
run() {  # engine, --database
  echo "== $1"
  ./build/native/tests/reports_bench "$work/data/dist" "$2" "$events" | grep '^ingest'
  timed "firstfix report (the year, the peer)" ./build/native/firstfix report --data "$work/data" --database "$3" --from "$from" --json
  timed "firstfix suggest (the year)" ./build/native/firstfix suggest --data "$work/data" --database "$3" --content content --from "$from" --json
  node -e 'const l = JSON.parse(require("fs").readFileSync(process.argv[1])); const n = (k) => l.suggestions.filter((s) => s.kind === k).length;
    console.log(`  ${n("question")} questions, ${n("synonym")} synonyms, ${n("gap")} gaps`)' "$work/out.json"
}
engines=${FIRSTFIX_BENCH_ENGINES:-sqlite postgresql}
if [[ " $engines " == *" sqlite "* ]]; then run "SQLite" "$work/data/events.db" "sqlite:"; fi
if [[ " $engines " == *" postgresql "* ]]; then
  psql -qXc "CREATE SCHEMA bench"
  url='postgresql:///?options=-csearch_path%3Dbench'
  run "PostgreSQL 15" "$url" "$url"
fi
