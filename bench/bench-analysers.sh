#!/usr/bin/env bash
# Cost of the video analysers over decoding alone, on one or more files.
# For each file, runs each pipeline RUNS times (default 3) and keeps the
# lowest CPU time (user + system; wall time varies with other load):
#   decode       filesrc ! decodebin ! fakesink
#   scene        ... ! vascenedetect ! vaannotationsink
#   scene+motion ... ! vascenedetect ! vamotion ! vaannotationsink
# and prints each one's overhead over decode in percent.
# Usage: bench/bench-analysers.sh FILE...   (run from the source root after
# building into build/; see docs/benchmarks.md)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export GST_PLUGIN_PATH=${GST_PLUGIN_PATH:-$top/build/plugins/annotate}
export GST_REGISTRY=${GST_REGISTRY:-$top/build/gst-registry.bin}
runs=${RUNS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpu_seconds () {
  local best="" t
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$out/time" -f "%U %S" gst-launch-1.0 -q "$@" >/dev/null 2>&1
    t=$(awk '{ printf "%.3f", $1 + $2 }' "$out/time")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$t
    fi
  done
  echo "$best"
}

for file in "$@"; do
  src=(filesrc location="$file" ! decodebin)
  decode=$(cpu_seconds "${src[@]}" ! fakesink sync=false)
  scene=$(cpu_seconds "${src[@]}" ! vascenedetect ! vaannotationsink location="$out")
  both=$(cpu_seconds "${src[@]}" ! vascenedetect ! vamotion ! vaannotationsink location="$out")
  awk -v f="$(basename "$file")" -v d="$decode" -v s="$scene" -v b="$both" 'BEGIN {
    printf "%-24s decode %7.2f s | scene %7.2f s (%+5.1f %%) | scene+motion %7.2f s (%+5.1f %%)\n",
           f, d, s, 100 * (s - d) / d, b, 100 * (b - d) / d }'
done
