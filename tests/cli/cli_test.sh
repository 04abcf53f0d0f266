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

# Flows: each class of mistake `check` finds, at its file:line:col. The checks
# run in rounds (shape, then the graph, then values), so each round fixes
# what the one before reported.
mkdir -p "$work/f/flows/en" "$work/f/articles/en"
printf -- '---\nid: a\ntitle: A\nlocale: en\ncategory: Orders\n---\nHi.\n' > "$work/f/articles/en/a.md"
cat > "$work/f/flows/en/track.json" <<'JSON'
{
  "id": "track",
  "title": "Track",
  "locale": "en",
  "start": "order",
  "steps": {
    "order": {
      "kind": "ask",
      "fields": [
        {"name": "order_id", "type": "number", "pattern": "^[0-9]+$"}
      ],
      "next": "lookup"
    },
    "lookup": {
      "kind": "action",
      "connector": "demo.track_order",
      "input": {"order": "order_id"},
      "outcomes": {"delivered": "done", "not_found": "order"}
    },
    "done": {"kind": "done", "state": "resolved", "message": "Arrives {{result.eta}}, {{steps.lookup.result.label}}."}
  }
}
JSON
cat > "$work/f/flows/en/refund.json" <<'JSON'
{
  "id": "refund",
  "title": "Refund",
  "locale": "en",
  "start": "verify",
  "steps": {
    "verify": {"kind": "call", "flow": "check-email", "outcomes": {"ok": "pay"}},
    "pay": {"kind": "action", "connector": "demo.refund_everything", "outcomes": {"refunded": "end"}},
    "end": {"kind": "done", "state": "resolved", "message": "Refunded {{vars.total}}."}
  }
}
JSON
flow_problem() { grep -qF "$1" "$work/err" && ok || { fail "check does not report: $1"; cat "$work/err"; }; }
expect_exit 1 "check of flows with mistakes (round 1)" "$firstfix" check "$work/f"
flow_problem "flows/en/track.json:10:59: 'pattern' applies to text, email and phone fields; a number field is checked by its type"
flow_problem "flows/en/refund.json:9:61: placeholder {{vars.total}} is not computed by any set step"
sed -i 's/"type": "number", "pattern": "^\[0-9\]+\$"/"type": "integer"/' "$work/f/flows/en/track.json"
sed -i 's/Refunded {{vars.total}}./Refunded./' "$work/f/flows/en/refund.json"
expect_exit 1 "check of flows with mistakes (round 2)" "$firstfix" check "$work/f"
flow_problem "flows/en/track.json:14:15: steps 'lookup' -> 'order' -> 'lookup' loop with no bound: give one of them \"max_attempts\" and \"then\""
flow_problem "flows/en/track.json:18:19: connector 'demo.track_order' may answer 'in_transit', which this step does not handle"
flow_problem "flows/en/refund.json:8:44: no connector 'demo.refund_everything' (demo offers demo.account_subscription,"
sed -i 's/      "next": "lookup"$/      "next": "lookup", "max_attempts": 3, "then": "done"/; s/"not_found": "order"}/"not_found": "order", "*": "done"}/' "$work/f/flows/en/track.json"
sed -i 's/demo.refund_everything/webhook.crm.refund/' "$work/f/flows/en/refund.json"
expect_exit 1 "check of flows with mistakes (round 3)" "$firstfix" check "$work/f"
flow_problem "flows/en/track.json:20:62: 'result.eta' may have no value when step 'done' runs: on some path the latest action's result has no 'eta'"
flow_problem "flows/en/track.json:20:62: 'steps.lookup.result.label' may have no value when step 'done' runs"
flow_problem "flows/en/refund.json:7:40: no flow 'check-email' to call"
# A connectors file declares what its webhooks answer; check holds flows to it (no secret needed to check).
printf 'webhooks:\n  crm:\n    url: http://127.0.0.1:9/hook\n    secret_env: CRM_SECRET_NOT_SET\n    operations:\n      refund:\n        refunded: [amount]\n        refused: []\n' > "$work/connectors.yaml"
expect_exit 1 "check with a connectors file" "$firstfix" check "$work/f" --connectors "$work/connectors.yaml"
flow_problem "flows/en/refund.json:8:78: connector 'webhook.crm.refund' may answer 'refused', which this step does not handle"
# An endpoint the file does not name does not exist; one without declared operations is taken at its word.
printf '  billing:\n    url: http://127.0.0.1:9/b\n    secret_env: B_SECRET_NOT_SET\n' >> "$work/connectors.yaml"
sed -i 's/webhook.crm.refund/webhook.crmm.refund/' "$work/f/flows/en/refund.json"
expect_exit 1 "check names a webhook endpoint the connectors file does not have" "$firstfix" check "$work/f" --connectors "$work/connectors.yaml"
flow_problem "flows/en/refund.json:8:44: no connector 'webhook.crmm.refund' (webhook offers webhook.crm.refund, webhook.billing.*)"
sed -i 's/webhook.crmm.refund/webhook.billing.refund/' "$work/f/flows/en/refund.json"
expect_exit 1 "check with an endpoint whose operations are not declared" "$firstfix" check "$work/f" --connectors "$work/connectors.yaml"
grep -q "refund.json:8" "$work/err" && fail "an undeclared endpoint's operation was reported" || ok

echo "cli: $passed passed, $failures failed"
[ "$failures" = 0 ]
