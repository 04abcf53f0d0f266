#!/usr/bin/env bash
# Flow-step throughput and latency (printed, not asserted): wrk with 64
# connections on loopback against `firstfix serve --demo` on the sample
# content, on SQLite and then on PostgreSQL (a throwaway cluster of its
# own, pg_virtualenv), in the same run. Peer: GET /healthz, the same HTTP
# stack with no work, so the ratios show what a flow step costs beyond the
# server itself; issue 12's target is PostgreSQL >= 0.8x SQLite. Then
# haproxy (deploy/haproxy.cfg, TLS) in front of one server and in front of
# three on the same database: issue 12's target is that three lose no
# total throughput against one on this machine. Each round measures GET
# /healthz on the same servers first: its ratio is the floor, what three
# processes instead of one cost on these cores with no work to share.
#   bash tests/bench/flow_bench.sh [SECONDS] [ROUNDS]   (defaults 10 and 5; needs the native build and the widget)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
rounds=${2:-5}  # of one server against three behind haproxy
if [ -z "${FIRSTFIX_BENCH_IN_CLUSTER:-}" ]; then
  exec bash tests/support/pg_virtualenv.sh env FIRSTFIX_BENCH_IN_CLUSTER=1 bash "$0" "$@"
fi
work=$(mktemp -d)
server=
others=()
proxy=
trap '[ -n "$server" ] && kill $server 2>/dev/null; for p in "${others[@]}" $proxy; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT

start_server() {  # data folder, then extra serve flags; sets $server and $origin
  local data=$1; shift
  ./build/native/firstfix serve --data "$data" --port 0 --demo --no-demo-events "$@" >"$data.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do grep -qs "serving" "$data.log" && break; sleep 0.1; done
  origin=$(grep -o 'http://[0-9.:]*' "$data.log" | head -1)
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

context_switches() { awk '/^ctxt/ { print $2 }' /proc/stat; }  # the whole machine's
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }  # user nice system irq softirq
postgres_jiffies() {  # CPU time of PostgreSQL's processes (utime + stime)
  local total=0 pid
  for pid in $(pgrep -x postgres); do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0))); done
  echo "$total"
}

run() {  # label, then wrk arguments; prints a line, then req/s alone on the last line
  local label=$1; shift
  local out before after pg_before pg_after
  local switches_before switches_after
  before=$(busy_jiffies)
  pg_before=$(postgres_jiffies)
  switches_before=$(context_switches)
  out=$(wrk -t2 -c64 -d"${seconds}s" --latency "$@")
  after=$(busy_jiffies)
  pg_after=$(postgres_jiffies)
  switches_after=$(context_switches)
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  # The whole machine's CPU (every process: wrk, haproxy, the servers, PostgreSQL) per request.
  local hz; hz=$(getconf CLK_TCK)
  printf "%-40s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s   CPU %3.0f%% of %d cores, %.3f ms per request (PostgreSQL %.3f), %.1f context switches\n" "$label" "$rps" "$p50" "$p99" "${errors:-0}" \
    "$(awk -v b="$before" -v a="$after" -v s="$seconds" -v hz="$hz" -v n="$(nproc)" 'BEGIN { print (a - b) / hz / s / n * 100 }')" "$(nproc)" \
    "$(awk -v b="$before" -v a="$after" -v s="$seconds" -v hz="$hz" -v r="$rps" 'BEGIN { print (a - b) / hz * 1000 / (r * s) }')" \
    "$(awk -v b="$pg_before" -v a="$pg_after" -v s="$seconds" -v hz="$hz" -v r="$rps" 'BEGIN { print (a - b) / hz * 1000 / (r * s) }')" \
    "$(awk -v b="$switches_before" -v a="$switches_after" -v s="$seconds" -v r="$rps" 'BEGIN { print (a - b) / (r * s) }')" >&2
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

# haproxy with TLS in front of the same server, then of it and two more on the same database.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" >"$work/haproxy.pem"
proxy_port=$((20000 + RANDOM % 20000))
start_proxy() {  # three backend host:port
  FIRSTFIX_HTTPS=127.0.0.1:$proxy_port FIRSTFIX_HTTP=127.0.0.1:$((proxy_port + 1)) FIRSTFIX_CERT="$work/haproxy.pem" \
    FIRSTFIX_SERVER_1=$1 FIRSTFIX_SERVER_2=$2 FIRSTFIX_SERVER_3=$3 haproxy -db -f deploy/haproxy.cfg >"$work/haproxy.log" 2>&1 &
  proxy=$!
  for _ in $(seq 100); do curl -skf "https://127.0.0.1:$proxy_port/healthz" >/dev/null && break; sleep 0.1; done
  sleep 2  # every backend's health check passed
}
stop_proxy() { kill "$proxy"; wait "$proxy" 2>/dev/null || true; proxy=; }
fresh=0
stop_others() { for p in "${others[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done; others=(); }
start_others() {  # N fresh servers on the database; sets $addresses
  addresses=()
  local i
  for i in $(seq "$1"); do
    fresh=$((fresh + 1))
    start_server "$work/pg-fresh-$fresh" --database 'postgresql:///?options=-csearch_path%3Dbench'
    others+=("$server")
    addresses+=("${origin#http://}")
  done
  server=
}
warm_up() { wrk -t2 -c64 -d3s -s tests/bench/flow_steps.lua "https://127.0.0.1:$proxy_port" >/dev/null; }
one=${origin#http://}
start_proxy "$one" "$one" "$one"
behind_one=$(run "haproxy (TLS) -> 1 server, PostgreSQL" -s tests/bench/flow_steps.lua "https://127.0.0.1:$proxy_port")
stop_proxy
stop_server
# One server against three, in alternating rounds: each arm on fresh servers
# after the same 3 s warm-up, so neither gets a warmer process or the quieter
# minute (single runs on this machine vary by +-10%). The median ratio is the
# figure. Peer, on the same servers in the same rounds: GET /healthz, no work
# and no shared state, so its ratio is what three processes instead of one
# cost on these cores by themselves, whatever the route does.
ratios=()
peer_ratios=()
arm() {  # servers; sets $healthz and $flows (req/s)
  local n=$1
  start_others "$n"
  if [ "$n" = 1 ]; then start_proxy "${addresses[0]}" "${addresses[0]}" "${addresses[0]}"; else start_proxy "${addresses[@]}"; fi
  wrk -t2 -c64 -d3s "https://127.0.0.1:$proxy_port/healthz" >/dev/null
  healthz=$(run "round $round: GET /healthz -> $n server(s)" "https://127.0.0.1:$proxy_port/healthz")
  warm_up
  flows=$(run "round $round: flow steps -> $n server(s)" -s tests/bench/flow_steps.lua "https://127.0.0.1:$proxy_port")
  stop_proxy
  stop_others
}
for round in $(seq "$rounds"); do
  arm 1
  one_peer=$healthz one_round=$flows
  arm 3
  ratios+=("$(awk -v o="$one_round" -v t="$flows" 'BEGIN { printf "%.3f", t / o }')")
  peer_ratios+=("$(awk -v o="$one_peer" -v t="$healthz" 'BEGIN { printf "%.3f", t / o }')")
done
pg_sessions=$(psql -qXAtc "SELECT count(*) FROM bench.flow_sessions")
pg_audited=$(psql -qXAtc "SELECT count(*) FROM bench.audit_log")

awk -v s="$sqlite" -v g="$pg" -v p="$peer" 'BEGIN {
  printf "flow steps / peer: SQLite %.2f, PostgreSQL %.2f\n", s / p, g / p;
  printf "PostgreSQL / SQLite: %.2fx (target >= 0.8x)\n", g / s }'
awk -v one="$behind_one" -v direct="$pg" 'BEGIN { printf "1 server behind haproxy / direct %.2fx\n", one / direct }'
median() {  # label, ratios...: the median (of the two middle ones for an even count) and every ratio, sorted
  local label=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v n="$#" -v label="$label" '{ r[NR] = $1; all = all (NR > 1 ? ", " : "") $1 }
    END { printf "%s: 3 servers / 1 server behind haproxy, median of %d rounds %.2fx (%s)\n", label, n, (r[int((n + 1) / 2)] + r[int(n / 2) + 1]) / 2, all }'
}
median "flow steps" "${ratios[@]}"
median "GET /healthz (peer: no work, no shared state)" "${peer_ratios[@]}"
echo "target: flow steps >= 1.0x (no total throughput lost), or at the peer's floor: what three processes cost on $(nproc) cores"
echo "stored: SQLite $sessions sessions, $audited audited actions; PostgreSQL $pg_sessions sessions, $pg_audited audited actions"
