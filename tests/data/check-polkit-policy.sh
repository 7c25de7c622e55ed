#!/bin/sh
# The polkit policy is valid against polkit's DTD, and declares the action
# the D-Bus service checks (one name, in two files: they must agree).
# Usage: check-polkit-policy.sh SOURCE_ROOT
set -eu
root=$1
policy="$root/data/polkit/org.videoannotator.VideoAnnotator.policy"
dtd=/usr/share/polkit-1/policyconfig-1.dtd
if ! command -v xmllint >/dev/null || [ ! -f "$dtd" ]; then
  echo "SKIP: xmllint (libxml2-utils) or polkit's DTD (polkitd) missing" >&2
  exit 77
fi
xmllint --noout --dtdvalid "$dtd" "$policy"
action=$(sed -n 's/.*#define VA_DBUS_POLKIT_ACTION "\(.*\)".*/\1/p' "$root/src/dbus/va-dbus-polkit.c")
[ -n "$action" ] || { echo "FAIL: no VA_DBUS_POLKIT_ACTION in va-dbus-polkit.c" >&2; exit 1; }
grep -q "<action id=\"$action\">" "$policy" ||
  { echo "FAIL: $policy does not declare $action" >&2; exit 1; }
echo "ok: $action"
