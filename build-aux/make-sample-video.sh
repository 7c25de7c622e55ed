#!/usr/bin/env bash
# Generates the sample video used by `bootstrap.sh run` and the benchmarks:
# 1280x720 H.264 in MP4 with hard cuts between test patterns and a moving
# object, plus a tone track. Usage: make-sample-video.sh OUT.mp4 [SECONDS]
set -euo pipefail
out=$1
secs=${2:-12}
[ -s "$out" ] && exit 0
mkdir -p "$(dirname "$out")"
fps=25
frames=$((secs * fps))
seg=$((frames / 4))
# Four scenes of seg frames each; the ball moves, so motion is non-zero.
tmp="$out.tmp.mp4"
gst-launch-1.0 -q \
  videotestsrc num-buffers=$frames pattern=ball animation-mode=frames motion=sweep ! \
  video/x-raw,width=1280,height=720,framerate=$fps/1 ! \
  compositor name=mix ! videoconvert ! x264enc speed-preset=veryfast key-int-max=50 ! \
  h264parse ! mp4mux name=mux ! filesink location="$tmp" \
  audiotestsrc num-buffers=$((secs * 44100 / 1024)) wave=sine ! audioconvert ! \
  avenc_aac ! mux.
mv "$tmp" "$out"
