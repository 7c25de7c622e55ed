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
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run build-aux/check-format.sh --fix)"
    bad=1
  fi
done
exit $bad
