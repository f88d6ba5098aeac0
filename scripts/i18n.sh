#!/usr/bin/env bash
# Translation catalogues: `i18n.sh compile` (the .mo files are not committed) or `i18n.sh make`.
# Both need GNU gettext; as root on Debian it is installed on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if ! command -v msgfmt >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing gettext (msgfmt) with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq gettext >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq gettext >/dev/null 2>&1; } || true
fi
if ! command -v msgfmt >/dev/null 2>&1; then
  echo "warning: GNU gettext (msgfmt) is not installed; translations not compiled. Install the 'gettext' package." >&2
  exit 0
fi

mkdir -p locale  # compilemessages refuses to run when no locale folder exists at all
case "${1:-compile}" in
  compile) $PY manage.py compilemessages --ignore=.venv --ignore=data --ignore=node_modules -v 0 ;;
  make) $PY manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=data --ignore=staticfiles --ignore=node_modules ;;
  *) echo "usage: $0 compile|make" >&2; exit 2 ;;
esac
