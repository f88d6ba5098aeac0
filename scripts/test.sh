#!/usr/bin/env bash
# `make test`: the suite on SQLite, then on PostgreSQL when DATABASE_URL names one, then ruff.
# All three run; the exit status is non-zero if any of them failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
failed=()

scripts/system_packages.sh
scripts/i18n.sh compile || failed+=("compilemessages")

echo "==> pytest on SQLite"
env -u DATABASE_URL "$PY" -m pytest -n 2 "$@" || failed+=("pytest on SQLite")

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://* | pgsql://*)
    echo "==> pytest on PostgreSQL ($(sed -E 's#//[^@/]*@#//#' <<<"$DATABASE_URL"))"
    "$PY" -m pytest -n 2 "$@" || failed+=("pytest on PostgreSQL")
    ;;
  "") echo "==> DATABASE_URL is not set: PostgreSQL run skipped" ;;
  *) echo "==> DATABASE_URL is not PostgreSQL: second run skipped" ;;
esac

echo "==> ruff check"
.venv/bin/ruff check . || failed+=("ruff")

if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "==> all passed"
