#!/usr/bin/env bash
# Set up and run the whole test suite: lint, types, then pytest on SQLite and on PostgreSQL
# (127.0.0.1:5432, user postgres). Under CI=true a missing PostgreSQL fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh

# Browser tests drive Debian's chromium (never a downloaded browser) and need CJK fonts.
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then
    echo "==> Installing Debian's chromium and CJK fonts"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

# The page scripts' unit tests run under Node (Debian's nodejs where it is missing).
if ! command -v node >/dev/null 2>&1; then
    echo "==> Installing Debian's nodejs"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs >/dev/null
fi

ensure_venv "[dev]"

echo "==> ruff (lint and format), mypy, import-linter and bandit"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache  # the layers (pyproject.toml)
.venv/bin/bandit --quiet --configfile pyproject.toml --recursive examsite

echo "==> node --test (page scripts)"
node --test tests/js/

# The two databases' runs are independent (each its own databases and free ports): on two
# cores they run side by side, PostgreSQL's report printed after SQLite's.
pg_url="${EXAMSITE_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
pg_pid=""
if .venv/bin/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" \
        "${pg_url/+psycopg/}" 2>/dev/null || [ "${CI:-}" = "true" ]; then
    pg_log="$(mktemp)"
    EXAMSITE_TEST_DB=postgresql .venv/bin/python -m pytest "$@" >"$pg_log" 2>&1 &
    pg_pid=$!
    trap 'kill "$pg_pid" 2>/dev/null || true' INT TERM
fi

echo "==> pytest on SQLite${pg_pid:+ (the PostgreSQL run goes on beside it)}"
sqlite_rc=0
EXAMSITE_TEST_DB=sqlite .venv/bin/python -m pytest "$@" || sqlite_rc=$?

if [ -n "$pg_pid" ]; then
    pg_rc=0
    wait "$pg_pid" || pg_rc=$?
    echo "==> pytest on PostgreSQL"
    cat "$pg_log"
    rm -f "$pg_log"
    [ "$sqlite_rc" -eq 0 ] || exit "$sqlite_rc"
    exit "$pg_rc"
fi
echo "==> PostgreSQL is not reachable at 127.0.0.1:5432: its run was left out (CI=true fails instead)"
exit "$sqlite_rc"
