#!/usr/bin/env bash
# scripts/check-layers.sh: the tree follows ARCHITECTURE.md's "may include"
# column, and an include that breaks it is named and fails the check.
set -euo pipefail
src=$2
bash "$src/scripts/check-layers.sh" "$src"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$src/ARCHITECTURE.md" "$tmp/"
mkdir -p "$tmp/include/homectl/util" "$tmp/include/homectl/config" "$tmp/src/util"
for area in $(ls "$src/include/homectl"); do mkdir -p "$tmp/include/homectl/$area"; done
printf '#include "homectl/util/result.hpp"\n#include "homectl/daemon/x.hpp"\n' >"$tmp/src/util/bad.cpp"
if out=$(bash "$src/scripts/check-layers.sh" "$tmp" 2>&1); then
  echo "FAIL: util/ including daemon/ passed the check" >&2
  exit 1
fi
grep -q 'src/util/bad.cpp:2: util/ may not include daemon/' <<<"$out" || {
  echo "FAIL: the breach is not named: $out" >&2
  exit 1
}

mkdir -p "$tmp/include/homectl/newarea"
out=$(bash "$src/scripts/check-layers.sh" "$tmp" 2>&1) && exit 1
grep -q 'no row for the area newarea/' <<<"$out" || { echo "FAIL: $out" >&2; exit 1; }
echo "ok"
