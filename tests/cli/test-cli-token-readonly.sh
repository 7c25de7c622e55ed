#!/bin/sh
# `videoannotator token` against a token directory on a read-only mount, as
# a Kubernetes secret volume is (directory mode 1777, files 0400): listing
# works and writes nothing, changes fail saying why, and a file readable by
# others is still refused. Runs in a private mount namespace (unshare -m as
# root, or a user namespace); skipped where neither is allowed.
# Usage: test-cli-token-readonly.sh /path/to/videoannotator
set -eu
va=$1

if [ -z "${VA_IN_MOUNT_NAMESPACE:-}" ]; then
  export VA_IN_MOUNT_NAMESPACE=1
  if unshare -m true 2>/dev/null; then
    exec unshare -m sh "$0" "$@"
  elif unshare -rm true 2>/dev/null; then
    exec unshare -rm sh "$0" "$@"
  fi
  echo "SKIP: no private mount namespace (unshare -m) here" >&2
  exit 77
fi

tmp=$(mktemp -d)
tokens="$tmp/data/tokens"
cleanup () {
  umount "$tokens" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
unset DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR VIDEOANNOTATOR_DATA_DIR VIDEOANNOTATOR_TOKEN_DIR
fail () {
  echo "FAIL: $*" >&2
  exit 1
}

"$va" token create --data-dir "$tmp/data" --user-id u1 --username alice --email a@lab.edu \
  --scopes read >"$tmp/out"
key=$(tail -n 1 "$tmp/out")
prefix=$(printf '%s' "$key" | cut -c1-11)

mount_read_only () {
  mount --bind "$tokens" "$tokens"
  mount -o remount,bind,ro "$tokens"
}

# like a secret volume
rm -f "$tokens/.tokens.lock"
chmod 0400 "$tokens/tokens.json" "$tokens/encryption.key"
chmod 1777 "$tokens"
mount_read_only
touch "$tokens/probe" 2>/dev/null && fail "the bind mount is not read-only"

"$va" token list --data-dir "$tmp/data" >"$tmp/list" 2>"$tmp/err" || {
  cat "$tmp/err" >&2
  fail "token list on a read-only token directory"
}
grep -q "$prefix" "$tmp/list" || fail "the key is not listed"
grep -q "active" "$tmp/list" || fail "the key is not active"
[ "$(ls -A "$tokens" | tr '\n' ' ')" = "encryption.key tokens.json " ] ||
  fail "reading left files behind: $(ls -A "$tokens")"

if "$va" token revoke "$prefix" --data-dir "$tmp/data" >"$tmp/out" 2>"$tmp/err"; then
  fail "revoking on a read-only mount succeeded"
fi
grep -q "read-only" "$tmp/err" || fail "no read-only message: $(cat "$tmp/err")"
"$va" token list --data-dir "$tmp/data" | grep -q active || fail "the key changed"

# files are still checked: a world-readable pepper is refused
umount "$tokens"
chmod 0444 "$tokens/encryption.key"
mount_read_only
if "$va" token list --data-dir "$tmp/data" >"$tmp/out" 2>"$tmp/err"; then
  fail "a world-readable encryption.key was accepted"
fi
grep -q "chmod 600" "$tmp/err" || fail "no chmod hint: $(cat "$tmp/err")"
echo "ok"
