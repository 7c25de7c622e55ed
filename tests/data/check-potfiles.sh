#!/usr/bin/env bash
# Fails when po/POTFILES.in is out of date: a source file (C, or the web
# UI's JavaScript) marks strings for
# translation (_(), N_(), C_(), NC_(), Q_()), sends HTTP error messages (their
# text is extracted from the call, see po/meson.build), or is a GSettings
# schema, desktop entry or metainfo file but is not listed, or a listed file
# does not exist. Runs from the source root.
set -euo pipefail
cd "${1:-.}"

listed=$(grep -v '^\s*#' po/POTFILES.in | sed '/^\s*$/d' | sort -u)
status=0

while IFS= read -r f; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done <<< "$listed"

needed=$( {
  find src plugins data/web -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.js' \) -print0 |
    xargs -0 grep -lE '(^|[^A-Za-z0-9_])(N?C?_|Q_|va_http_respond_error|va_http_message_set_error|va_http_auth_reject|va_http_ticket_reject|va_http_web_not_found) ?\(' || true
  find data -type f \( -name '*.gschema.xml' -o -name '*.desktop.in' -o -name '*.metainfo.xml.in' \)
} | sort -u)

while IFS= read -r f; do
  [ -n "$f" ] || continue
  if ! grep -qxF "$f" <<< "$listed"; then
    echo "$f has translatable strings but is missing from po/POTFILES.in"
    status=1
  fi
done <<< "$needed"
exit $status
