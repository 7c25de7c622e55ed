#!/usr/bin/env bash
# Cost of the video analysers over decoding alone, on one or more files.
# For each file, runs these RUNS times (default 5), interleaved so that
# background load hits all of them alike, and keeps each one's lowest CPU
# time (user + system; wall time varies too much on a shared machine):
#   decode        filesrc ! decodebin ! fakesink
#   scene         ... ! vascenedetect ! vaannotationsink
#   scene+motion  ... ! vascenedetect ! vamotion ! vaannotationsink
#   annotate      videoannotator annotate FILE -p scene_detection
# then prints each one's overhead over decode in percent.
# Usage: bench/bench-analysers.sh FILE...   (from the source root, after
# building into build/; results in docs/elements.md)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
export GST_PLUGIN_PATH=${GST_PLUGIN_PATH:-$build/plugins/annotate}
export GST_REGISTRY=${GST_REGISTRY:-$build/gst-registry.bin}
export GSETTINGS_SCHEMA_DIR=${GSETTINGS_SCHEMA_DIR:-$build/data}
runs=${RUNS:-5}
cli=$build/src/cli/videoannotator
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpu () {
  /usr/bin/time -o "$out/time" -f "%U %S" "$@" >/dev/null 2>&1
  awk '{ printf "%.3f", $1 + $2 }' "$out/time"
}

min () {
  awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'
}

for file in "$@"; do
  src=(filesrc location="$file" ! decodebin)
  decode="" scene="" both="" annotate=""
  for _ in $(seq "$runs"); do
    decode=$(min "$(cpu gst-launch-1.0 -q "${src[@]}" ! fakesink sync=false)" "$decode")
    scene=$(min "$(cpu gst-launch-1.0 -q "${src[@]}" ! vascenedetect ! vaannotationsink \
      location="$out")" "$scene")
    both=$(min "$(cpu gst-launch-1.0 -q "${src[@]}" ! vascenedetect ! vamotion ! \
      vaannotationsink location="$out")" "$both")
    if [ -x "$cli" ]; then
      annotate=$(min "$(cpu "$cli" annotate "$file" -p scene_detection -o "$out" -q)" "$annotate")
    fi
  done
  awk -v f="$(basename "$file")" -v d="$decode" -v s="$scene" -v b="$both" -v a="$annotate" 'BEGIN {
    printf "%s\n  decode        %6.2f s\n", f, d
    printf "  scene         %6.2f s  %+5.1f %%\n", s, 100 * (s - d) / d
    printf "  scene+motion  %6.2f s  %+5.1f %%\n", b, 100 * (b - d) / d
    if (a != "") printf "  annotate -p scene_detection  %6.2f s  %+5.1f %%\n", a, 100 * (a - d) / d
  }'
done
