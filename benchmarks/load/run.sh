#!/usr/bin/env bash
# The whole-sitting load test: set up .venv with locust, then run the harness.
# Usage: bash benchmarks/load/run.sh [--db sqlite|postgresql] [-n N] [...]  (see --help)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/_setup.sh
ensure_venv "[dev,load]"
exec .venv/bin/python benchmarks/load/harness.py "$@"
