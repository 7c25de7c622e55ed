#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (see README.md):
#   build-aux/bootstrap.sh run    install deps, build, annotate a sample video
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
    sample="$top/build/sample/sample.mp4"
    "$top/build-aux/make-sample-video.sh" "$sample"
    export GST_PLUGIN_PATH="$top/build/plugins/annotate"
    export GST_REGISTRY="$top/build/gst-registry.bin"
    export GSETTINGS_SCHEMA_DIR="$top/build/data"
    # the default neural models (BlazeFace, from the npm registry); without
    # them the face detector falls back to the Haar cascade with a warning
    "$top/build/src/cli/videoannotator" models install \
      || echo "Could not install the neural models; continuing without them" >&2
    "$top/build/src/cli/videoannotator" annotate "$sample" -o "$top/build/sample/output"
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
