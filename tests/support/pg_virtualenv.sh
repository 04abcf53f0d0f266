#!/usr/bin/env bash
# Runs pg_virtualenv's arguments (options, then a command) in a throwaway
# PostgreSQL 15 cluster of their own. -t keeps the cluster's files in a
# temporary directory even as root, never /etc/postgresql/15/regress (which
# pg_virtualenv refuses to reuse after a run killed midway); the port is one
# the kernel just found free, because pg_virtualenv's own choice (the first
# free port from 5432) gives two clusters starting at once the same one. So a
# killed run leaves nothing that stops the next, and two checkouts on one
# machine can test at once.
set -euo pipefail
PGPORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
export PGPORT
exec pg_virtualenv -t -v 15 "$@"
