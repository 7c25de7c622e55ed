#!/usr/bin/env bash
# Every catalogue in po/LINGUAS compiles with msgfmt's checks (format
# strings and their arguments, header, accelerators).
set -euo pipefail
podir=$1
status=0
while read -r lang; do
  case "$lang" in ''|'#'*) continue ;; esac
  [ -f "$podir/$lang.po" ] || { echo "po/LINGUAS lists $lang but $lang.po is missing"; status=1; continue; }
  msgfmt --check -c --statistics -o /dev/null "$podir/$lang.po" || status=1
done < "$podir/LINGUAS"
exit $status
