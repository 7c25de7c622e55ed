#!/usr/bin/env bash
# Fails when docs/configuration.md misses a setting of the schema or an
# environment variable that VaSettings reads. Runs from the source root.
set -euo pipefail
cd "${1:-.}"
doc=docs/configuration.md
schema=data/org.videoannotator.VideoAnnotator.gschema.xml
status=0

for key in $(grep -o '<key name="[^"]*"' "$schema" | cut -d'"' -f2); do
  if ! grep -qF "\`$key\`" "$doc"; then
    echo "$doc does not document the setting $key"
    status=1
  fi
done

# the checklist / 1.4 names in va_settings_env_aliases[]
for var in $(sed -n '/va_settings_env_aliases\[\] = {/,/^};/p' src/core/va-settings.c |
             grep -oE '"[A-Z][A-Z0-9_]+"' | tr -d '"' | sort -u); do
  if ! grep -qF "\`$var\`" "$doc"; then
    echo "$doc does not document the variable $var"
    status=1
  fi
done
exit $status
