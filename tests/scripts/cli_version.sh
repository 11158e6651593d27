#!/usr/bin/env bash
# `homectl --version`, `-V` and `homectl version` print the same line and exit 0.
set -euo pipefail
bin=$1
want=$("$bin" version)
[[ $want == "homectl "* ]] || { echo "FAIL: version printed '$want'" >&2; exit 1; }
for flag in --version -V; do
  got=$("$bin" "$flag") || { echo "FAIL: $flag exited $?" >&2; exit 1; }
  [[ $got == "$want" ]] || { echo "FAIL: $flag printed '$got', want '$want'" >&2; exit 1; }
done
echo "cli_version: ok"
