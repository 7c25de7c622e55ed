#!/usr/bin/env bash
# vaspeech's recognizer under several pocketsphinx search settings: word
# error rate on the LibriVox clips and on espeak-ng sentences against the
# CPU time of decoding (bench/va-speech-search.c), then, with --callgrind,
# the instructions decoding the LibriVox clips takes (valgrind, about 90
# CPU-seconds per setting), which do not depend on the machine's load. The
# tables of docs/accuracy.md's speech section; vaspeech's search=fast is
# chosen from them.
#
#   bench/speech-search.sh [BUILD_DIR] [--callgrind]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
callgrind=${2:-}
meson compile -C "$build" va-speech-search >/dev/null
export LD_LIBRARY_PATH=$PWD/$build/plugins/meta${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
tool=$PWD/$build/bench/va-speech-search

settings=(
  ""
  "-topn 2"
  "-topn 1"
  "-maxhmmpf 10000"
  "-maxhmmpf 3000"
  "-maxhmmpf 1500"
  "-maxwpf 5"
  "-beam 1e-40 -pbeam 1e-40"
  "-ds 2"
  "-pl_window 0"
  "-fwdflat no"
  "-bestpath no"
  "-topn 2 -maxhmmpf 3000"
  "-remove_noise no"
  "fast"
)

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -srm), $(nproc) cores,"\
  "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| pocketsphinx options | LibriVox errors/words = WER | espeak-ng errors/words = WER | CPU s LibriVox (24.7 s) | CPU s espeak-ng |"
echo "|---|---|---|---|---|"
for s in "${settings[@]}"; do
  # shellcheck disable=SC2086 # the options are words
  "$tool" $s
done
if [ "$callgrind" = --callgrind ]; then
  echo
  echo "| pocketsphinx options | LibriVox WER | instructions decoding the LibriVox clips (10⁹) |"
  echo "|---|---|---|"
  for s in "${settings[@]}"; do
    # shellcheck disable=SC2086
    out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
      --toggle-collect=va_speech_decoder_decode "$tool" --books $s 2>&1)
    row=$(echo "$out" | grep '^|')
    ins=$(echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    echo "$row" | awk -F'|' -v ins="$ins" '{ printf "|%s|%s| %.2f |\n", $2, $3, ins / 1e9 }'
  done
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
