#!/usr/bin/env bash
# Measures the audio analysers and prints the tables of docs/accuracy.md:
# vavad frame F1 at several SNRs, vaspeech word error rate on
# pocketsphinx-testdata's LibriVox clips, vadiarize diarization error rate on
# codec2-examples' all.wav and on espeak-ng dialogues.
#
#   bench/audio-accuracy.sh [BUILD_DIR] [vad|wer|der|der-dev]...
#
# der-dev is the diarization development set (other dialogues than der's,
# for choosing settings without tuning on the reported ones).
#
# Needs espeak-ng, sox, pocketsphinx-testdata and codec2-examples
# (build-aux/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(vad wer der)

meson compile -C "$build" va-audio-eval plugins/annotate/gstvideoannotator \
  plugins/annotate/gstvideoannotatorspeech >/dev/null
export GST_PLUGIN_PATH=$PWD/$build/plugins/annotate
export GST_REGISTRY=$PWD/$build/gst-registry-bench.bin
export LD_LIBRARY_PATH=$PWD/$build/plugins/meta${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

for part in "${parts[@]}"; do
  echo "### $part"
  echo
  "$build/bench/va-audio-eval" "$part"
  echo
done
