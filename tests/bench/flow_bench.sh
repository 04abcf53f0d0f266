#!/usr/bin/env bash
# Flow-step throughput and latency (printed, not asserted): wrk with 64
# connections on loopback against `firstfix serve` on the sample content.
# Peer in the same run: GET /healthz, the same HTTP stack with no work, so
# the ratio shows what a flow step costs beyond the server itself.
#   bash tests/bench/flow_bench.sh [SECONDS]     (default 10; needs the native build and the widget)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
data=$(mktemp -d)
log=$(mktemp)
./build/native/firstfix serve --data "$data" --port 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data" "$log"' EXIT
for _ in $(seq 100); do grep -q "serving" "$log" && break; sleep 0.1; done
origin=$(grep -o 'http://[0-9.:]*' "$log" | head -1)

run() {  # label, then wrk arguments
  local label=$1; shift
  local out
  out=$(wrk -t2 -c64 -d"${seconds}s" --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf "%-34s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s\n" "$label" "$rps" "$p50" "$p99" "${errors:-0}"
  echo "$rps"
}

echo "flow benchmark: 64 connections, 2 wrk threads, ${seconds}s each, $(nproc) cores, loopback"
peer=$(run "GET /healthz (peer: no work)" "$origin/healthz" | tee /dev/stderr | tail -1)
flow=$(run "flow steps (start + answer)" -s tests/bench/flow_steps.lua "$origin" | tee /dev/stderr | tail -1)
sessions=$(sqlite3 "$data/firstfix.db" "SELECT count(*) FROM flow_sessions")
done_=$(sqlite3 "$data/firstfix.db" "SELECT count(*) FROM flow_sessions WHERE json_extract(state, '\$.done_state') = 'resolved'")
actions=$(sqlite3 "$data/firstfix.db" "SELECT count(*) FROM audit_log")
awk -v f="$flow" -v p="$peer" 'BEGIN { printf "flow steps / peer: %.2f\n", f / p }'
echo "stored: $sessions sessions, $done_ resolved, $actions audited actions"
