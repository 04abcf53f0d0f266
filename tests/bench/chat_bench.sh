#!/usr/bin/env bash
# The chat benchmark (chat_bench.mjs) with a PostgreSQL cluster of its own
# (pg_virtualenv): one server on SQLite, then three on one PostgreSQL.
#   bash tests/bench/chat_bench.sh [CONVERSATIONS] [MESSAGES_EACH]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec bash tests/support/pg_virtualenv.sh env FIRSTFIX_TEST_POSTGRES=1 node tests/bench/chat_bench.mjs "$@"
