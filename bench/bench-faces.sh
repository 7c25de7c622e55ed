#!/usr/bin/env bash
# Face detection speed and agreement: our vafacedetect against
# gst-plugins-bad's facedetect (gstreamer1.0-opencv) on the same 1280x720
# 25 fps H.264 video with known face boxes (faces from opencv-doc photos
# pasted, moved and scaled over other photos; see va-detect-eval), 10 s by
# default: facedetect needs about a third of a CPU-second per 720p frame,
# so several runs of a longer video take too long on a shared machine.
#
# Usage: bench/bench-faces.sh [BUILD_DIR] [WORK_DIR] [RUNS] [SECONDS]
# 1. Throughput: hyperfine (1 warm-up, RUNS runs, default 3) times
#    gst-launch-1.0 decoding alone, decoding + vafacedetect with its
#    defaults (the Haar model facedetect uses, 5 analysed frames/s, searches
#    around tracked faces, the whole frame every second and at cuts, frame
#    halved), the same with the LBP model, and decoding + facedetect
#    with its defaults (every frame, whole frame, full size), and
#    vafacedetect analysing every frame whole (what interval and tracking
#    save), and prints the medians and the ratios.
# 2. Boxes: va-detect-eval runs each chain once more and prints recall and
#    precision against the known boxes (IoU >= 0.5) and track-id switches;
#    then how many of one element's boxes the other has (IoU >= 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/va-bench}
runs=${3:-3}
seconds=${4:-10}
eval_tool=$build/bench/va-detect-eval
export GST_PLUGIN_PATH=$PWD/$build/plugins/annotate
mkdir -p "$work"
[ -x "$eval_tool" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }
gst-inspect-1.0 facedetect >/dev/null 2>&1 ||
  { echo "facedetect not found: apt install gstreamer1.0-opencv" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt install hyperfine" >&2; exit 1; }

video=$work/faces-720p-${seconds}s.mp4
truth=$work/faces-720p-${seconds}s.txt
[ -s "$video" ] || "$eval_tool" make-faces "$video" "$truth" "$seconds" 1280 720 1

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -srm), $(nproc) cores,"\
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'),"\
  "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), load $(cut -d' ' -f1-3 /proc/loadavg)"
src="gst-launch-1.0 -q filesrc location=$video ! decodebin"
# no warm-up run: the decode run first brings the file into the page cache
hyperfine --runs "$runs" --export-json "$work/faces.json" \
  -n decode "$src ! fakesink" \
  -n vafacedetect "$src ! vafacedetect ! fakesink" \
  -n vafacedetect-lbp "$src ! vafacedetect model=lbp-frontalface-improved ! fakesink" \
  -n vafacedetect-every-frame "$src ! vafacedetect predictions-per-second=0 rescan-interval=0 ! fakesink" \
  -n facedetect "$src ! videoconvert ! video/x-raw,format=RGB ! facedetect display=false updates=none ! fakesink"
python3 - "$work/faces.json" "$((seconds * 25))" <<'EOF'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
frames = int(sys.argv[2])
med = {k: statistics.median(r["times"]) for k, r in results.items()}
print(f"{'command':24} {'median s':>9} {'frames/s':>9} {'CPU s (mean)':>13}")
for k, r in results.items():
    print(f"{k:24} {med[k]:9.2f} {frames / med[k]:9.1f} {r['user'] + r['system']:13.2f}")
print(f"throughput vafacedetect / facedetect: {med['facedetect'] / med['vafacedetect']:.2f}x")
dec = med["decode"]
print("detector time over decoding: vafacedetect %.2f s, facedetect %.2f s (%.1fx)" % (
    med["vafacedetect"] - dec, med["facedetect"] - dec,
    (med["facedetect"] - dec) / max(med["vafacedetect"] - dec, 1e-3)))
EOF

run() {
  "$eval_tool" run "$video" "$truth" face "$1" "$work/$2.txt" 2>&1 | grep -v 'persistence.cpp'
}
run "vafacedetect" ours
run "vafacedetect model=lbp-frontalface-improved" ours-lbp
run "vafacedetect predictions-per-second=0 rescan-interval=0" ours-every-frame
# facedetect only takes RGB; display=false keeps it from drawing on frames.
run "videoconvert ! video/x-raw,format=RGB ! facedetect display=false updates=none" facedetect
"$eval_tool" agree "$work/facedetect.txt" "$work/ours.txt"
"$eval_tool" agree "$work/facedetect.txt" "$work/ours-lbp.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
