#!/usr/bin/env bash
# Generates the test-pattern video of the scene benchmark (bench/bench-scene.sh):
# 1280x720 25 fps H.264 + AAC in MP4, made of scenes of SCENE seconds each
# (hard cuts between different test patterns, most of them moving, so scene
# detection finds the cuts and motion is non-zero).
# Usage: make-sample-video.sh OUT.mp4 [SECONDS [SCENE_SECONDS [noaudio]]]
# Does nothing if OUT.mp4 already exists (delete it to regenerate).
set -euo pipefail
out=$1
secs=${2:-12}
scene=${3:-3}
audio=${4:-audio}
[ -s "$out" ] && exit 0
mkdir -p "$(dirname "$out")"

fps=25
frames=$((secs * fps))
seg=$((scene * fps))
caps="video/x-raw,width=1280,height=720,framerate=$fps/1,format=I420"
# One videotestsrc per scene, concatenated; patterns cycle through these.
patterns=(
  "pattern=ball motion=sweep"
  "pattern=smpte horizontal-speed=4"
  "pattern=ball background-color=0xff203080 foreground-color=0xffffd040 motion=hsweep"
  "pattern=pinwheel horizontal-speed=-3"
  "pattern=checkers-8 horizontal-speed=2"
  "pattern=zone-plate kx2=20 ky2=20 kt=1"
)

# single-segment: concat only shifts segment bases, which x264enc with
# B-frames turns into jumbled timestamps; one restamped segment avoids it.
args=(concat name=cat ! identity single-segment=true ! videoconvert ! x264enc speed-preset=veryfast key-int-max=250
  bitrate=4000 ! video/x-h264,profile=high ! h264parse ! mp4mux name=mux
  ! filesink location="$out.tmp.mp4")
left=$frames
i=0
while [ "$left" -gt 0 ]; do
  n=$((left < seg ? left : seg))
  # shellcheck disable=SC2206
  args+=(videotestsrc num-buffers=$n ${patterns[$((i % ${#patterns[@]}))]} ! "$caps" ! cat.)
  left=$((left - n))
  i=$((i + 1))
done
if [ "$audio" != noaudio ]; then
  args+=(audiotestsrc num-buffers=$((secs * 44100 / 1024)) wave=sine freq=440 ! audioconvert
    ! avenc_aac ! mux.)
fi

gst-launch-1.0 -q "${args[@]}"
mv "$out.tmp.mp4" "$out"
echo "sample video: $out ($secs s, $i scenes of ${scene} s)"
