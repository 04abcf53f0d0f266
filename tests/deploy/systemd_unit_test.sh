#!/usr/bin/env bash
# deploy/firstfix.service as an operator installs it: systemd-analyze
# verifies it (no unknown keys, a binary that exists), then its own
# ExecStart line, with its own environment file's variables, serves the
# sample content against PostgreSQL (this runs inside pg_virtualenv), answers
# /healthz, publishes the content again on its ExecReload, and stops cleanly
# on the unit's KillSignal.
#   tests/deploy/systemd_unit_test.sh FIRSTFIX_BINARY
set -euo pipefail
firstfix=${1:?usage: systemd_unit_test.sh FIRSTFIX_BINARY}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The unit with this machine's paths: the binary, the folders, a free port.
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
sed -e "s|/usr/local/bin/firstfix|$firstfix|g" -e "s|/srv/firstfix/content|$repo/content|g" -e "s|/var/lib/firstfix|$work/data|g" \
    -e "s|/usr/local/share/firstfix/widget|$repo/build/widget|g" -e "s|/etc/firstfix/firstfix.env|$work/firstfix.env|g" \
    -e "s|--port 8080|--port $port|" "$repo/deploy/firstfix.service" > "$work/firstfix.service"
grep -q "$firstfix serve" "$work/firstfix.service" || fail "the unit's ExecStart does not run firstfix serve"
if ! systemd-analyze verify "$work/firstfix.service" > "$work/verify" 2>&1 || [ -s "$work/verify" ]; then
  cat "$work/verify"; fail "systemd-analyze verify found problems"
fi

# The environment file as shipped, pointed at the test cluster.
schema=unit_$$
psql -qXc "CREATE SCHEMA $schema"
sed -e "s|^FIRSTFIX_DATABASE=.*|FIRSTFIX_DATABASE=postgresql:///?options=-csearch_path%3D$schema|" "$repo/deploy/firstfix.env" > "$work/firstfix.env"
set -a; . "$work/firstfix.env"; set +a
grep -q '^FIRSTFIX_PUBLIC_URL=https://' "$work/firstfix.env" || fail "the shipped environment file has no https public URL"

# ExecStart, its ${VARS} expanded as systemd would.
exec_start=$(sed -n 's/^ExecStart=//p' "$work/firstfix.service")
eval "set -- $(envsubst <<<"$exec_start")"
mkdir -p "$work/data"
"$@" > "$work/log" 2>&1 &
server=$!
for _ in $(seq 300); do grep -q "serving" "$work/log" && break; kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
grep -q "serving" "$work/log" || { cat "$work/log"; fail "the unit's ExecStart did not start serving"; }
curl -fsS "http://127.0.0.1:$port/healthz" > "$work/health" || fail "/healthz did not answer"
grep -q '"articles"' "$work/health" || { cat "$work/health"; fail "/healthz does not report the content"; }
psql -qXAtc "SELECT count(*) FROM $schema.firstfix_migrations WHERE store IN ('store', 'events')" | grep -q '^2$' ||
  fail "the stores were not created in PostgreSQL"
# ExecReload, as systemd runs it: the content is published again without a restart.
exec_reload=$(sed -n 's/^ExecReload=//p' "$work/firstfix.service")
[ -n "$exec_reload" ] || fail "the unit has no ExecReload"
eval "set -- $(MAINPID=$server envsubst <<<"$exec_reload")"
"$@" || fail "ExecReload failed"
for _ in $(seq 100); do grep -q "published content version" "$work/log" && break; sleep 0.1; done
grep -q "published content version .* (SIGHUP)" "$work/log" || { cat "$work/log"; fail "ExecReload did not publish the content again"; }
curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null || fail "/healthz did not answer after the reload"
kill -TERM "$server"
wait "$server" && rc=0 || rc=$?
server=
[ "$rc" = 0 ] || { cat "$work/log"; fail "SIGTERM: exit $rc, want 0"; }
echo "ok: the unit verifies, its ExecStart serves on PostgreSQL, its ExecReload publishes the content again, and it stops cleanly on SIGTERM"
