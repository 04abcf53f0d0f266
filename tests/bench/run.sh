#!/usr/bin/env bash
# Native benchmarks (printed, not asserted): build throughput and index bytes
# per article on a generated help center, then query latency against it.
#   bash tests/bench/run.sh [ARTICLES]      (default 10000; needs the native preset built)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node tests/bench/generate_help_center.mjs "$n" "$work/content" >/dev/null
start=$(date +%s.%N)
./build/native/firstfix build "$work/content" -o "$work/dist" --quiet
end=$(date +%s.%N)
bytes=$(stat -c %s "$work/dist/index.db")
gz=$(gzip -c "$work/dist/index.db" | wc -c)
awk -v n="$n" -v s="$start" -v e="$end" -v b="$bytes" -v g="$gz" 'BEGIN {
  printf "build: %d articles in %.1f s = %.0f articles/s\n", n, e - s, n / (e - s);
  printf "index: %d bytes = %.0f bytes/article (gzip %.0f bytes/article)\n", b, b / n, g / n }'
./build/native/tests/search_bench "$work/dist" 2000
# The server under hostile loads (issue 11's targets), and a long visit's event batches.
./build/native/tests/visit_batches_bench
node tests/bench/server_bench.mjs
