#!/usr/bin/env bash
# Scene detection throughput against decoding alone and against ffmpeg's
# scdet filter, on one generated 1280x720 H.264 file (70 s, 25 fps, a cut
# every 5 s, no audio so that `decodebin ! fakesink` surely decodes video).
#
#   bench/bench-scene.sh [RUNS]      (default 7 runs per command, 1 warm-up)
#
# Needs a build in build/ (meson setup build && meson compile -C build),
# hyperfine, ffmpeg and gst-launch-1.0 (build-aux/install-deps.sh installs
# them). Writes build/bench/scene.json (hyperfine's export) and prints the
# medians of wall-clock and CPU time and the ratios the targets are about.
# See docs/benchmarks.md for results and how to read them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${1:-7}
build="$top/build"
bench="$build/bench"
video="$bench/bench-720p-70s.mp4"
exe="$build/src/cli/videoannotator"

[ -x "$exe" ] || { echo "build first: meson setup build && meson compile -C build" >&2; exit 2; }
mkdir -p "$bench"
"$top/build-aux/make-sample-video.sh" "$video" 70 5 noaudio >/dev/null

export GST_PLUGIN_PATH="$build/plugins/annotate"
export GST_REGISTRY="$bench/gst-registry.bin"
# fill the registry once so no run pays for the plugin scan
gst-inspect-1.0 vascenedetect >/dev/null

hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$bench/scene.json" \
  -n annotate "$exe annotate -q -p scene_detection -o $bench/out $video" \
  -n decode "gst-launch-1.0 -q filesrc location=$video ! decodebin ! fakesink" \
  -n ffmpeg-scdet "ffmpeg -v error -nostdin -i $video -vf scdet -an -f null -"

python3 - "$bench/scene.json" "$video" <<'EOF'
import json, statistics, subprocess, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
frames = int(subprocess.run(
    ["ffprobe", "-v", "error", "-select_streams", "v", "-count_packets", "-show_entries",
     "stream=nb_read_packets", "-of", "csv=p=0", sys.argv[2]],
    capture_output=True, text=True, check=True).stdout.strip())

def med(name, key):
    r = results[name]
    if key == "cpu":  # hyperfine exports only the mean CPU times
        return r["user"] + r["system"]
    return statistics.median(r["times"])

print(f"\n{frames} frames; wall: median of {len(results['annotate']['times'])} runs, "
      "cpu: mean user+system")
print(f"{'command':14} {'wall s':>8} {'frames/s':>9} {'cpu s':>8}")
for name in ("annotate", "decode", "ffmpeg-scdet"):
    w, c = med(name, "wall"), med(name, "cpu")
    print(f"{name:14} {w:8.2f} {frames / w:9.1f} {c:8.2f}")
a, d, f = (med(n, "wall") for n in ("annotate", "decode", "ffmpeg-scdet"))
ac, dc, fc = (med(n, "cpu") for n in ("annotate", "decode", "ffmpeg-scdet"))
print(f"\nthroughput annotate / ffmpeg scdet: {f / a:.2f} (wall), {fc / ac:.2f} (cpu)  target >= 1.00")
print(f"time annotate / decode only:        {a / d:.2f} (wall), {ac / dc:.2f} (cpu)  target <= 1.10")
EOF
