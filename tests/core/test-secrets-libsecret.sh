#!/bin/sh
# Runs the Secret Service back-end test (the binary given as $1) on a
# private session bus with a throwaway gnome-keyring, unlocked with a
# password on stdin, and throwaway HOME/XDG directories: nothing of the
# caller's keyring is read or touched.
set -eu
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (Debian packages dbus, gnome-keyring)" >&2
    exit 77
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/home" "$tmp/run"
chmod 700 "$tmp/run"
export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/home/data" \
  XDG_CONFIG_HOME="$tmp/home/config" XDG_CACHE_HOME="$tmp/home/cache"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY
# --unlock creates the "login" collection (the default alias) with this
# password and leaves it unlocked, so no prompt is ever needed.
dbus-run-session -- sh -c '
  printf "%s" throwaway-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@"
