#!/usr/bin/env bash
# Accuracy of vafacedetect and vapersondetect against known boxes; the
# figures of docs/accuracy.md.
#
# Faces: 60 s 1280x720 videos built by va-detect-eval from the five face
# photos opencv-doc ships (moved, scaled, cut together over other photos,
# shots without faces in between); every frame's face boxes are known.
# Persons: opencv-doc's vtest.avi against the boxes labelled by hand in
# tests/plugins/vtest-persons.txt (17 frames; identities on frames 0-100).
#
# Usage: bench/accuracy.sh [BUILD_DIR] [WORK_DIR] [faces|persons|all|extended]
# `all` runs the default settings of each detector and its main alternative
# (video seed 1); `extended` adds a second face video, the other cascades,
# every-frame and full-size searches, gst-plugins-bad's facedetect (about a
# third of a CPU-second per frame: ~10 min for one video) and the upper-body
# model.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/va-bench}
what=${3:-all}
eval_tool=$build/bench/va-detect-eval
export GST_PLUGIN_PATH=$PWD/$build/plugins/annotate
mkdir -p "$work"
[ -x "$eval_tool" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }
extended=false
# BlazeFace, installed once into the work directory by the CLI
models=$work/models
export GSETTINGS_SCHEMA_DIR=$PWD/$build/data
[ -f "$models/blazeface/installed.json" ] \
  || "$build/src/cli/videoannotator" models install blazeface --models-dir "$models" >&2
[ "$what" = extended ] && { extended=true; what=all; }

run() { # video truth roi-type elements name
  "$eval_tool" run "$1" "$2" "$3" "$4" "$work/$5.txt" 2>&1 | grep -v 'persistence.cpp'
}

if [ "$what" = faces ] || [ "$what" = all ]; then
  seeds=1
  $extended && seeds="1 2"
  for seed in $seeds; do
    video=$work/faces-720p-$seed.mp4
    truth=$work/faces-720p-$seed.txt
    [ -s "$video" ] || "$eval_tool" make-faces "$video" "$truth" 60 1280 720 "$seed"
    echo "## faces, video seed $seed"
    run "$video" "$truth" face "vafacedetect models-dir=$models" "faces-$seed-blazeface"
    run "$video" "$truth" face "vafacedetect model=haar-frontalface-alt" "faces-$seed-haar-alt"
    run "$video" "$truth" face "vafacedetect model=haar-frontalface-default" "faces-$seed-haar"
    run "$video" "$truth" face "vafacedetect model=lbp-frontalface-improved" "faces-$seed-lbp"
    $extended || continue
    run "$video" "$truth" face "vafacedetect model=haar-frontalface-alt2" "faces-$seed-alt2"
    run "$video" "$truth" face "vafacedetect predictions-per-second=0 rescan-interval=0" \
      "faces-$seed-haar-every-frame"
    run "$video" "$truth" face "vafacedetect downscale=1" "faces-$seed-haar-full-size"
    if gst-inspect-1.0 facedetect >/dev/null 2>&1; then
      run "$video" "$truth" face \
        "videoconvert ! video/x-raw,format=RGB ! facedetect display=false updates=none" \
        "faces-$seed-facedetect"
    fi
  done
fi

if [ "$what" = persons ] || [ "$what" = all ]; then
  vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
  truth=tests/plugins/vtest-persons.txt
  echo "## persons, vtest.avi"
  [ -f "$models/centernet/installed.json" ] \
    || "$build/src/cli/videoannotator" models install centernet --models-dir "$models" >&2
  run "$vtest" "$truth" person "vapersondetect models-dir=$models" persons-centernet
  run "$vtest" "$truth" person "vapersondetect model=hog-people" persons-default
  run "$vtest" "$truth" person "vapersondetect downscale=0.67" persons-hog
  $extended || exit 0
  run "$vtest" "$truth" person "vapersondetect downscale=0.67 predictions-per-second=0 rescan-interval=0" \
    persons-hog-every-frame
  run "$vtest" "$truth" person "vapersondetect model=haar-upperbody downscale=0.67" persons-upperbody
fi
