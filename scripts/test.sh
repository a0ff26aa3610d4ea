#!/usr/bin/env bash
# Installs what is needed and runs the whole test suite (lint first). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh desktop,server,test
# The server tests run on SQLite and on PostgreSQL; CI must have PostgreSQL, elsewhere those tests skip.
if ! bash scripts/ensure_postgres.sh; then
  if [ -n "${CI:-}" ]; then
    echo "CI needs PostgreSQL for the server tests" >&2
    exit 1
  fi
  echo "PostgreSQL is unavailable: the PostgreSQL variants of the server tests will be skipped" >&2
fi
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
