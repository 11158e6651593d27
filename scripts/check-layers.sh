#!/usr/bin/env bash
# Checks the layer table in ARCHITECTURE.md against the code: every
# `#include "homectl/<area>/…"` in src/<area>/ and include/homectl/<area>/ must
# name the area itself or one listed in its row's "may include" column.
# A row whose column says "every area" is not checked. Exit 1 on any breach.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

declare -A allowed
while IFS='|' read -r _ folder _ may _; do
  folder=$(sed -E 's/^ *`([a-z_]+)\/` *$/\1/' <<<"$folder")
  [[ $folder =~ ^[a-z_]+$ && -d include/homectl/$folder ]] || continue
  [[ -v allowed[$folder] ]] && continue # a later row of the same name is a top-level folder
  if [[ $may == *"every area"* ]]; then
    allowed[$folder]='*'
  else
    allowed[$folder]=" $(grep -oE '`[a-z_]+`' <<<"$may" | tr -d '`' | tr '\n' ' ' || true)"
  fi
done < <(grep -E '^\| `' ARCHITECTURE.md)

status=0
for dir in include/homectl/*/; do
  area=$(basename "$dir")
  if [[ ! -v allowed[$area] ]]; then
    echo "ARCHITECTURE.md: no row for the area $area/" >&2
    status=1
    continue
  fi
  [[ ${allowed[$area]} == '*' ]] && continue
  while IFS=: read -r file line text; do
    other=$(sed -E 's/.*#include "homectl\/([a-z_]+)\/.*/\1/' <<<"$text")
    [[ $other == "$area" || ${allowed[$area]} == *" $other "* ]] && continue
    echo "$file:$line: $area/ may not include $other/ (ARCHITECTURE.md allows:${allowed[$area]:- nothing})" >&2
    status=1
  done < <(grep -rnE '^\s*#\s*include "homectl/[a-z_]+/' "src/$area" "include/homectl/$area" 2>/dev/null || true)
done
[[ $status == 0 ]] && echo "layers: every include follows ARCHITECTURE.md"
exit $status
