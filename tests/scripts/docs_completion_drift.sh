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

# The scripts complete SOURCE arguments with `homectl docs sources`: the names
# of the configured sources, one per line.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/homectl.json" <<'JSON'
{ "sources": { "weather": { "url": "http://127.0.0.1:9/w" }, "my-plug": { "url": "http://127.0.0.1:9/p" } } }
JSON
got=$("$homectl" --config "$work/homectl.json" --quiet docs sources | sort | tr '\n' ' ')
if [[ $got != "my-plug weather " ]]; then
  echo "FAIL: 'homectl docs sources' printed '$got', expected 'my-plug weather '" >&2
  status=1
fi
if "$homectl" --config "$work/missing.json" --quiet docs sources >"$work/out" 2>&1 || [[ -s $work/out ]]; then
  echo "FAIL: 'homectl docs sources' with a missing file must fail silently; printed: $(cat "$work/out")" >&2
  status=1
fi
exit $status
