#!/usr/bin/env bash
# Starts a private dbus-daemon that includes the system bus policy and
# reads the session activation file: dbus-daemon refuses to start on a
# policy it cannot parse and reports activation files it cannot read.
set -euo pipefail
policy=$1
service_dir=$2
tmp=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
cat > "$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$tmp/bus</listen>
  <servicedir>$service_dir</servicedir>
  <include>$policy</include>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/>
    <allow send_destination="*"/><allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
dbus-daemon --nofork --config-file="$tmp/bus.conf" --print-address=1 > "$tmp/address" 2> "$tmp/log" &
pid=$!
for _ in $(seq 100); do
  [ -s "$tmp/address" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; echo "dbus-daemon refused the configuration"; exit 1; }
  sleep 0.05
done
[ -s "$tmp/address" ] || { echo "dbus-daemon did not start"; exit 1; }
names=$(gdbus call --address "$(head -1 "$tmp/address")" --dest org.freedesktop.DBus \
  --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.ListActivatableNames)
case "$names" in
  *"'org.videoannotator.VideoAnnotator'"*) ;;
  *) echo "the activation file was not found in $service_dir: $names"; exit 1 ;;
esac
