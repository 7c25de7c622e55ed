#!/usr/bin/env bash
# Face detection speed and agreement: our vafacedetect against
# gst-plugins-bad's facedetect (gstreamer1.0-opencv) on the same 60 s
# 1280x720 H.264 video with known face boxes (faces from opencv-doc photos
# pasted, moved and scaled over other photos; see va-detect-eval).
#
# Usage: bench/bench-faces.sh [BUILD_DIR] [WORK_DIR]
# Prints, per element chain: frames, wall and CPU time, frames per second
# and per CPU-second, recall and precision against the known boxes (IoU >=
# 0.5) and track-id switches; then how many boxes the two elements share.
# The decode-only run (identity) gives the cost the detectors add.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/va-bench-faces}
eval_tool=$build/bench/va-detect-eval
export GST_PLUGIN_PATH=$PWD/$build/plugins/annotate
mkdir -p "$work"
[ -x "$eval_tool" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }
gst-inspect-1.0 facedetect >/dev/null 2>&1 ||
  { echo "facedetect not found: apt install gstreamer1.0-opencv" >&2; exit 1; }

video=$work/faces-720p.mp4
truth=$work/faces-720p.txt
[ -s "$video" ] || "$eval_tool" make-faces "$video" "$truth" 60 1280 720 1

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -srm), $(nproc) cores,"\
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
run() {
  "$eval_tool" run "$video" "$truth" face "$1" "$work/$2.txt" 2>&1 | grep -v 'persistence.cpp'
}
run "identity" decode-only
run "vafacedetect" ours
run "vafacedetect model=haar-frontalface-default" ours-haar
# facedetect only takes RGB; display=false keeps it from drawing on frames.
run "videoconvert ! video/x-raw,format=RGB ! facedetect display=false updates=none" facedetect
"$eval_tool" agree "$work/facedetect.txt" "$work/ours.txt"
"$eval_tool" agree "$work/facedetect.txt" "$work/ours-haar.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
