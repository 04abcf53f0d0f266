#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time, starting from its seed
# corpus (tests/fuzz/corpus/NAME, read only: what a run finds new goes to a
# scratch folder). A crash, a sanitizer finding or a timeout fails the run;
# the input that did it is kept in BUILD_DIR/fuzz-findings/ and shown, to
# become a regression test.
#   bash tests/fuzz/run.sh BUILD_DIR [SECONDS_EACH]   (default $FIRSTFIX_FUZZ_SECONDS, else 20)
set -uo pipefail
build=$1
seconds=${2:-${FIRSTFIX_FUZZ_SECONDS:-20}}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
findings="$build/fuzz-findings"
mkdir -p "$findings"

# The router target serves the sample help center, as `firstfix serve --demo` does.
"$build/firstfix" build "$repo/content" -o "$work/dist" --quiet || exit 1
export FIRSTFIX_FUZZ_DIST="$work/dist" FIRSTFIX_FUZZ_WIDGET="$repo/build/widget"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$repo/tests/sanitizers/lsan.supp:print_suppressions=0}"

failed=()
for name in ${FIRSTFIX_FUZZERS:-query article flow events image router}; do
  mkdir -p "$work/$name"
  log="$work/$name.log"
  if "$build/tests/fuzz/${name}_fuzzer" "$work/$name" "$here/corpus/$name" -max_total_time="$seconds" -timeout=15 \
       -rss_limit_mb=3072 -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/$name-" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    echo "fuzz $name: ${runs:-?} inputs in ${seconds} s, no finding"
  else
    failed+=("$name")
    cp "$log" "$findings/$name.log"
    echo "fuzz $name: FINDING (log: $findings/$name.log)"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal|==[0-9]+==' "$log" | head -20
    tail -40 "$log"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzers with findings: ${failed[*]} (inputs in $findings)"
  exit 1
fi
