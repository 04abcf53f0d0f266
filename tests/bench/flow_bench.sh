#!/usr/bin/env bash
# Flow-step throughput and latency (printed, not asserted): wrk with 64
# connections on loopback against `firstfix serve --demo` on the sample
# content, on SQLite and then on PostgreSQL (a throwaway cluster of its
# own, pg_virtualenv), in the same run. Peer: GET /healthz, the same HTTP
# stack with no work, so the ratios show what a flow step costs beyond the
# server itself; issue 12's target is PostgreSQL >= 0.8x SQLite.
#   bash tests/bench/flow_bench.sh [SECONDS]     (default 10; needs the native build and the widget)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
if [ -z "${FIRSTFIX_BENCH_IN_CLUSTER:-}" ]; then
  exec pg_virtualenv -v 15 env FIRSTFIX_BENCH_IN_CLUSTER=1 bash "$0" "$@"
fi
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

start_server() {  # data folder, then extra serve flags; sets $server and $origin
  local data=$1; shift
  ./build/native/firstfix serve --data "$data" --port 0 --demo --no-demo-events "$@" >"$data.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do grep -q "serving" "$data.log" && break; sleep 0.1; done
  origin=$(grep -o 'http://[0-9.:]*' "$data.log" | head -1)
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

run() {  # label, then wrk arguments; prints a line, then req/s alone on the last line
  local label=$1; shift
  local out
  out=$(wrk -t2 -c64 -d"${seconds}s" --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf "%-40s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s\n" "$label" "$rps" "$p50" "$p99" "${errors:-0}" >&2
  echo "$rps"
}

echo "flow benchmark: 64 connections, 2 wrk threads, ${seconds}s each, $(nproc) cores, loopback"
start_server "$work/sqlite"
peer=$(run "GET /healthz (peer: no work)" "$origin/healthz")
sqlite=$(run "flow steps on SQLite (start + answer)" -s tests/bench/flow_steps.lua "$origin")
stop_server
sessions=$(sqlite3 "$work/sqlite/firstfix.db" "SELECT count(*) FROM flow_sessions")
audited=$(sqlite3 "$work/sqlite/firstfix.db" "SELECT count(*) FROM audit_log")

psql -qXc "CREATE SCHEMA bench"
start_server "$work/pg" --database 'postgresql:///?options=-csearch_path%3Dbench'
pg=$(run "flow steps on PostgreSQL (start + answer)" -s tests/bench/flow_steps.lua "$origin")
stop_server
pg_sessions=$(psql -qXAtc "SELECT count(*) FROM bench.flow_sessions")
pg_audited=$(psql -qXAtc "SELECT count(*) FROM bench.audit_log")

awk -v s="$sqlite" -v g="$pg" -v p="$peer" 'BEGIN {
  printf "flow steps / peer: SQLite %.2f, PostgreSQL %.2f\n", s / p, g / p;
  printf "PostgreSQL / SQLite: %.2fx (target >= 0.8x)\n", g / s }'
echo "stored: SQLite $sessions sessions, $audited audited actions; PostgreSQL $pg_sessions sessions, $pg_audited audited actions"
