#!/usr/bin/env bash
# Dumps the server's OpenAPI document and checks it with the validator
# pinned in package-lock.json. Installs the validator on first use
# (npm ci --offline from the local cache, else from the registry).
set -euo pipefail
dump=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/@seriousme/openapi-schema-validator" ]; then
  (cd "$here" && { npm ci --offline --no-audit --no-fund >/dev/null 2>&1 \
                   || npm ci --no-audit --no-fund >/dev/null; })
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$dump" >"$out"
node "$here/validate.mjs" "$out"
