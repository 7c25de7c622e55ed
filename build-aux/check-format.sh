#!/usr/bin/env bash
# Fails (listing the files) when any C/C++ source differs from .clang-format.
# Fix with: build-aux/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${1:-clang-format}
[ "$clang_format" = "--fix" ] && clang_format=clang-format
if git rev-parse --git-dir >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' '*.cpp' | grep -v '^build')
else
  mapfile -t files < <(find src plugins tests fuzzing bench -name '*.[ch]' -o -name '*.cpp')
fi
if [ "${1:-}" = "--fix" ] || [ "${2:-}" = "--fix" ]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
existing=()
for f in "${files[@]}"; do
  [ -f "$f" ] && existing+=("$f")
done
# One clang-format process for the whole tree: a process per file took
# minutes on a loaded machine. Violations are reported on stderr as
# "file:line:col: error: code should be clang-formatted".
report=$("$clang_format" --dry-run --Werror "${existing[@]}" 2>&1 >/dev/null) || true
if [ -n "$report" ]; then
  printf '%s\n' "$report" | grep -E '^[^ :]+:[0-9]+:[0-9]+: ' | cut -d: -f1 | sort -u |
    sed 's/$/ (run build-aux\/check-format.sh --fix)/; s/^/not formatted: /'
  exit 1
fi
exit 0
