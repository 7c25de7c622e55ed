#!/usr/bin/env bash
# A full default job (`videoannotator annotate VIDEO`, every installed video
# pipeline: scenes, motion, faces, persons) on two 60 s 1280x720 25 fps
# H.264 clips: the face test video of va-detect-eval, and opencv-doc's
# vtest.avi (people walking) scaled to 960x720, padded to 1280x720 and
# repeated to 25 fps. Prints wall and CPU time, the real-time factor, and the
# same for decoding alone.
#
# Usage: bench/bench-default-job.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/va-bench-job}
export GST_PLUGIN_PATH=$PWD/$build/plugins/annotate
cli=$build/src/cli/videoannotator
mkdir -p "$work"

faces=$work/faces-720p.mp4
[ -s "$faces" ] || "$build/bench/va-detect-eval" make-faces "$faces" "$work/faces-720p.txt" 60 1280 720 1
people=$work/vtest-720p.mp4
if [ ! -s "$people" ]; then
  gst-launch-1.0 -q filesrc location=/usr/share/doc/opencv-doc/examples/data/vtest.avi ! \
    decodebin ! videoconvert ! videoscale ! video/x-raw,width=960,height=720 ! \
    videobox left=-160 right=-160 ! videorate ! video/x-raw,framerate=25/1 ! \
    identity eos-after=1500 ! videoconvert ! video/x-raw,format=I420 ! \
    x264enc speed-preset=fast ! mp4mux ! filesink location="$people.tmp"
  mv "$people.tmp" "$people"
fi

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -srm), $(nproc) cores,"\
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for video in "$faces" "$people"; do
  name=$(basename "$video" .mp4)
  /usr/bin/time -f "$name decode only: wall %e s, cpu %U+%S s" \
    gst-launch-1.0 -q filesrc location="$video" ! decodebin ! fakesink sync=false
  rm -rf "$work/out-$name"
  /usr/bin/time -f "$name default job: wall %e s, cpu %U+%S s" \
    "$cli" annotate "$video" -o "$work/out-$name" -q
done 2>&1 | awk '/wall/ { print; split($0, a, "wall "); split(a[2], b, " "); printf "  = %.1fx real time (60 s of video)\n", 60 / b[1]; next } { print }'
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
