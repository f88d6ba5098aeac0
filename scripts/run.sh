#!/usr/bin/env bash
# `make run`: migrate, compile translations, load the demo data (once), then run the Huey
# task worker and the web server on $PORT; stopping the server stops the worker too.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"

$PY manage.py migrate --noinput
scripts/system_packages.sh
scripts/i18n.sh compile
$PY manage.py seed_demo

worker=""
server=""
stop() {
  trap - INT TERM EXIT
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "$worker" ] && kill "$worker" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

$PY manage.py run_huey &
worker=$!
echo
echo "==> http://127.0.0.1:${PORT}/   (demo logins above, password demo1234; Ctrl-C stops)"
echo
# Listens on this machine only unless HOST says otherwise (demo passwords are public).
$PY manage.py runserver "${HOST:-127.0.0.1}:${PORT}" --noreload &
server=$!
wait "$server"
