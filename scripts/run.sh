#!/usr/bin/env bash
# Installs into .venv and serves the embedded default: SQLite under var/, in-process jobs,
# e-mails as .eml files under var/outbox/, demo data with one account of each role (its e-mail,
# a password and a TOTP key for any authenticator app are printed: log in at http://127.0.0.1:8000/).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e .
.venv/bin/renkei db upgrade
.venv/bin/renkei demo
.venv/bin/renkei schema export >/dev/null
# the demo is for exploring: introspection, field suggestions and GraphiQL on (production leaves them off)
export RENKEI_INTROSPECTION="${RENKEI_INTROSPECTION:-true}" RENKEI_GRAPHQL_IDE="${RENKEI_GRAPHQL_IDE:-true}"
exec .venv/bin/renkei serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
