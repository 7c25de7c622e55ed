#!/usr/bin/env bash
# Validates deploy/k8s/*.yaml (except the kustomization, which is not an API
# object) against the Kubernetes schemas of kubernetes-models, pinned in
# package-lock.json. Installs them on first use (npm ci --offline from the
# local cache, else from the registry).
set -euo pipefail
src=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/kubernetes-models" ]; then
  (cd "$here" && { npm ci --offline --no-audit --no-fund >/dev/null 2>&1 \
                   || npm ci --no-audit --no-fund >/dev/null; })
fi
files=()
for f in "$src"/deploy/k8s/*.yaml; do
  [ "$(basename "$f")" = kustomization.yaml ] || files+=("$f")
done
[ ${#files[@]} -ge 5 ] || { echo "expected the k8s manifests in $src/deploy/k8s" >&2; exit 1; }
node "$here/validate.mjs" "${files[@]}"
