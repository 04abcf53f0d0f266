#!/usr/bin/env bash
# Event ingestion and report latency (printed, not asserted), SQLite and
# PostgreSQL in the same run: the demo generator's realistic visits over the
# sample help center, spread over a year, in batches of 200 (one
# transaction each, as POST /api/v1/events stores them), then the reports
# over the last 30 days, the year, and a year for one language and
# category. PostgreSQL is a throwaway cluster (pg_virtualenv) with the
# settings the README recommends. Issue 12's targets: ingestion >= 10,000
# events/s, a month's report <= 1 s at 10 M events.
#   bash tests/bench/events_bench.sh [EVENTS]    (default 1,000,000; the README's figures are at 10,000,000)
#   FIRSTFIX_BENCH_ENGINES="sqlite postgresql" (the default) or either one alone
set -euo pipefail
cd "$(dirname "$0")/../.."
events=${1:-1000000}
if [ -z "${FIRSTFIX_BENCH_IN_CLUSTER:-}" ]; then
  exec bash tests/support/pg_virtualenv.sh -o shared_buffers=2GB -o work_mem=64MB -o max_wal_size=8GB -o checkpoint_timeout=15min \
    env FIRSTFIX_BENCH_IN_CLUSTER=1 bash "$0" "$@"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./build/native/firstfix build content -o "$work/dist" --quiet
echo "events benchmark: $events events, $(nproc) cores"
engines=${FIRSTFIX_BENCH_ENGINES:-sqlite postgresql}
if [[ " $engines " == *" sqlite "* ]]; then
  echo "== SQLite (events.db)"
  ./build/native/tests/reports_bench "$work/dist" "$work/events.db" "$events"
  echo "SQLite events.db size: $(du -h "$work/events.db" | cut -f1)"
fi
if [[ " $engines " == *" postgresql "* ]]; then
  echo "== PostgreSQL 15 (one server, 4 connections)"
  psql -qXc "CREATE SCHEMA bench"
  ./build/native/tests/reports_bench "$work/dist" 'postgresql:///?options=-csearch_path%3Dbench' "$events"
  psql -qXAtc "SELECT 'PostgreSQL database size: ' || pg_size_pretty(pg_database_size(current_database()))"
fi
