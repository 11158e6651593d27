#!/usr/bin/env bash
# The checked-in completion scripts must equal what the built binary generates.
set -euo pipefail
homectl=$1 src=$2
status=0
for pair in bash:homectl.bash zsh:_homectl fish:homectl.fish; do
  shell=${pair%%:*} file=${pair#*:}
  if ! diff -u "$src/completions/$file" <("$homectl" completion "$shell") >/tmp/homectl-drift.$$ 2>&1; then
    cat /tmp/homectl-drift.$$
    echo "completions/$file is out of date; run: build/homectl completion $shell > completions/$file" >&2
    echo "(or regenerate everything with: scripts/generate-docs.sh build/homectl)" >&2
    status=1
  fi
  rm -f /tmp/homectl-drift.$$
done
exit $status
