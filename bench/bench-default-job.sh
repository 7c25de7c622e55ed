#!/usr/bin/env bash
# A full default job — scene_detection, person_tracking, face_analysis and
# audio_processing, in one `videoannotator annotate` run — on a generated
# 60 s 1280x720 25 fps H.264 video with speech, against real time.
#
# Video: the face test video of va-detect-eval (faces from opencv-doc photos
# moved and scaled over other photos, shots without faces between).
# Sound (AAC, 16 kHz mono): the five LibriVox clips of pocketsphinx-testdata
# (24.7 s) with 1 s pauses, then five espeak-ng sentences with 1 s pauses,
# cut at 60 s: speech almost throughout, as in an interview.
#
# hyperfine times (no warm-up: the decode run reads the file first; RUNS
# runs, medians) decoding both streams alone and the default job. Then one
# more default job with --json prints each pipeline's own processing time
# (the analysers' time in their streaming threads: where the time goes).
#
# Usage: bench/bench-default-job.sh [BUILD_DIR] [WORK_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${2:-${TMPDIR:-/tmp}/va-bench}
runs=${3:-3}
export GST_PLUGIN_PATH=$PWD/$build/plugins/annotate
# the settings of an installed system: the build's schema, no user changes
export GSETTINGS_SCHEMA_DIR=$PWD/$build/data GSETTINGS_BACKEND=memory
cli=$PWD/$build/src/cli/videoannotator
mkdir -p "$work"
[ -x "$cli" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt install hyperfine" >&2; exit 1; }

faces=$work/faces-720p-1.mp4
[ -s "$faces" ] || "$build/bench/va-detect-eval" make-faces "$faces" "$work/faces-720p-1.txt" 60 1280 720 1

speech=$work/speech-60s.wav
if [ ! -s "$speech" ]; then
  tmp=$(mktemp -d)
  parts=()
  sox -n -r 16000 -c 1 -b 16 "$tmp/pause.wav" trim 0 1.0
  for f in /usr/share/pocketsphinx/test/data/librivox/*.wav; do
    sox "$f" -r 16000 -c 1 -b 16 "$tmp/$(basename "$f")"
    parts+=("$tmp/$(basename "$f")" "$tmp/pause.wav")
  done
  i=0
  for text in "The meeting starts at nine in the morning, and everybody should bring the notes." \
              "We looked at the recordings of the children playing in the garden yesterday." \
              "Please send me the report before the end of the week, if you can." \
              "The second session was shorter, because the camera stopped after ten minutes." \
              "Thank you all for coming, and see you again next month."; do
    espeak-ng -w "$tmp/e$i.wav" "$text"
    sox "$tmp/e$i.wav" -r 16000 -c 1 -b 16 "$tmp/e$i-16k.wav"
    parts+=("$tmp/e$i-16k.wav" "$tmp/pause.wav")
    i=$((i + 1))
  done
  sox "${parts[@]}" "$tmp/all.wav"
  # exactly 60 s: pad with silence (or cut)
  sox "$tmp/all.wav" "$speech" pad 0 60 trim 0 60
  rm -rf "$tmp"
fi

video=$work/job-720p-speech.mp4
if [ ! -s "$video" ]; then
  gst-launch-1.0 -q filesrc location="$faces" ! qtdemux ! h264parse ! mp4mux name=m ! \
    filesink location="$video.tmp" \
    filesrc location="$speech" ! wavparse ! audioconvert ! avenc_aac ! m.
  mv "$video.tmp" "$video"
fi

pipelines=scene_detection,person_tracking,face_analysis,audio_processing
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -srm), $(nproc) cores,"\
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'),"\
  "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# video: $video (60 s, 1280x720, 25 fps, H.264 + AAC speech)"
rm -rf "$work/job-out"
hyperfine --runs "$runs" --export-json "$work/default-job.json" \
  -n decode "gst-launch-1.0 -q filesrc location=$video ! qtdemux name=d d.video_0 ! queue ! decodebin ! fakesink d.audio_0 ! queue ! decodebin ! fakesink" \
  -n default-job "$cli annotate -q $video -p $pipelines -o $work/job-out"
python3 - "$work/default-job.json" <<'EOF'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
print(f"{'command':18} {'median s':>9} {'x real time':>12} {'CPU s (mean)':>13}")
for r in results:
    med = statistics.median(r["times"])
    print(f"{r['command']:18} {med:9.2f} {60 / med:12.2f} {r['user'] + r['system']:13.2f}")
EOF
echo "# per-pipeline processing time of one default job (--json):"
"$cli" annotate "$video" -p "$pipelines" -o "$work/job-out" --json |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({k: d[k] for k in d if k not in ("outputs",)}, indent=1)); [print(" ", k, v.get("processing_time"), v.get("annotation_count")) for k, v in d["outputs"].items()]'
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
