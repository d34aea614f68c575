#!/usr/bin/env bash
# Installs into .venv with the test extras and runs the whole suite twice: on SQLite (the embedded
# default) and on PostgreSQL. Starts a local PostgreSQL or Redis that is installed but stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'

# the browser tests drive Debian's chromium (never a browser download); axe-core comes from the npm registry
if ! command -v chromium >/dev/null; then
  apt-get update -q && apt-get install -y -q chromium
fi

if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/renkei-redis.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

echo "== SQLite"
RENKEI_TEST_DATABASE=sqlite .venv/bin/python -m pytest "$@"
# the desk's days are Japan days whatever the machine's zone: the second run pretends to be in California
echo "== PostgreSQL (TZ=America/Los_Angeles)"
TZ=America/Los_Angeles RENKEI_TEST_DATABASE=postgresql .venv/bin/python -m pytest "$@"
