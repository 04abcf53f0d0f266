#!/usr/bin/env bash
# The firstfix CLI as a user runs it: exit codes, messages, deterministic and
# atomic builds, batch search.
set -uo pipefail
firstfix=${1:?usage: cli_test.sh FIRSTFIX_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0; passed=0
ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_exit() { # expected_code description command...
  local want=$1 what=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"; local got=$?
  if [ "$got" = "$want" ]; then ok; else fail "$what: exit $got, want $want"; cat "$work/err"; fi
}

mkdir -p "$work/c/articles/en" "$work/c/synonyms"
cat > "$work/c/articles/en/reset.md" <<'MD'
---
id: reset-password
title: Reset your password
locale: en
category: Account
---
Forgot your password? Choose **Forgot password** on the sign-in page. See [tracking](track.md).
MD
cat > "$work/c/articles/en/track.md" <<'MD'
---
id: track-order
title: Track your order
locale: en
category: Orders
---
Follow your delivery on the Orders page.
MD
echo "parcel, package, delivery" > "$work/c/synonyms/en.txt"

expect_exit 0 "--help" "$firstfix" --help
grep -q "check" "$work/out" && grep -q "build" "$work/out" && grep -q "search" "$work/out" && ok || fail "--help lists the subcommands"
for sub in check build search analyze; do expect_exit 0 "$sub --help" "$firstfix" "$sub" --help; done
expect_exit 2 "no subcommand" "$firstfix"
expect_exit 0 "check of good content" "$firstfix" check "$work/c"
expect_exit 2 "check of a missing folder" "$firstfix" check "$work/nope"
grep -q "not a content folder" "$work/err" && ok || fail "missing folder message"

expect_exit 0 "build" "$firstfix" build "$work/c" -o "$work/out1"
expect_exit 0 "second build" "$firstfix" build "$work/c" -o "$work/out2"
diff -r "$work/out1" "$work/out2" >/dev/null && ok || fail "two builds of the same content differ"
for f in index.db manifest.json articles/reset-password.html articles/track-order.html; do
  [ -f "$work/out1/$f" ] && ok || fail "build output lacks $f"
done
grep -q 'href="/articles/track-order"' "$work/out1/articles/reset-password.html" && ok || fail "internal link not rewritten"

# A failed build leaves the previous output untouched and no debris behind.
cp -r "$work/out1" "$work/before"
printf -- '---\nid: reset-password\ntitle: Dup\nlocale: en\ncategory: X\n---\n[x](missing.md)\n' > "$work/c/articles/en/dup.md"
expect_exit 1 "check of broken content" "$firstfix" check "$work/c"
grep -q "reset.md:2:5: duplicate id 'reset-password' (also in articles/en/dup.md)" "$work/err" && ok || fail "duplicate id message"
grep -q "dup.md:7:1: broken link 'missing.md'" "$work/err" && ok || fail "broken link message"
expect_exit 1 "build of broken content" "$firstfix" build "$work/c" -o "$work/out1"
diff -r "$work/before" "$work/out1" >/dev/null && ok || fail "failed build changed the previous output"
[ -z "$(ls -A "$work" | grep -E '^\.out1\.(tmp|scratch)')" ] && ok || fail "failed build left temporary folders"
rm "$work/c/articles/en/dup.md"

expect_exit 0 "search" "$firstfix" search --index "$work/out1" "pasword"
grep -q 'Showing results for "password"' "$work/out" && ok || fail "spelling correction reported"
grep -q "reset-password" "$work/out" && ok || fail "search finds the article"
expect_exit 0 "search --json" "$firstfix" search --index "$work/out1" --json "parcel"
grep -q '"id": "track-order"' "$work/out" && ok || fail "synonym search in JSON"
printf 'q1\tpasword\nq2\tdelivery\n' | "$firstfix" search --index "$work/out1" --batch > "$work/batch" 2>&1 && ok || fail "batch search"
[ "$(wc -l < "$work/batch")" = 2 ] && ok || fail "one JSON line per batch query"
grep -q '{"corrected":"password","id":"q1","results":\[{"id":"reset-password"' "$work/batch" && ok || fail "batch line format: $(head -1 "$work/batch")"
printf 'no tab here\n' | "$firstfix" search --index "$work/out1" --batch >/dev/null 2>"$work/err"; [ $? = 2 ] && grep -q "stdin:1: expected ID<TAB>QUERY" "$work/err" && ok || fail "batch bad line"
expect_exit 2 "search of a missing index" "$firstfix" search --index "$work/none" "x"
expect_exit 2 "search without a query" "$firstfix" search --index "$work/out1"
expect_exit 2 "search with a bad limit" "$firstfix" search --index "$work/out1" --limit 0 x
expect_exit 2 "search with a bad locale" "$firstfix" search --index "$work/out1" --locale xx x
grep -q "unsupported locale 'xx'" "$work/err" && ok || fail "bad locale message"

# Publishing goes to PostgreSQL only; with SQLite the message says what to do instead.
expect_exit 2 "publish to SQLite is refused" "$firstfix" publish --content "$work/c" --database sqlite:
grep -q "send the server SIGHUP" "$work/err" && ok || fail "publish to SQLite: the message does not say what to do instead"
expect_exit 2 "publish without --database is a usage error" "$firstfix" publish --content "$work/c"

echo "cli: $passed passed, $failures failed"
[ "$failures" = 0 ]
