#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the benchmarks
# need. Idempotent and non-interactive; does nothing when all are present.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc g++ gettext clang-format
  libglib2.0-dev libglib2.0-bin
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  libsoup-3.0-dev libjson-glib-dev json-glib-tools libsqlite3-dev sqlite3 libsecret-1-dev
  libopencv-dev opencv-data libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
  libarchive-dev libcairo2-dev libpango1.0-dev libpolkit-gobject-1-dev libxml2-dev
  # runtime + tests: decoders/encoders, test media, validators
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-opencv
  espeak-ng sox curl python3 dbus gnome-keyring libsecret-tools faketime
  desktop-file-utils appstream libxml2-utils polkitd
  openssl
  # the web UI end-to-end tests (playwright-core drives it, pinned in tests/web)
  chromium
  # converting the TF.js person and pose models to ONNX (models install)
  python3-onnx python3-numpy
  # media the demo sample (build-aux/sample_media.py) and the tests are made
  # of: photographs and a street video, recordings, synthetic voices
  pocketsphinx-testdata codec2-examples opencv-doc
  # sanitizers and fuzzing
  clang llvm libclang-rt-14-dev
  # benchmarks
  ffmpeg hyperfine wrk nginx-light valgrind linux-perf
  # deploy tests: promtool for /metrics, YAML for the compose/k8s files
  prometheus python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js may come from elsewhere than Debian (Debian's npm conflicts with
# such an install): only ask for Debian's when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

# The validators the tests run with node (the OpenAPI schema validator of
# the http tests, the Kubernetes schemas of the deploy tests, playwright-core
# for the web UI tests), each pinned
# in its package-lock.json.
install_openapi_validator() {
  local root dir
  root="$(cd "$(dirname "$0")/.." && pwd)"
  for dir in "$root/tests/openapi" "$root/tests/deploy/k8s" "$root/tests/web"; do
    if [ -d "$dir" ] && [ ! -d "$dir/node_modules" ] && command -v npm >/dev/null; then
      (cd "$dir" && { npm ci --offline --no-audit --no-fund >/dev/null 2>&1 \
                      || npm ci --no-audit --no-fund; })
    fi
  done
}

if [ ${#missing[@]} -eq 0 ]; then
  install_openapi_validator
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi

echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
install_openapi_validator
