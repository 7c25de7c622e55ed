#!/usr/bin/env bash
# Generates docs/dbus-reference.rst from the D-Bus interface XML (its doc
# comments) with gdbus-codegen --generate-rst.
#   build-aux/dbus-reference.sh           rewrite docs/dbus-reference.rst
#   build-aux/dbus-reference.sh --check   fail when it is out of date
set -euo pipefail
cd "$(dirname "$0")/.."
xml=src/dbus/org.videoannotator.VideoAnnotator1.Manager.xml
doc=docs/dbus-reference.rst
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gdbus-codegen --generate-rst "$tmp/ref" "$xml"
generated="$tmp/ref-org.videoannotator.VideoAnnotator1.Manager.rst"
if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$doc" "$generated"; then
    echo "$doc is out of date: run build-aux/dbus-reference.sh" >&2
    exit 1
  fi
  exit 0
fi
cp "$generated" "$doc"
