#!/usr/bin/env bash
# Set up and run the whole test suite: lint, types, then pytest on SQLite and on PostgreSQL
# (127.0.0.1:5432, user postgres). Under CI=true a missing PostgreSQL fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
ensure_print_packages

# Browser tests drive Debian's chromium (never a downloaded browser) and need CJK fonts;
# the statistics images test turns a PDF page into a PNG with poppler's pdftoppm.
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ] || ! command -v pdftoppm >/dev/null; then
    echo "==> Installing Debian's chromium and CJK fonts"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
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

pg_url="${EXAMSITE_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
with_pg=""
if .venv/bin/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" \
        "${pg_url/+psycopg/}" 2>/dev/null || [ "${CI:-}" = "true" ]; then
    with_pg=1
else
    echo "==> PostgreSQL is not reachable at 127.0.0.1:5432: its run is left out (CI=true fails instead)"
fi

# On two cores the two databases' runs of the tests without a browser go side by side
# (each has its own databases); the browser tests, which time real page loads, then run
# one database after the other on an otherwise idle machine.
echo "==> pytest on SQLite${with_pg:+ and, beside it, on PostgreSQL} (without the browser tests)"
pg_pid=""
if [ -n "$with_pg" ]; then
    pg_log="$(mktemp)"
    EXAMSITE_TEST_DB=postgresql .venv/bin/python -m pytest -m "not browser" "$@" >"$pg_log" 2>&1 &
    pg_pid=$!
    trap 'kill "$pg_pid" 2>/dev/null || true' INT TERM EXIT
fi
sqlite_rc=0
EXAMSITE_TEST_DB=sqlite .venv/bin/python -m pytest -m "not browser" "$@" || sqlite_rc=$?
if [ -n "$pg_pid" ]; then
    pg_rc=0
    wait "$pg_pid" || pg_rc=$?
    trap - INT TERM EXIT
    echo "==> pytest on PostgreSQL (without the browser tests)"
    cat "$pg_log"
    rm -f "$pg_log"
    [ "$pg_rc" -eq 0 ] || exit "$pg_rc"
fi
[ "$sqlite_rc" -eq 0 ] || exit "$sqlite_rc"

# pytest exits 5 when a selection holds no test (a run of named non-browser files).
browser_run() {
    local rc=0
    EXAMSITE_TEST_DB="$1" .venv/bin/python -m pytest -m browser "${@:2}" || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 5 ]
}
echo "==> pytest on SQLite: the browser tests"
browser_run sqlite "$@"
if [ -n "$with_pg" ]; then
    echo "==> pytest on PostgreSQL: the browser tests"
    browser_run postgresql "$@"
fi
