#!/usr/bin/env bash
# System libraries the Python packages need, installed with apt-get when missing (as root on
# Debian; elsewhere it only warns):
#   gettext               msgfmt, to compile the translations
#   libpango-1.0-0        WeasyPrint (PDF service reports) lays out text with Pango
#   libharfbuzz-subset0   WeasyPrint embeds font subsets 4x faster with it
#   poppler-utils         pdftotext / pdffonts, used by the PDF tests
set -uo pipefail
missing=()
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
for lib in libpango-1.0.so.0 libharfbuzz-subset.so.0; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
    case "$lib" in
      libpango*) missing+=(libpango-1.0-0 libpangoft2-1.0-0) ;;
      libharfbuzz-subset*) missing+=(libharfbuzz-subset0) ;;
    esac
  fi
done
((${#missing[@]})) || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; } ||
    echo "warning: could not install ${missing[*]}" >&2
else
  echo "warning: please install these system packages: ${missing[*]}" >&2
fi
exit 0
