#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (see README.md):
#   build-aux/bootstrap.sh run    install deps, build, run the demo (build-aux/demo.py)
#   build-aux/bootstrap.sh test   install deps, build, run the whole test suite
#   build-aux/bootstrap.sh asan   the same suite in an ASan+UBSan build (build-asan/)
#   build-aux/bootstrap.sh asan core http ...   only these suites under ASan+UBSan
# Every step is idempotent.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mode=${1:-run}

"$top/build-aux/install-deps.sh"

setup () {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
}

case "$mode" in
  run)
    setup build
    # composes build/demo/sample.mp4 from Debian's media (once), installs
    # the default neural models if missing, annotates it with every
    # pipeline and prints what each one found
    python3 "$top/build-aux/demo.py" --build "$top/build"
    ;;
  test)
    setup build
    meson test -C build --print-errorlogs --num-processes 2
    ;;
  asan)
    # -O1 with the sanitizers: the audio tests decode and analyse minutes of
    # speech and, unoptimised and instrumented, outran their timeouts; the
    # multiplier covers the sanitizers' remaining slowdown.
    setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=1 -Ddebug=true
    meson configure build-asan -Doptimization=1 -Ddebug=true
    meson compile -C build-asan
    suites=()
    for s in "${@:2}"; do suites+=(--suite "$s"); done
    meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
      "${suites[@]}"
    ;;
  *)
    echo "usage: $0 run|test|asan" >&2
    exit 2
    ;;
esac
