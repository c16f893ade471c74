#!/usr/bin/env bash
# Set up and start examsite on the embedded default database (SQLite under instance/),
# with the demo data and a demo term loaded when the database is empty: http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_setup.sh
ensure_print_packages
ensure_venv ""

export FLASK_APP=wsgi
echo "==> Applying database migrations"
.venv/bin/flask db upgrade
echo "==> Loading demo data and a demo term if the database is empty"
.venv/bin/flask demo --if-empty --term
echo "==> Serving on http://127.0.0.1:${PORT:-5000} (Ctrl+C to stop)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
